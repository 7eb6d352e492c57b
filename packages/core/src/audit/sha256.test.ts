import { describe, expect, it } from 'vitest';
import { fromHex, sha256, sha256Pair, sha256Prefixed, toHex, wordsToHex } from './sha256.ts';

const encode = (s: string) => new TextEncoder().encode(s);

describe('sha256', () => {
  it('matches the FIPS 180-4 test vectors', () => {
    expect(toHex(sha256(encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(sha256(encode('')))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(sha256(encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('agrees with WebCrypto for every length from 0 to 300 bytes', async () => {
    for (let length = 0; length <= 300; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length));
      const expected = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
      expect(toHex(sha256(bytes)), `length ${length}`).toBe(toHex(expected));
    }
  });

  it('hashes only the first `length` bytes and writes at the given offset', () => {
    const buffer = encode('abcXYZ');
    const out = new Uint8Array(40).fill(7);
    sha256(buffer, 3, out, 8);
    expect(toHex(out, 8, 32)).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(out[7]).toBe(7);
  });

  it('round-trips hex and refuses upper-case or odd-length hex', () => {
    expect(toHex(fromHex('00ff10'))).toBe('00ff10');
    expect(() => fromHex('FF')).toThrow(TypeError);
    expect(() => fromHex('abc')).toThrow(TypeError);
  });

  it('hashes a prefix byte plus a slice like WebCrypto hashes them concatenated, for every length to 300', async () => {
    const out = new Int32Array(10);
    const buffer = crypto.getRandomValues(new Uint8Array(400));
    for (let length = 0; length <= 300; length++) {
      // The slice at the very start (nothing before it to borrow) and further in.
      for (const start of [0, 1 + (length % 97)]) {
        const slice = buffer.subarray(start, start + length);
        const expected = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array([0xa7, ...slice])));
        sha256Prefixed({ prefix: 0xa7, bytes: buffer, start, length }, out, 1);
        expect(wordsToHex(out, 1), `length ${length} at ${start}`).toBe(toHex(expected));
      }
    }
  });

  it('hashes prefix || left || right from two digests given as words like WebCrypto', async () => {
    for (let round = 0; round < 20; round++) {
      const words = crypto.getRandomValues(new Int32Array(20));
      const bytesOf = (offset: number) => fromHex(wordsToHex(words, offset));
      const expected = new Uint8Array(
        await crypto.subtle.digest('SHA-256', new Uint8Array([1, ...bytesOf(1), ...bytesOf(11)])),
      );
      const out = new Int32Array(8);
      sha256Pair(1, { left: words, leftOffset: 1, right: words, rightOffset: 11 }, out, 0);
      expect(wordsToHex(out)).toBe(toHex(expected));
    }
  });
});
