/**
 * The journal's value encoding: what crosses the guest boundary (jco's
 * lifting of WIT values — bigints for 64-bit integers, Uint8Array for
 * `list<u8>`, `undefined` for an absent `option`) as plain JSON, so entries
 * can be stored anywhere, canonicalized for comparison and moved between hosts.
 *
 * Tagged forms: `{"$bigint":"<decimal>"}`, `{"$bytes":"<base64>"}`,
 * `{"$undefined":1}`. A guest object that itself has a key starting with `$`
 * is wrapped as `{"$object":{…}}`, so no guest value can pass for a tag.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { canonicalize } from '../audit/index.ts';

/** A value in the journal encoding (JSON data). */
export type Encoded = null | boolean | number | string | Encoded[] | { [key: string]: Encoded };

const MAX_DEPTH = 128;

/**
 * Encodes a boundary value as JSON data.
 * @throws AgentOsError 'invalid-argument' for functions, symbols, non-finite numbers, other
 *   typed arrays, class instances other than Uint8Array/Array, or nesting deeper than 128.
 */
export function encodeValue(value: unknown, depth = 0): Encoded {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw invalid(`the number ${value} has no JSON form`);
      return value;
    case 'bigint':
      return { $bigint: value.toString() };
    case 'undefined':
      return { $undefined: 1 };
    case 'function':
    case 'symbol':
      throw invalid(`a ${typeof value} cannot cross the guest boundary`);
  }
  if (value === null) return null;
  if (depth >= MAX_DEPTH) throw invalid(`nesting deeper than ${MAX_DEPTH} levels, or a cycle`);
  if (value instanceof Uint8Array) return { $bytes: toBase64(value) };
  if (Array.isArray(value)) return value.map((item) => encodeValue(item, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw invalid(`a ${proto?.constructor?.name ?? 'foreign'} object is not a boundary value`);
  const out: Record<string, Encoded> = {};
  let tagged = false;
  // for…in over a plain object (its prototype is Object.prototype or null, checked above) sees the
  // same keys as Object.entries without building an array of pairs per object.
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (key.charCodeAt(0) === 36 /* $ */) tagged = true;
    out[key] = encodeValue((value as Record<string, unknown>)[key], depth + 1);
  }
  return tagged ? { $object: out } : out;
}

/**
 * Decodes `encodeValue`'s output back into the boundary value.
 * @throws AgentOsError 'invalid-argument' for a malformed tag (a damaged or forged entry).
 */
export function decodeValue(encoded: Encoded): unknown {
  if (encoded === null || typeof encoded !== 'object') return encoded;
  if (Array.isArray(encoded)) return encoded.map(decodeValue);
  if ('$bigint' in encoded) {
    const text = encoded.$bigint;
    if (typeof text !== 'string' || !/^-?\d+$/.test(text)) throw invalid('a $bigint tag without a decimal string');
    return BigInt(text);
  }
  if ('$bytes' in encoded) {
    if (typeof encoded.$bytes !== 'string') throw invalid('a $bytes tag without base64 text');
    return fromBase64(encoded.$bytes);
  }
  if ('$undefined' in encoded) return undefined;
  const members = '$object' in encoded ? encoded.$object : encoded;
  if (members === null || typeof members !== 'object' || Array.isArray(members)) throw invalid('an $object tag without an object');
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(members)) out[key] = decodeValue(member);
  return out;
}

/**
 * Whether `encodeValue(value)` would have the same canonical text as `encoded`
 * (replay's argument check), found by walking both: no encoding, no strings
 * built. A value `encodeValue` refuses equals nothing.
 */
export function sameValue(value: unknown, encoded: Encoded, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value === encoded;
    case 'number':
      // Non-finite numbers have no journal form; 0 and -0 have the same canonical text, as === says.
      return Number.isFinite(value) && value === encoded;
    case 'bigint':
      return isTag(encoded, '$bigint') && encoded.$bigint === value.toString();
    case 'undefined':
      return isTag(encoded, '$undefined') && encoded.$undefined === 1;
    case 'function':
    case 'symbol':
      return false;
  }
  if (value === null) return encoded === null;
  if (depth >= MAX_DEPTH || typeof encoded !== 'object' || encoded === null) return false;
  if (value instanceof Uint8Array) return isTag(encoded, '$bytes') && encoded.$bytes === toBase64(value);
  if (Array.isArray(value)) {
    if (!Array.isArray(encoded) || encoded.length !== value.length) return false;
    for (let i = 0; i < value.length; i++) if (!sameValue(value[i], encoded[i], depth + 1)) return false;
    return true;
  }
  if (Array.isArray(encoded)) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  const keys = Object.keys(value as object);
  // A guest object with a `$`-key is journaled wrapped (see encodeValue).
  const members = keys.some((key) => key.startsWith('$')) ? (isTag(encoded, '$object') ? encoded.$object : undefined) : encoded;
  if (members === undefined || members === null || typeof members !== 'object' || Array.isArray(members)) return false;
  if (Object.keys(members).length !== keys.length) return false;
  for (const key of keys) {
    if (!Object.hasOwn(members, key) || !sameValue((value as Record<string, unknown>)[key], members[key], depth + 1)) return false;
  }
  return true;
}

/** `encoded` is exactly `{ [tag]: … }`. */
function isTag<T extends string>(encoded: Encoded, tag: T): encoded is { [K in T]: Encoded } {
  if (typeof encoded !== 'object' || encoded === null || Array.isArray(encoded) || !Object.hasOwn(encoded, tag)) return false;
  for (const key in encoded) if (key !== tag) return false;
  return true;
}

/** Canonical text (RFC 8785) of a boundary value: equal values, equal text. @throws like `encodeValue`. */
export function canonicalValue(value: unknown): string {
  return canonicalize(encodeValue(value));
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Base64 of every 12-bit value: two characters per lookup. */
const PAIRS = Array.from({ length: 4096 }, (_, i) => ALPHABET[i >> 6] + ALPHABET[i & 63]);

/**
 * Standard base64 (with padding). Small inputs (most journaled bodies) go
 * through a lookup table, which beats `btoa` over a binary string several
 * times; large ones use `btoa` in chunks so the argument list cannot overflow.
 */
export function toBase64(bytes: Uint8Array): string {
  if (bytes.length > 4096) {
    const CHUNK = 0x8000;
    let binary = '';
    for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
    return btoa(binary);
  }
  let out = '';
  const whole = bytes.length - (bytes.length % 3);
  for (let i = 0; i < whole; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += PAIRS[n >> 12] + PAIRS[n & 4095];
  }
  const rest = bytes.length - whole;
  if (rest === 1) {
    const n = bytes[whole] << 16;
    out += PAIRS[n >> 12] + '==';
  } else if (rest === 2) {
    const n = (bytes[whole] << 16) | (bytes[whole + 1] << 8);
    out += PAIRS[n >> 12] + ALPHABET[(n >> 6) & 63] + '=';
  }
  return out;
}

/** @throws AgentOsError 'invalid-argument' when `text` is not base64. */
export function fromBase64(text: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch (cause) {
    throw new AgentOsError('invalid-argument', 'A journal value holds bytes that are not base64.', { cause });
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function invalid(message: string): AgentOsError {
  return new AgentOsError('invalid-argument', `Cannot journal the value: ${message}.`);
}
