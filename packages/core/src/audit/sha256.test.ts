import { describe, expect, it } from 'vitest';
import { fromHex, sha256, toHex } from './sha256.ts';

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
});
