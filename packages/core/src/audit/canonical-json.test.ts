import { describe, expect, it } from 'vitest';
import { canonicalize } from './canonical-json.ts';
import { generator } from './testing.ts';

/** A plain reference: sort keys, JSON.stringify the leaves. Values it is given are ones canonicalize accepts. */
function reference(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return value === undefined ? undefined : JSON.stringify(value);
  const object = value as Record<string, unknown> & { toJSON?: () => unknown };
  if (typeof object.toJSON === 'function') return reference(object.toJSON());
  if (Array.isArray(object)) return `[${object.map((item) => reference(item) ?? 'null').join(',')}]`;
  const members = Object.keys(object).sort().flatMap((key) => {
    const member = reference(object[key]);
    return member === undefined ? [] : [`${JSON.stringify(key)}:${member}`];
  });
  return `{${members.join(',')}}`;
}

describe('canonicalize (RFC 8785)', () => {
  it('formats numbers as ECMAScript does (RFC 8785 appendix B samples)', () => {
    const samples: [number, string][] = [
      [0, '0'],
      [-0, '0'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [9007199254740992, '9007199254740992'],
      [295147905179352830000, '295147905179352830000'],
      [1e21, '1e+21'],
      [333333333.3333333, '333333333.3333333'],
      [-1.5e-7, '-1.5e-7'],
      [0.000001, '0.000001'],
    ];
    for (const [value, text] of samples) expect(canonicalize(value)).toBe(text);
  });

  it('sorts keys by UTF-16 code units, as in the RFC 8785 §3.2.3 example', () => {
    const value = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    // Read keys from the text: JSON.parse would put the integer-like key "1" first.
    const keys = [...canonicalize(value).matchAll(/"([^"]*)":/g)].map((m) => JSON.parse(`"${m[1]}"`));
    expect(keys).toEqual(['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
  });

  it('writes the RFC 8785 §3.2.2 example exactly', () => {
    const value = {
      numbers: [333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001],
      string: '\u20ac$\u000f\u000aA\'\u0042\u0022\u005c\\"\/',
      literals: [null, true, false],
    };
    expect(canonicalize(value)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('skips undefined members, nulls undefined array items and honours toJSON', () => {
    expect(canonicalize({ b: undefined, a: [undefined, new Date(0)] })).toBe('{"a":[null,"1970-01-01T00:00:00.000Z"]}');
  });

  it('refuses values that have no I-JSON form', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const bad of [NaN, Infinity, 10n, () => 1, Symbol('s'), '\ud800', { ['\udc00']: 1 }, cyclic, undefined]) {
      expect(() => canonicalize(bad), String(typeof bad)).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    }
  });

  it('agrees with a plain sort-and-stringify reference on 10,000 generated values, objects of repeated shapes included', () => {
    const value = generator(7);
    let compared = 0;
    for (let i = 0; i < 10_000; i++) {
      const v = value(0);
      let text: string;
      try {
        text = canonicalize(v);
      } catch {
        continue;
      }
      expect(text, `value #${i}`).toBe(reference(v));
      compared++;
    }
    expect(compared).toBeGreaterThan(7_500);
  });

  it('writes each object of a cached shape with its own values, skipping its undefined members', () => {
    expect(canonicalize({ b: 1, a: 2, c: 3 })).toBe('{"a":2,"b":1,"c":3}');
    expect(canonicalize({ b: 'x', a: undefined, c: [] })).toBe('{"b":"x","c":[]}');
    expect(canonicalize({ b: 1, a: 2 })).toBe('{"a":2,"b":1}');
    expect(canonicalize({ b: 1, c: 2, a: 3 })).toBe('{"a":3,"b":1,"c":2}');
  });
});
