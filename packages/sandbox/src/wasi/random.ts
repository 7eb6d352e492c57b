/**
 * wasi:random — secure, insecure and seed interfaces, read only through a `RandomCapability`.
 *
 * The default draws from WebCrypto. For replay, `createSeededRandom(seed)` is a deterministic
 * generator (SplitMix64), so a journal only needs the seed. Requested lengths are guest
 * controlled host allocations and are capped.
 */

import { checkLimit } from './guest-error.ts';

export interface RandomCapability {
  /** Exactly `length` random bytes. */
  getRandomBytes(length: number): Uint8Array;
}

/** WebCrypto's generator, in the 64 KiB chunks `getRandomValues` accepts. */
export function createCryptoRandom(): RandomCapability {
  return {
    getRandomBytes(length) {
      const bytes = new Uint8Array(length);
      for (let at = 0; at < length; at += 65536) crypto.getRandomValues(bytes.subarray(at, at + 65536));
      return bytes;
    },
  };
}

const MASK64 = (1n << 64n) - 1n;

/** A deterministic generator (SplitMix64): the same seed gives the same bytes, on every host. */
export function createSeededRandom(seed: bigint | number): RandomCapability {
  let state = BigInt(seed) & MASK64;
  const next = (): bigint => {
    state = (state + 0x9e3779b97f4a7c15n) & MASK64;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    return z ^ (z >> 31n);
  };
  return {
    getRandomBytes(length) {
      const bytes = new Uint8Array(length);
      const view = new DataView(bytes.buffer);
      let at = 0;
      for (; at + 8 <= length; at += 8) view.setBigUint64(at, next(), true);
      if (at < length) {
        let tail = next();
        for (; at < length; at++, tail >>= 8n) bytes[at] = Number(tail & 0xffn);
      }
      return bytes;
    },
  };
}

/** The three wasi:random interface objects over one capability. */
export function createRandomInterfaces(options: { random: RandomCapability; maxBytes: number }) {
  const { random, maxBytes } = options;
  const bytes = (len: bigint): Uint8Array =>
    random.getRandomBytes(checkLimit({ what: 'random bytes', requested: len, limit: maxBytes }));
  const u64 = (): bigint => {
    const b = random.getRandomBytes(8);
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  };
  // The WIT asks for the same seed on every call within an instance.
  let seed: [bigint, bigint] | undefined;
  return {
    random: { getRandomBytes: bytes, getRandomU64: u64 },
    insecure: { getInsecureRandomBytes: bytes, getInsecureRandomU64: u64 },
    insecureSeed: {
      insecureSeed: (): [bigint, bigint] => (seed ??= [u64(), u64()]),
    },
  };
}
