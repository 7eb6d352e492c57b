/**
 * Redactor: replaces every occurrence of a known secret — raw or in any of
 * the encodings of `secretVariants` — with `[REDACTED:<name>]` in strings,
 * bytes and JSON-like values. Put it in front of everything that stores or
 * prints: the journal, the audit log, log sinks, the workspace store, and
 * responses a server echoes back. Values only ever get added (a rotated
 * secret stays redacted), so a leak found late is still caught.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { MIN_SECRET_LENGTH, secretVariants } from './encodings.ts';

const encoder = new TextEncoder();

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/**
 * Bytes as a string of one char per byte, so a regex index is a byte offset.
 * windows-1252 ("latin1" in the Encoding standard) is a bijection over the 256
 * byte values; where a host lacks it, a slower char-code loop does the same.
 */
const singleByte: (bytes: Uint8Array) => string = (() => {
  try {
    const decoder = new TextDecoder('latin1');
    return (bytes: Uint8Array) => decoder.decode(bytes);
  } catch {
    return (bytes: Uint8Array) => {
      let out = '';
      for (let i = 0; i < bytes.length; i += 4096) out += String.fromCharCode(...bytes.subarray(i, i + 4096));
      return out;
    };
  }
})();

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export class Redactor {
  /** variant → label, for text and for UTF-8 bytes seen as latin1. */
  readonly #text = new Map<string, string>();
  readonly #bytes = new Map<string, string>();
  #textRegex: RegExp | undefined;
  #bytesRegex: RegExp | undefined;
  readonly #names = new Set<string>();

  /** Names of the secrets this redactor knows (never their values). */
  get names(): readonly string[] {
    return [...this.#names];
  }

  /**
   * Starts redacting `value` under `name`.
   * @throws AgentOsError 'invalid-argument' when the value is shorter than
   *   8 characters: it could not be told apart from ordinary text.
   */
  add(name: string, value: string): void {
    if (value.length < MIN_SECRET_LENGTH) {
      throw new AgentOsError('invalid-argument', `Secret ${name} is shorter than ${MIN_SECRET_LENGTH} characters; it cannot be redacted reliably. Use a longer value.`, {
        details: { secret: name },
      });
    }
    const label = `[REDACTED:${name}]`;
    this.#names.add(name);
    for (const variant of secretVariants(value)) {
      if (!this.#text.has(variant)) this.#text.set(variant, label);
      const bytes = singleByte(encoder.encode(variant));
      if (!this.#bytes.has(bytes)) this.#bytes.set(bytes, label);
    }
    this.#textRegex = undefined;
    this.#bytesRegex = undefined;
  }

  /** `text` with every secret spelling replaced. */
  redact(text: string): string {
    const regex = this.#textPattern();
    if (!regex) return text;
    regex.lastIndex = 0;
    if (!regex.test(text)) return text;
    regex.lastIndex = 0;
    return text.replace(regex, (match) => this.#text.get(match) ?? '[REDACTED]');
  }

  /** `bytes` with every secret spelling replaced (the same array when nothing matched). */
  redactBytes(bytes: Uint8Array): Uint8Array {
    const regex = this.#bytesPattern();
    if (!regex || bytes.length === 0) return bytes;
    const text = singleByte(bytes);
    regex.lastIndex = 0;
    const parts: Uint8Array[] = [];
    let last = 0;
    for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
      parts.push(bytes.subarray(last, match.index), encoder.encode(this.#bytes.get(match[0]) ?? '[REDACTED]'));
      last = match.index + match[0].length;
    }
    if (parts.length === 0) return bytes;
    parts.push(bytes.subarray(last));
    return concat(parts);
  }

  /**
   * A deep copy of a JSON-like value with secrets redacted in every string
   * (object keys included) and byte array; errors become `{ name, message, code?, details? }`.
   */
  redactValue<T>(value: T): T {
    return this.#walk(value, 0) as T;
  }

  /** True when `text` or `bytes` holds any spelling of a known secret. */
  finds(data: string | Uint8Array): boolean {
    const regex = typeof data === 'string' ? this.#textPattern() : this.#bytesPattern();
    if (!regex) return false;
    regex.lastIndex = 0;
    return regex.test(typeof data === 'string' ? data : singleByte(data));
  }

  #walk(value: unknown, depth: number): unknown {
    if (depth > 64) return '[REDACTED:too-deep]';
    if (typeof value === 'string') return this.redact(value);
    if (value instanceof Uint8Array) return this.redactBytes(value);
    if (Array.isArray(value)) return value.map((v) => this.#walk(v, depth + 1));
    if (value instanceof Error) {
      const { code, details } = value as { code?: unknown; details?: unknown };
      const out: Record<string, unknown> = { name: value.name, message: this.redact(value.message) };
      if (typeof code === 'string') out.code = code;
      if (details !== undefined) out.details = this.#walk(details, depth + 1);
      return out;
    }
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[this.redact(k)] = this.#walk(v, depth + 1);
      return out;
    }
    return value;
  }

  #textPattern(): RegExp | undefined {
    if (this.#text.size === 0) return undefined;
    this.#textRegex ??= build([...this.#text.keys()]);
    return this.#textRegex;
  }

  #bytesPattern(): RegExp | undefined {
    if (this.#bytes.size === 0) return undefined;
    this.#bytesRegex ??= build([...this.#bytes.keys()]);
    return this.#bytesRegex;
  }
}

/** One alternation, longest spelling first so a longer match wins over its prefix. */
function build(variants: string[]): RegExp {
  const sorted = [...variants].sort((a, b) => b.length - a.length);
  return new RegExp(sorted.map(escapeRegex).join('|'), 'g');
}
