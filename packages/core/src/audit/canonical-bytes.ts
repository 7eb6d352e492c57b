/**
 * Canonical JSON (RFC 8785) written straight into a byte buffer as UTF-8:
 * the audit log's append path, where building the text as a string, encoding
 * it and keeping it cost more than hashing it. The output is byte for byte
 * `TextEncoder.encode(canonicalize(value))` (canonical-bytes.test.ts checks
 * this on many values); values are refused in the same cases.
 *
 * Writers take the buffer and a position and return the position after what
 * they wrote. Writes past the end of the buffer are dropped but still counted
 * (typed arrays ignore out-of-bounds stores), so a returned position beyond
 * `out.length` means "did not fit: retry with at least this much room".
 */
import { invalid, MAX_DEPTH, quote } from './canonical-json.ts';
import { MAX_SHAPE_KEYS, shapeOf, sortKeys } from './key-order.ts';

/** Returned by {@link writeValue} for `undefined`, which has no JSON form but is not an error in a member or item. */
export const NO_VALUE = -1;

const NULL = new Uint8Array([0x6e, 0x75, 0x6c, 0x6c]);
const TRUE = new Uint8Array([0x74, 0x72, 0x75, 0x65]);
const FALSE = new Uint8Array([0x66, 0x61, 0x6c, 0x73, 0x65]);

/**
 * Writes `value` canonically (RFC 8785) as UTF-8 at `p` and returns the end
 * (see the module comment for a buffer that is too small).
 * @throws {AgentOsError} 'invalid-argument' exactly when `canonicalize` throws,
 *   including for `undefined`.
 */
export function writeCanonical(value: unknown, out: Uint8Array, p: number): number {
  const end = writeValue(value, out, p, 0);
  if (end === NO_VALUE) throw invalid('undefined has no JSON form');
  return end;
}

/**
 * Writes `value` canonically at `p`; returns the end, or NO_VALUE for
 * `undefined` (nothing written: the caller skips the member or writes null).
 * @throws {AgentOsError} 'invalid-argument' as `canonicalize` does.
 */
export function writeValue(value: unknown, out: Uint8Array, p: number, depth: number): number {
  switch (typeof value) {
    case 'string':
      return writeString(value, out, p);
    case 'number':
      if (!Number.isFinite(value)) throw invalid(`${value} is not a JSON number`);
      return writeNumber(value, out, p);
    case 'boolean':
      return writeBytes(value ? TRUE : FALSE, out, p);
    case 'undefined':
      return NO_VALUE;
    case 'function':
    case 'symbol':
      throw invalid(`a ${typeof value} has no JSON form`);
    case 'bigint':
      throw invalid('a bigint has no JSON form (convert it to a string)');
  }
  if (value === null) return writeBytes(NULL, out, p);
  if (depth >= MAX_DEPTH) throw invalid(`nesting deeper than ${MAX_DEPTH} levels, or a cycle`);
  const object = value as { toJSON?: () => unknown };
  if (typeof object.toJSON === 'function') return writeValue(object.toJSON(), out, p, depth + 1);
  if (Array.isArray(object)) {
    out[p++] = 0x5b; // [
    for (let i = 0; i < object.length; i++) {
      if (i > 0) out[p++] = 0x2c; // ,
      // Array holes and undefined become null, as in JSON.stringify.
      const end = writeValue(object[i], out, p, depth + 1);
      p = end === NO_VALUE ? writeBytes(NULL, out, p) : end;
    }
    out[p++] = 0x5d; // ]
    return p;
  }
  const keys = Object.keys(object);
  if (keys.length === 0) {
    out[p] = 0x7b;
    out[p + 1] = 0x7d;
    return p + 2;
  }
  if (keys.length <= MAX_SHAPE_KEYS) {
    const { order, prefixBytes } = shapeOf(keys, quote);
    const start = p;
    for (let i = 0; i < order.length; i++) {
      p = writeBytes(prefixBytes[i], out, p);
      const end = writeValue((object as Record<string, unknown>)[keys[order[i]]], out, p, depth + 1);
      // An undefined member is skipped, which moves the commas: leave that to the general path.
      if (end === NO_VALUE) return writeMembers(object as Record<string, unknown>, sortKeys(keys), out, start, depth);
      p = end;
    }
    out[p++] = 0x7d; // }
    return p;
  }
  return writeMembers(object as Record<string, unknown>, sortKeys(keys), out, p, depth);
}

function writeMembers(object: Record<string, unknown>, keys: string[], out: Uint8Array, p: number, depth: number): number {
  out[p++] = 0x7b; // {
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const before = p;
    if (!first) out[p++] = 0x2c;
    p = writeString(keys[i], out, p);
    out[p++] = 0x3a; // :
    const end = writeValue(object[keys[i]], out, p, depth + 1);
    if (end === NO_VALUE) {
      p = before; // an undefined member is left out, key and all
      continue;
    }
    p = end;
    first = false;
  }
  out[p++] = 0x7d; // }
  return p;
}

/**
 * A JSON string literal as `quote` (= JSON.stringify) writes it, as UTF-8.
 * One pass encodes as it scans; a string that needs escapes or holds
 * surrogates is redone from its start by the general path.
 * @throws {AgentOsError} 'invalid-argument' for a lone surrogate.
 */
export function writeString(text: string, out: Uint8Array, p: number): number {
  const start = p;
  out[p++] = 0x22;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c < 0x20 || c === 0x22 || c === 0x5c) return writeText(quote(text), out, start);
      out[p++] = c;
    } else if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      out[p++] = 0xe0 | (c >> 12);
      out[p++] = 0x80 | ((c >> 6) & 0x3f);
      out[p++] = 0x80 | (c & 0x3f);
    } else {
      return writeText(quote(text), out, start);
    }
  }
  out[p++] = 0x22;
  return p;
}

/** UTF-8 of well-formed text (surrogate pairs become 4-byte sequences). */
function writeText(text: string, out: Uint8Array, p: number): number {
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[p++] = c;
    } else if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      out[p++] = 0xe0 | (c >> 12);
      out[p++] = 0x80 | ((c >> 6) & 0x3f);
      out[p++] = 0x80 | (c & 0x3f);
    } else {
      // `quote` refused lone surrogates, so this is the high half of a pair.
      c = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
      out[p++] = 0xf0 | (c >> 18);
      out[p++] = 0x80 | ((c >> 12) & 0x3f);
      out[p++] = 0x80 | ((c >> 6) & 0x3f);
      out[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p;
}

/**
 * A finite number as ECMAScript's Number::toString writes it (RFC 8785
 * §3.2.2.3). Safe integers — timestamps, counters, ids, the usual case — are
 * written digit by digit: `String(n)` allocates a string per call (and for
 * integers beyond 2^31 runs the general double-to-text algorithm), which
 * cost more than the rest of an entry's envelope.
 */
export function writeNumber(value: number, out: Uint8Array, p: number): number {
  if (!Number.isSafeInteger(value)) return writeAscii(String(value), out, p);
  // -0 is written "0", as String(-0) is.
  if (value < 0) {
    out[p++] = 0x2d; // -
    value = -value;
  }
  if (value >= 1e8) {
    // Split so that each half fits int32 arithmetic: the high part first, then exactly 8 digits.
    const high = Math.floor(value / 1e8);
    p = writeNumber(high, out, p);
    return writeDigits(value - high * 1e8, 8, out, p);
  }
  let digits = 1;
  for (let limit = 10; digits < 8 && value >= limit; limit *= 10) digits++;
  return writeDigits(value, digits, out, p);
}

/** `count` decimal digits of `value` (< 1e8), zero-padded on the left. */
function writeDigits(value: number, count: number, out: Uint8Array, p: number): number {
  let v = value | 0;
  for (let i = count - 1; i >= 0; i--) {
    const next = (v / 10) | 0;
    out[p + i] = 0x30 + (v - next * 10);
    v = next;
  }
  return p + count;
}

/** Text known to be ASCII (number text, fixed punctuation). */
export function writeAscii(text: string, out: Uint8Array, p: number): number {
  for (let i = 0; i < text.length; i++) out[p++] = text.charCodeAt(i);
  return p;
}

/** Fixed bytes. */
export function writeBytes(bytes: Uint8Array, out: Uint8Array, p: number): number {
  for (let i = 0; i < bytes.length; i++) out[p++] = bytes[i];
  return p;
}
