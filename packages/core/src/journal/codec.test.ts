import { describe, expect, it } from 'vitest';
import { canonicalValue, decodeValue, encodeValue, sameValue } from './codec.ts';

describe('journal value encoding', () => {
  it('round-trips bigints, bytes, undefined and nested records', () => {
    const value = { a: 1n << 63n, body: new Uint8Array([0, 1, 255]), none: undefined, list: [{ tag: 'ok', val: -5n }], text: 'é' };
    const back = decodeValue(JSON.parse(JSON.stringify(encodeValue(value))));
    expect(back).toEqual(value);
    expect((back as { body: Uint8Array }).body).toBeInstanceOf(Uint8Array);
  });

  it('wraps guest objects with $-keys so they cannot pass for a tag', () => {
    const forged = { $bigint: '12' };
    const encoded = encodeValue(forged);
    expect(encoded).toEqual({ $object: { $bigint: '12' } });
    expect(decodeValue(encoded)).toEqual(forged);
  });

  it('gives equal values equal canonical text whatever their key order', () => {
    expect(canonicalValue({ b: 1, a: [2n] })).toBe(canonicalValue({ a: [2n], b: 1 }));
    expect(canonicalValue({ a: 1n })).not.toBe(canonicalValue({ a: 1 }));
  });

  it('refuses values that cannot cross the boundary', () => {
    expect(() => encodeValue(() => 1)).toThrow(/function/);
    expect(() => encodeValue(new Map())).toThrow(/Map/);
    expect(() => encodeValue(Number.NaN)).toThrow(/NaN/);
    expect(() => decodeValue({ $bigint: 'x' })).toThrow(/decimal/);
  });
});

describe('base64', () => {
  it('matches btoa for every tail length and for large inputs', async () => {
    const { toBase64, fromBase64 } = await import('./codec.ts');
    for (const length of [0, 1, 2, 3, 4, 5, 31, 32, 33, 4096, 4097, 70_000]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 73 + 11) & 0xff);
      const expected = btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''));
      expect(toBase64(bytes)).toBe(expected);
      expect(fromBase64(expected)).toEqual(bytes);
    }
  });

  it('finds a value equal to an encoded one exactly when their canonical texts are equal', () => {
    const values: unknown[] = [
      0, -0, 1, 1.5, 'a', '', true, false, null, undefined, 1n, -1n, 0n, new Uint8Array([]), new Uint8Array([1]), [], [undefined], [null],
      {}, { a: 1 }, { a: 1, b: 2 }, { b: 2, a: 1 }, { a: undefined }, { $a: 1 }, { $object: { a: 1 } }, { $bigint: '1' }, [1, [2, [3n]]],
      { tag: 'ok', val: { status: 200, body: new Uint8Array([104, 105]) } }, { tag: 'ok', val: { status: 200, body: new Uint8Array([104]) } },
    ];
    for (const value of values) {
      for (const other of values) {
        const expected = canonicalValue(value) === canonicalValue(other);
        expect(sameValue(value, encodeValue(other)), `${canonicalValue(value)} vs ${canonicalValue(other)}`).toBe(expected);
      }
    }
    // Values the journal cannot hold equal nothing.
    expect(sameValue(Number.NaN, encodeValue(0))).toBe(false);
    expect(sameValue(new Date(0), encodeValue({}))).toBe(false);
  });
});
