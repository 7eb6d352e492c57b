/**
 * Synchronous SHA-256 (FIPS 180-4) in plain TypeScript.
 *
 * Why not `crypto.subtle.digest`: it is async, so every call costs a promise
 * round trip (several microseconds) no matter how small the input. The audit
 * log hashes two tiny inputs per entry (the canonical entry, then 65 bytes for
 * the chain), where a tight synchronous loop is several times faster — see
 * `bench/core/audit.bench.ts`, which measures both. Tests check this against
 * WebCrypto on random inputs.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const INITIAL = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

// Scratch space shared by all calls: hashing is synchronous, so no call can interleave.
const W = new Int32Array(64);
const H = new Int32Array(8);
const TAIL = new Uint8Array(128);

function compress(bytes: Uint8Array, offset: number): void {
  const w = W;
  const k = K;
  for (let i = 0; i < 16; i++) {
    const j = offset + (i << 2);
    w[i] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
  }
  for (let i = 16; i < 64; i++) {
    const w15 = w[i - 15];
    const w2 = w[i - 2];
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
  }
  const h0 = H[0], h1 = H[1], h2 = H[2], h3 = H[3], h4 = H[4], h5 = H[5], h6 = H[6], h7 = H[7];
  let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7;
  for (let i = 0; i < 64; i++) {
    const t1 = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
      ((e & f) ^ (~e & g)) + k[i] + w[i]) | 0;
    const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
      ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0;
    d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  H[0] = (h0 + a) | 0; H[1] = (h1 + b) | 0; H[2] = (h2 + c) | 0; H[3] = (h3 + d) | 0;
  H[4] = (h4 + e) | 0; H[5] = (h5 + f) | 0; H[6] = (h6 + g) | 0; H[7] = (h7 + h) | 0;
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
  H.set(INITIAL);
  const full = length - (length % 64);
  for (let offset = 0; offset < full; offset += 64) compress(bytes, offset);
  const rest = length - full;
  TAIL.fill(0);
  for (let i = 0; i < rest; i++) TAIL[i] = bytes[full + i];
  TAIL[rest] = 0x80;
  const tailLength = rest < 56 ? 64 : 128;
  // Message length in bits, big-endian, in the last 8 bytes (inputs < 2^53 bits).
  const bitsHigh = Math.floor(length / 0x20000000);
  const bitsLow = (length * 8) >>> 0;
  TAIL[tailLength - 8] = bitsHigh >>> 24;
  TAIL[tailLength - 7] = bitsHigh >>> 16;
  TAIL[tailLength - 6] = bitsHigh >>> 8;
  TAIL[tailLength - 5] = bitsHigh;
  TAIL[tailLength - 4] = bitsLow >>> 24;
  TAIL[tailLength - 3] = bitsLow >>> 16;
  TAIL[tailLength - 2] = bitsLow >>> 8;
  TAIL[tailLength - 1] = bitsLow;
  compress(TAIL, 0);
  if (tailLength === 128) compress(TAIL, 64);
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

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hex of `bytes[offset .. offset + length)`. */
export function toHex(bytes: Uint8Array, offset = 0, length = bytes.length - offset): string {
  let s = '';
  for (let i = offset; i < offset + length; i++) s += HEX[bytes[i]];
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
