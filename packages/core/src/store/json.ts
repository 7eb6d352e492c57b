/**
 * JSON on top of byte values: UTF-8 encoded JSON text, decoded strictly (bad
 * UTF-8 or bad JSON is an error, never a silently mangled value).
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** @throws AgentOsError 'invalid-argument' when `value` has no JSON form (undefined, a function, a cycle, a BigInt). */
export function encodeJson(value: unknown): Uint8Array {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new AgentOsError('invalid-argument', `The value cannot be stored as JSON: ${(cause as Error).message}`, { cause });
  }
  if (text === undefined) throw new AgentOsError('invalid-argument', 'The value cannot be stored as JSON (undefined, a function or a symbol).');
  return encoder.encode(text);
}

/** @throws AgentOsError 'invalid-argument' when the bytes are not UTF-8 JSON. */
export function decodeJson<T = unknown>(bytes: Uint8Array, key = '(value)'): T {
  try {
    return JSON.parse(decoder.decode(bytes)) as T;
  } catch (cause) {
    throw new AgentOsError('invalid-argument', `The value under "${key}" is not UTF-8 JSON.`, { cause, details: { key } });
  }
}

/** Minimal surface the JSON helpers need: a `Store`, a `Workspace` or a blackboard view. */
export interface BytesGetPut {
  get(key: string): Promise<Uint8Array | { value: Uint8Array } | undefined>;
  put(key: string, value: Uint8Array): Promise<unknown>;
}

/** Reads and parses a JSON value; undefined when absent. @throws AgentOsError 'invalid-argument' on bad JSON. */
export async function getJson<T = unknown>(target: BytesGetPut, key: string): Promise<T | undefined> {
  const found = await target.get(key);
  if (found === undefined) return undefined;
  return decodeJson<T>(found instanceof Uint8Array ? found : found.value, key);
}

/** Stores `value` as JSON. @throws AgentOsError 'invalid-argument' when it has no JSON form. */
export async function putJson(target: BytesGetPut, key: string, value: unknown): Promise<void> {
  await target.put(key, encodeJson(value));
}
