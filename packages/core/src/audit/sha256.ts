/**
 * Synchronous SHA-256 (FIPS 180-4) in plain TypeScript.
 *
 * Why not `crypto.subtle.digest`: it is async, so every call costs a promise
 * round trip (several microseconds) no matter how small the input. The audit
 * log hashes two tiny inputs per entry (the canonical entry, then 65 bytes for
 * the chain), where a tight synchronous loop is several times faster — see
 * `bench/core/audit.bench.ts`, which measures both. Tests check this against
 * WebCrypto on random inputs.
 *
 * Speed notes (the audit log's append rate is mostly hashing): the block
 * function is in sha256-blocks.ts; nothing is allocated per call. Digests can
 * stay as eight 32-bit words, so a hash chain feeds one digest into the next
 * (`sha256Pair`) without going through bytes, and a domain-separation byte is
 * hashed in front of an input without copying it (`sha256Prefixed`).
 */
import { compress, compressScheduled, H, INITIAL, lastBlockSchedules, W } from './sha256-blocks.ts';

const TAIL = new Uint8Array(128);

/** Loads message words `from`..15 of a block whose byte 0 is `bytes[offset]`. */
function loadBlock(bytes: Uint8Array, offset: number, from: number): void {
  const w = W;
  for (let i = from; i < 16; i++) {
    const j = offset + (i << 2);
    w[i] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
  }
}

/** No prefix byte: the message is the bytes alone. */
const NO_PREFIX = -1;

/**
 * Leaves SHA-256(prefix || bytes[start .. start + length)) in H, or of the
 * bytes alone for NO_PREFIX. The prefix is placed in the first message word
 * directly, so the input is never copied to put a byte in front of it.
 */
function hashInto(bytes: Uint8Array, start: number, length: number, prefix: number): void {
  // The initial hash value (INITIAL), word by word: cheaper than a `set` call for eight words.
  const h = H;
  h[0] = 0x6a09e667; h[1] = 0xbb67ae85 | 0; h[2] = 0x3c6ef372; h[3] = 0xa54ff53a | 0;
  h[4] = 0x510e527f; h[5] = 0x9b05688c | 0; h[6] = 0x1f83d9ab; h[7] = 0x5be0cd19;
  const shift = prefix === NO_PREFIX ? 0 : 1;
  const total = length + shift;
  // Message byte m is bytes[base + m] (m >= shift); with a prefix, byte 0 is the prefix.
  const base = start - shift;
  const full = total - (total % 64);
  for (let m = 0; m < full; m += 64) {
    if (m === 0 && shift === 1) {
      W[0] = (prefix << 24) | (bytes[start] << 16) | (bytes[start + 1] << 8) | bytes[start + 2];
      loadBlock(bytes, base, 1);
    } else {
      loadBlock(bytes, base + m, 0);
    }
    compress();
  }
  // The tail: the last total - full bytes, 0x80, zeros, and the length in bits in the last 8 bytes.
  const rest = total - full;
  const tail = TAIL;
  let from = 0;
  if (full === 0 && shift === 1) {
    tail[0] = prefix;
    from = 1;
  }
  for (let i = from, j = base + full + from; i < rest; i++, j++) tail[i] = bytes[j];
  tail[rest] = 0x80;
  const tailLength = rest < 56 ? 64 : 128;
  for (let i = rest + 1; i < tailLength - 8; i++) tail[i] = 0;
  // Inputs are < 2^53 bits.
  const bitsHigh = Math.floor(total / 0x20000000);
  const bitsLow = (total * 8) | 0;
  loadBlock(tail, 0, 0);
  if (tailLength === 64) {
    W[14] = bitsHigh;
    W[15] = bitsLow;
    compress();
  } else {
    compress();
    loadBlock(tail, 64, 0);
    W[14] = bitsHigh;
    W[15] = bitsLow;
    compress();
  }
}

/**
 * SHA-256 of `bytes[0 .. length)`. Writes the 32-byte digest into `out` at
 * `outOffset` (a new array when `out` is omitted) and returns `out`.
 * `length` lets callers hash the front of a reused buffer without slicing it.
 */
export function sha256(
  bytes: Uint8Array,
  length: number = bytes.length,
  out: Uint8Array = new Uint8Array(32),
  outOffset = 0,
): Uint8Array {
  hashInto(bytes, 0, length, NO_PREFIX);
  for (let i = 0; i < 8; i++) {
    const v = H[i];
    const j = outOffset + i * 4;
    out[j] = v >>> 24;
    out[j + 1] = v >>> 16;
    out[j + 2] = v >>> 8;
    out[j + 3] = v;
  }
  return out;
}

/** A slice of bytes hashed behind a one-byte prefix by {@link sha256Prefixed}. */
export interface PrefixedInput {
  /** The domain-separation byte hashed first (0..255). */
  prefix: number;
  bytes: Uint8Array;
  start: number;
  length: number;
}

/**
 * SHA-256(prefix || bytes[start .. start + length)), as eight big-endian
 * 32-bit words written to `out[outOffset .. outOffset + 8)` — the form
 * {@link sha256Pair} and {@link wordsToHex} take. Domain-separated hashing
 * (RFC 6962 leaves) without concatenating the prefix and the input.
 */
export function sha256Prefixed(input: PrefixedInput, out: Int32Array, outOffset: number): void {
  hashInto(input.bytes, input.start, input.length, input.prefix & 0xff);
  for (let i = 0; i < 8; i++) out[outOffset + i] = H[i];
}

/** The pair hashed by {@link sha256Pair}: two digests given as words, each at an offset in its array. */
export interface DigestPair {
  left: Int32Array;
  leftOffset: number;
  right: Int32Array;
  rightOffset: number;
}

/**
 * SHA-256(prefix || left || right) for one prefix byte and two 32-byte digests
 * given as words (a hash-chain or Merkle node), written as words to
 * `out[outOffset .. outOffset + 8)`. The 65-byte message is assembled word by
 * word (shifted by the prefix byte), never as bytes.
 */
export function sha256Pair(prefix: number, pair: DigestPair, out: Int32Array, outOffset: number): void {
  const { left, leftOffset: l, right, rightOffset: r } = pair;
  const w = W;
  H.set(INITIAL);
  w[0] = (prefix << 24) | (left[l] >>> 8);
  for (let i = 1; i < 8; i++) w[i] = (left[l + i - 1] << 24) | (left[l + i] >>> 8);
  w[8] = (left[l + 7] << 24) | (right[r] >>> 8);
  for (let i = 9; i < 16; i++) w[i] = (right[r + i - 9] << 24) | (right[r + i - 8] >>> 8);
  compress();
  // Last block: the final byte of `right`, the 0x80 terminator, zeros, and the length (65 bytes = 520 bits).
  // It depends on that one byte only, so its 256 possible schedules are computed once.
  compressScheduled(lastBlockSchedules(), (right[r + 7] & 0xff) * 64);
  for (let i = 0; i < 8; i++) out[outOffset + i] = H[i];
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex of `bytes[offset .. offset + length)`. */
export function toHex(bytes: Uint8Array, offset = 0, length = bytes.length - offset): string {
  let s = '';
  for (let i = offset; i < offset + length; i++) s += HEX[bytes[i]];
  return s;
}

/** Lower-case hex of the big-endian words `words[offset .. offset + count)` (default: one digest). */
export function wordsToHex(words: Int32Array, offset = 0, count = 8): string {
  let s = '';
  for (let i = offset; i < offset + count; i++) {
    const v = words[i];
    s += HEX[v >>> 24] + HEX[(v >>> 16) & 0xff] + HEX[(v >>> 8) & 0xff] + HEX[v & 0xff];
  }
  return s;
}

/**
 * Parses lower-case hex (the only form the audit log writes).
 * @throws {TypeError} when `hex` has odd length or a character outside [0-9a-f].
 */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) throw new TypeError('expected lower-case hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
