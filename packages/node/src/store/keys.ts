/**
 * How store keys are laid out in SQLite. The `Store` contract orders keys by
 * UTF-16 code unit (JavaScript's `<`), but SQLite compares TEXT as UTF-8
 * bytes, i.e. by code point: the two disagree for characters above U+FFFF
 * against U+E000–U+FFFF. Keys are therefore stored as BLOBs holding their
 * UTF-16BE encoding, whose byte order (memcmp) is exactly code-unit order, so
 * the primary-key index serves prefix ranges and cursors directly.
 */

/** The UTF-16BE bytes of `key`. */
export function encodeKey(key: string): Uint8Array {
  const bytes = new Uint8Array(key.length * 2);
  for (let i = 0; i < key.length; i++) {
    const unit = key.charCodeAt(i);
    bytes[2 * i] = unit >>> 8;
    bytes[2 * i + 1] = unit & 0xff;
  }
  return bytes;
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
