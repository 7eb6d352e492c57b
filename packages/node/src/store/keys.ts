/**
 * How store keys are laid out in SQLite. The `Store` contract orders keys by
 * UTF-16 code unit (JavaScript's `<`), but SQLite compares TEXT as UTF-8
 * bytes, i.e. by code point: the two disagree for characters above U+FFFF
 * against U+E000–U+FFFF. Keys are therefore stored as BLOBs holding their
 * UTF-16BE encoding, whose byte order (memcmp) is exactly code-unit order, so
 * the primary-key index serves prefix ranges and cursors directly.
 */

import type { ListOptions } from '../../../core/src/store/index.ts';

/**
 * The UTF-16BE bytes of `key` (lone surrogates included, unchanged). Node's native UTF-16LE
 * encoder and a byte swap: half the cost of a JavaScript loop, on every journal write.
 */
export function encodeKey(key: string): Uint8Array {
  const bytes = Buffer.from(key, 'utf16le').swap16();
  // A plain Uint8Array view (Buffer is a subclass): keys compare and bind like every other value.
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** The key whose UTF-16BE bytes these are. */
export function decodeKey(bytes: Uint8Array): string {
  let key = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) key += String.fromCharCode((bytes[i] << 8) | bytes[i + 1]);
  return key;
}

/**
 * A byte string greater than every encoded key: keys hold at most 1024 code
 * units (2048 bytes), so 2050 bytes of 0xFF sort after all of them.
 */
export const AFTER_ALL_KEYS = new Uint8Array(2050).fill(0xff);

/**
 * The smallest byte string greater than every string starting with `prefix`
 * (exclusive upper bound of a prefix range), or AFTER_ALL_KEYS when none exists.
 */
export function prefixEnd(prefix: Uint8Array): Uint8Array {
  let end = prefix.length;
  while (end > 0 && prefix[end - 1] === 0xff) end--;
  if (end === 0) return AFTER_ALL_KEYS;
  const bound = prefix.slice(0, end);
  bound[end - 1]++;
  return bound;
}

/**
 * The smallest byte string greater than `key`: the key followed by one zero
 * byte. Every other key greater than `key` is also greater than this, so
 * `>= after(cursor)` resumes exactly after the cursor.
 */
export function after(key: Uint8Array): Uint8Array {
  const next = new Uint8Array(key.length + 1);
  next.set(key);
  return next;
}

/** The key range [from, end) a listing covers: the prefix's keys, after the cursor. */
export function range(options: ListOptions): { from: Uint8Array; end: Uint8Array } {
  const prefix = encodeKey(options.prefix ?? '');
  let from = prefix;
  if (options.cursor !== undefined) {
    const resume = after(encodeKey(options.cursor));
    if (compareBytes(resume, from) > 0) from = resume;
  }
  return { from, end: prefixEnd(prefix) };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
