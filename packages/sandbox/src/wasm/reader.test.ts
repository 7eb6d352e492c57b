import { describe, expect, it } from 'vitest';
import { ByteReader } from './reader.ts';
import { ByteWriter } from './writer.ts';

const reader = (...bytes: number[]) => new ByteReader(new Uint8Array(bytes));
const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as { code: string; message: string; details: { offset: number } };
  }
  throw new Error('expected a throw');
};

describe('LEB128 reading', () => {
  it('reads u32 at both ends of its range, including a padded zero', () => {
    expect(reader(0x00).u32()).toBe(0);
    expect(reader(0xff, 0xff, 0xff, 0xff, 0x0f).u32()).toBe(0xffffffff);
    expect(reader(0x80, 0x80, 0x80, 0x80, 0x00).u32()).toBe(0);
    expect(reader(0xe5, 0x8e, 0x26).u32()).toBe(624485);
  });

  it('refuses a u32 longer than 5 bytes as too long', () => {
    const e = errorOf(() => reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).u32());
    expect(e.code).toBe('invalid-component');
    expect(e.message).toContain('integer representation too long');
  });

  it('refuses a u32 whose 5th byte sets bits above bit 31', () => {
    expect(errorOf(() => reader(0xff, 0xff, 0xff, 0xff, 0x1f).u32()).message).toContain('integer too large');
    expect(errorOf(() => reader(0x80, 0x80, 0x80, 0x80, 0x70).u32()).message).toContain('integer too large');
  });

  it('reads s32 extremes and checks the sign-extension bits of the 5th byte', () => {
    expect(reader(0x7f).s32()).toBe(-1);
    expect(reader(0x80, 0x80, 0x80, 0x80, 0x78).s32()).toBe(-0x80000000);
    expect(reader(0xff, 0xff, 0xff, 0xff, 0x07).s32()).toBe(0x7fffffff);
    expect(reader(0xff, 0xff, 0xff, 0xff, 0x7f).s32()).toBe(-1);
    expect(errorOf(() => reader(0xff, 0xff, 0xff, 0xff, 0x0f).s32()).message).toContain('integer too large');
    expect(errorOf(() => reader(0x80, 0x80, 0x80, 0x80, 0x70).s32()).message).toContain('integer too large');
  });

  it('reads s33 block-type indices beyond 32 bits and refuses bad padding', () => {
    expect(reader(0x40).s33()).toBe(-64);
    expect(reader(0xff, 0xff, 0xff, 0xff, 0x0f).s33()).toBe(0xffffffff);
    expect(reader(0x80, 0x80, 0x80, 0x80, 0x70).s33()).toBe(-(2 ** 32));
    expect(errorOf(() => reader(0x80, 0x80, 0x80, 0x80, 0x20).s33()).message).toContain('integer too large');
  });

  it('reads s64 extremes and refuses an 11-byte or badly padded one', () => {
    expect(reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f).s64()).toBe(-(2n ** 63n));
    expect(reader(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00).s64()).toBe(2n ** 63n - 1n);
    expect(errorOf(() => reader(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01).s64()).message).toContain('integer too large');
    expect(errorOf(() => reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00).s64()).message).toContain('too long');
  });

  it('reports the offset of a LEB cut off by the end of input', () => {
    const r = new ByteReader(new Uint8Array([0x00, 0x00, 0x80, 0x80]), 2);
    const e = errorOf(() => r.u32());
    expect(e.code).toBe('invalid-component');
    expect(e.details.offset).toBe(4);
  });

  it('refuses malformed UTF-8 in names but keeps a leading BOM', () => {
    expect(errorOf(() => reader(2, 0xc3, 0x28).name()).message).toContain('malformed UTF-8');
    expect(reader(3, 0xef, 0xbb, 0xbf).name()).toBe('\ufeff');
  });
});

describe('LEB128 writing', () => {
  it('writes minimal encodings that read back to the same values', () => {
    const w = new ByteWriter(4);
    const u = [0, 1, 127, 128, 624485, 0xffffffff];
    const s = [0, -1, 63, -64, 64, -65, 0x7fffffff, -0x80000000];
    const big = [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n)];
    for (const v of u) w.u32(v);
    for (const v of s) w.s32(v);
    for (const v of s) w.sleb(v);
    for (const v of big) w.s64(v);
    const r = new ByteReader(w.finish());
    expect(u.map(() => r.u32())).toEqual(u);
    expect(s.map(() => r.s32())).toEqual(s);
    expect(s.map(() => r.s33())).toEqual(s);
    expect(big.map(() => r.s64())).toEqual(big);
    expect(r.eof).toBe(true);
  });

  it('shrinks a back-patched size to its minimal width', () => {
    const w = new ByteWriter(4);
    const mark = w.beginSized();
    for (let i = 0; i < 200; i++) w.u8(i);
    w.endSized(mark);
    const out = w.finish();
    expect(out.length).toBe(202);
    expect([out[0], out[1], out[2], out[201]]).toEqual([0xc8, 0x01, 0, 199]);
  });
});
