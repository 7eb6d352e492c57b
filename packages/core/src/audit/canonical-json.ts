/**
 * Canonical JSON as defined by RFC 8785 (JSON Canonicalization Scheme, JCS).
 *
 * The audit log hashes entries, so the same value must always give the same
 * bytes: object keys sorted by UTF-16 code units, no whitespace, strings
 * escaped as ECMAScript `JSON.stringify` does, numbers in ECMAScript
 * `Number.prototype.toString` form (which is exactly what RFC 8785 §3.2.2.3
 * prescribes). Values that are not I-JSON (non-finite numbers, lone
 * surrogates, bigint, functions, symbols) are refused rather than silently
 * changed, because a hash over a silently changed value proves nothing.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { MAX_SHAPE_KEYS, shapeOf, sortKeys } from './key-order.ts';

/** Deeper nesting than this is refused; it also stops cycles without tracking every ancestor. */
export const MAX_DEPTH = 256;

/**
 * Serializes `value` canonically (RFC 8785). `undefined` object members are
 * skipped, like `JSON.stringify` does; `toJSON` methods are honoured (so `Date`
 * becomes its ISO string).
 * @throws {AgentOsError} 'invalid-argument' for NaN/Infinity, bigint, functions,
 *   symbols, lone surrogates, nesting deeper than 256 (or a cycle), or an
 *   `undefined` top-level value.
 */
export function canonicalize(value: unknown): string {
  const out = write(value, 0);
  if (out === undefined) throw invalid('undefined has no JSON form');
  return out;
}

function write(value: unknown, depth: number): string | undefined {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isFinite(value)) throw invalid(`${value} is not a JSON number`);
      // String(-0) is "0", as RFC 8785 requires.
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return undefined;
    case 'function':
    case 'symbol':
      throw invalid(`a ${typeof value} has no JSON form`);
    case 'bigint':
      throw invalid('a bigint has no JSON form (convert it to a string)');
  }
  if (value === null) return 'null';
  if (depth >= MAX_DEPTH) throw invalid(`nesting deeper than ${MAX_DEPTH} levels, or a cycle`);
  const object = value as { toJSON?: () => unknown };
  if (typeof object.toJSON === 'function') return write(object.toJSON(), depth + 1);
  if (Array.isArray(object)) {
    let out = '[';
    for (let i = 0; i < object.length; i++) {
      if (i > 0) out += ',';
      // Array holes and undefined become null, as in JSON.stringify.
      out += write(object[i], depth + 1) ?? 'null';
    }
    return out + ']';
  }
  const keys = Object.keys(object);
  const shape = keys.length <= MAX_SHAPE_KEYS ? shapeOf(keys, quote) : undefined;
  if (shape !== undefined) {
    // Fast path: key order and quoted keys come from the cache; only values are written.
    const { order, prefixes } = shape;
    let out = '';
    for (let i = 0; i < order.length; i++) {
      const member = write((object as Record<string, unknown>)[keys[order[i]]], depth + 1);
      // An undefined member is skipped, which moves the commas: leave that to the general path.
      if (member === undefined) return writeMembers(object as Record<string, unknown>, sortKeys(keys), depth);
      out += prefixes[i] + member;
    }
    return out === '' ? '{}' : out + '}';
  }
  return writeMembers(object as Record<string, unknown>, sortKeys(keys), depth);
}

function writeMembers(object: Record<string, unknown>, keys: string[], depth: number): string {
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const member = write(object[key], depth + 1);
    if (member === undefined) continue;
    out += (out.length === 1 ? '' : ',') + quote(key) + ':' + member;
  }
  return out + '}';
}

/**
 * JSON string literal, as RFC 8785 §3.2.2.2 (= ECMAScript JSON.stringify)
 * writes it. One scan finds both characters that need escaping and
 * surrogates; only strings with either take the slow path.
 */
export function quote(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) {
      if (!text.isWellFormed()) throw invalid('a string holds a lone surrogate (not I-JSON)');
      return JSON.stringify(text);
    }
  }
  return '"' + text + '"';
}

/** The error for a value with no canonical form. */
export function invalid(message: string): AgentOsError {
  return new AgentOsError('invalid-argument', `Cannot canonicalize: ${message}.`);
}
