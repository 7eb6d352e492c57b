import { describe, expect, it } from 'vitest';
import { liftUtf16, liftUtf8, lowerUtf16 } from './strings.ts';

/** A string's UTF-16 code units in guest memory at an even, non-zero offset, as the glue sees them. */
function guestUnits(units: number[]): Uint16Array {
  const memory = new Uint16Array(units.length + 4).fill(0x41);
  memory.set(units, 2);
  return new Uint16Array(memory.buffer, 4, units.length);
}
const unitsOf = (str: string): number[] => Array.from({ length: str.length }, (_, i) => str.charCodeAt(i));
const long = (fill: string, n = 300) => fill.repeat(n);
const throwsOn = (units: number[]) => () => liftUtf16(guestUnits(units));

describe('liftUtf16 (a guest string lifted from UTF-16)', () => {
  it.each([
    ['short ASCII', 'agentos'],
    ['1 KiB of ASCII (the native path)', long('agentos ', 128)],
    ['ASCII longer than one scratch chunk', long('0123456789abcdef', 5000)],
    ['ASCII with NUL and DEL', `\u0000${long('x')}\u007f`],
    ['a non-ASCII mix (Latin-1, CJK, C1 controls)', `${long('a')}é€中\u0085\u00ff\u0100${long('b')}`],
    ['a valid surrogate pair at the start', `😀${long('c')}`],
    ['a valid surrogate pair in the middle', `${long('d')}😀${long('e')}`],
    ['a valid surrogate pair at the end', `${long('f')}😀`],
    ['text made only of pairs', long('😀𝄞')],
    ['a leading U+FEFF (kept, not a byte order mark)', `\ufeff${long('g')}`],
    ['a short leading U+FEFF', '\ufeffg'],
    ['units whose low byte is ASCII', `${long('h')}\u0141\u4e41`],
    ['a long string with U+FFFD in it', `${long('i')}\ufffd${long('j')}`],
  ])('returns exactly the code units of %s', (_, str) => {
    expect(liftUtf16(guestUnits(unitsOf(str)))).toBe(str);
  });

  it.each([
    ['a lone high surrogate at the start', [0xd800, ...unitsOf(long('a'))]],
    ['a lone low surrogate at the start', [0xdc00, ...unitsOf(long('a'))]],
    ['a lone high surrogate in the middle', [...unitsOf(long('a')), 0xd83d, ...unitsOf(long('b'))]],
    ['a lone low surrogate in the middle', [...unitsOf(long('a')), 0xdfff, ...unitsOf(long('b'))]],
    ['a lone high surrogate at the end', [...unitsOf(long('a')), 0xdbff]],
    ['a lone low surrogate at the end', [...unitsOf(long('a')), 0xde00]],
    ['a swapped pair', [...unitsOf(long('a')), 0xde00, 0xd83d]],
    ['a lone surrogate in a short string', [0x61, 0xd800, 0x62]],
    ['a lone surrogate past the first scratch chunk', [...unitsOf(long('a', 40_000)), 0xd800]],
  ])('throws on %s', (_, units) => {
    expect(throwsOn(units)).toThrow(TypeError);
  });

  it('takes a DataView or byte view over the same units, and refuses an odd byte length', () => {
    const units = guestUnits(unitsOf(long('k')));
    expect(liftUtf16(new DataView(units.buffer, units.byteOffset, units.byteLength))).toBe(long('k'));
    expect(liftUtf16(new Uint8Array(units.buffer, units.byteOffset, units.byteLength))).toBe(long('k'));
    expect(() => liftUtf16(new Uint8Array(units.buffer, units.byteOffset, units.byteLength - 1))).toThrow(TypeError);
  });

  it('leaves guest memory as it was', () => {
    const units = guestUnits(unitsOf(`${long('l')}é`));
    const before = new Uint8Array(units.buffer).slice();
    liftUtf16(units);
    expect(new Uint8Array(units.buffer)).toEqual(before);
  });
});

describe('liftUtf8 (a guest string lifted from UTF-8)', () => {
  it('keeps a leading U+FEFF and throws on invalid bytes', () => {
    expect(liftUtf8(new TextEncoder().encode('\ufeffhé😀'))).toBe('\ufeffhé😀');
    expect(() => liftUtf8(new Uint8Array([0x66, 0xff, 0x6f]))).toThrow(TypeError);
    expect(() => liftUtf8(new Uint8Array([0xed, 0xa0, 0x80]))).toThrow(TypeError);
  });
});

describe('lowerUtf16 (a string lowered as UTF-16)', () => {
  it.each([
    ['a short ASCII string', 'agentos'],
    ['a long ASCII string (native path)', 'agentos '.repeat(200)],
    ['a long string with a non-ASCII unit at the end', `${'a'.repeat(100)}é`],
    ['a long string with a surrogate pair', `${'b'.repeat(100)}😀${'c'.repeat(10)}`],
    ['a long string with a lone surrogate', `${'d'.repeat(100)}\ud800${'e'.repeat(10)}`],
    ['a long string with NUL and DEL', `\u0000${'f'.repeat(100)}\u007f`],
  ])('writes exactly the code units of %s', (_, str) => {
    // Guest memory around the allocation must stay untouched: sentinels on both sides.
    const memory = new Uint16Array(str.length + 2).fill(0xbeef);
    const out = new Uint16Array(memory.buffer, 2, str.length);
    expect(lowerUtf16(str, out)).toBe(str.length);
    expect(Array.from(out)).toEqual(unitsOf(str));
    expect([memory[0], memory[str.length + 1]]).toEqual([0xbeef, 0xbeef]);
  });

  it('round-trips through liftUtf16 for every string above', () => {
    for (const str of ['x'.repeat(100), `${'y'.repeat(100)}😀é`, `\ufeff${'z'.repeat(100)}`]) {
      const out = new Uint16Array(str.length);
      lowerUtf16(str, out);
      expect(liftUtf16(out)).toBe(str);
    }
  });
});
