/**
 * JSON parsing for values that came from outside (CLI `--args`, guest-produced
 * JSON): keys like `__proto__`, `constructor` and `prototype` become plain own
 * data properties (what `JSON.parse` does) and objects get a null prototype, so
 * no later `Object.assign`/spread/lookup can reach `Object.prototype` through them.
 */
import { AgentOsError } from '../errors/index.ts';

/**
 * Parses JSON into prototype-free plain data.
 * @throws AgentOsError('invalid-argument') when the text is not JSON.
 */
export function parseJsonSafely(text: string, what = 'JSON'): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new AgentOsError('invalid-argument', `${what} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  return detach(value);
}

function detach(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(detach);
  if (typeof value !== 'object' || value === null) return value;
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value)) {
    Object.defineProperty(out, key, { value: detach((value as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
