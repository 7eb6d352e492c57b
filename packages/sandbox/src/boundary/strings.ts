/**
 * Guest strings in and out of linear memory, strictly: what the hardened glue
 * (harden.ts) calls through the `$agentos` hooks to lift a string into a JS
 * string and to lower one into a guest allocation.
 *
 * Lifting is fatal (invalid UTF-8 or a lone surrogate is an error, never
 * U+FFFD) and keeps a leading U+FEFF: it is a character of the guest's string,
 * not a byte order mark to strip. Node 24's fatal UTF-16 `TextDecoder` costs
 * ~1.2 µs per KiB; the common all-ASCII case goes through native copies
 * instead (`liftUtf16`), ~3x faster at 1 KiB and ~4.5x at 64 KiB.
 */

/** Decoders made once and shared: a non-streaming `decode` keeps no state between calls. */
const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const fatalUtf16 = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true });
/** Lenient on purpose: used only on the ASCII fast path, whose result is checked (see `asciiFromUnits`). */
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Below this many code units the fatal decoder is as fast as the ASCII path's setup (measured). */
const ASCII_PATH_MIN = 64;
/** Code units narrowed per step of the ASCII path: bounds the shared scratch buffer. */
const ASCII_CHUNK = 32 * 1024;
/** Narrowed copies of guest code units; shared, as nothing runs between its fill and its decode. */
const scratch = new Uint8ClampedArray(ASCII_CHUNK);

/** Decodes UTF-8 bytes, keeping a leading U+FEFF. @throws TypeError on invalid UTF-8. */
export function liftUtf8(view: ArrayBufferView): string {
  return fatalUtf8.decode(view);
}

/**
 * Decodes UTF-16LE code units (little-endian host, as every V8 host is), keeping a leading
 * U+FEFF; exactly what a fatal `TextDecoder('utf-16le', { ignoreBOM: true })` returns.
 * @throws TypeError on a lone surrogate or an odd byte length.
 */
export function liftUtf16(view: ArrayBufferView): string {
  const { byteOffset, byteLength } = view;
  if (byteLength >= 2 * ASCII_PATH_MIN && byteOffset % 2 === 0 && byteLength % 2 === 0) {
    const units = view instanceof Uint16Array ? view : new Uint16Array(view.buffer, byteOffset, byteLength / 2);
    const ascii = asciiFromUnits(units);
    if (ascii !== undefined) return ascii;
  }
  return fatalUtf16.decode(view);
}

/**
 * The string of `units` when every unit is ASCII, else undefined. Two native passes per
 * chunk: `set` narrows the units into a Uint8ClampedArray (a unit above 0xFF becomes 0xFF,
 * so a non-ASCII unit always leaves a byte >= 0x80), then a lenient UTF-8 decode. That
 * decode yields at most one UTF-16 unit per byte, and exactly one only for an ASCII byte:
 * a byte >= 0x80 either belongs to a valid 2- to 4-byte sequence (1 or 2 units) or is
 * replaced by U+FFFD. So a result of full length without U+FFFD proves every byte, hence
 * every unit, ASCII, and the narrowing lossless.
 */
function asciiFromUnits(units: Uint16Array): string | undefined {
  const length = units.length;
  let out = '';
  for (let start = 0; start < length; start += ASCII_CHUNK) {
    const count = Math.min(ASCII_CHUNK, length - start);
    const bytes = count === ASCII_CHUNK ? scratch : scratch.subarray(0, count);
    bytes.set(count === length ? units : units.subarray(start, start + count));
    const text = lenientUtf8.decode(bytes);
    if (text.length !== count || text.includes('\uFFFD')) return undefined;
    out += text;
  }
  return out;
}

/** Below this many code units jco's own loop is as fast as the native path's setup. */
const NATIVE_ENCODE_MIN = 64;
const asciiEncoder = new TextEncoder();

/**
 * Writes the code units of `str` into `out` as jco's little-endian loop does, but an
 * all-ASCII string (the common case) with two native copies: UTF-8-encode it into the
 * second half of `out`'s own bytes (the guest's fresh allocation, fully overwritten next),
 * then widen those bytes into `out` (`set` copies an overlapping source first). Anything
 * else (a non-ASCII unit, a lone surrogate) falls back to the exact per-unit copy, so
 * the guest always receives the string's code units unchanged.
 * @returns the number of code units written (`str.length`; `out.length` must be that).
 */
export function lowerUtf16(str: string, out: Uint16Array): number {
  const len = str.length;
  if (len >= NATIVE_ENCODE_MIN) {
    const bytes = new Uint8Array(out.buffer, out.byteOffset + len, len);
    const { read, written } = asciiEncoder.encodeInto(str, bytes);
    // One byte per code unit for every unit read: all of them are ASCII.
    if (read === len && written === len) {
      out.set(bytes);
      return len;
    }
  }
  for (let i = 0; i < len; i++) out[i] = str.charCodeAt(i);
  return len;
}
