import { describe, expect, it } from 'vitest';
import { ByteReader } from './reader.ts';
import { ByteWriter, lebWidth } from './writer.ts';

/** Writes a sized region of `size` payload bytes (0, 1, 2, …) with `reserve` bytes kept for its size. */
function sized(size: number, reserve?: number): Uint8Array {
  const w = new ByteWriter(4);
  w.u8(0xaa); // something before the region, which must stay put
  const mark = w.beginSized(reserve);
  for (let i = 0; i < size; i++) w.u8(i & 0xff);
  w.endSized(mark, reserve);
  return w.finish();
}

describe('ByteWriter sized regions', () => {
  it('writes the size as a minimal LEB whatever was reserved for it', () => {
    for (const size of [0, 1, 127, 128, 300, 16383, 16384]) {
      const expected = sized(size); // the default 5 bytes always fit
      for (const reserve of [1, 2, 3, 5]) expect(sized(size, reserve)).toEqual(expected);
      const r = new ByteReader(expected, 1);
      expect(r.u32()).toBe(size);
      expect(r.pos).toBe(1 + lebWidth(size));
      expect(expected.length).toBe(1 + lebWidth(size) + size);
    }
  });

  it('moves the payload forward intact when the reserved width was too small', () => {
    const out = sized(200, 1);
    expect(Array.from(out.subarray(0, 3))).toEqual([0xaa, 0xc8, 0x01]);
    expect(out[3]).toBe(0);
    expect(out[3 + 199]).toBe(199);
  });
});

describe('ByteWriter.copyThenOp', () => {
  it('copies the range, then writes the opcode and its u32 immediate, for short and long ranges', () => {
    const src = Uint8Array.from({ length: 100 }, (_, i) => i);
    for (const [start, end] of [[3, 3], [3, 10], [0, 40], [10, 90]]) {
      const w = new ByteWriter(4);
      w.copyThenOp(src, start, end, 0x23, 300);
      expect(Array.from(w.finish())).toEqual([...src.subarray(start, end), 0x23, 0xac, 0x02]);
    }
  });
});

describe('lebWidth', () => {
  it('counts the bytes of a minimal unsigned LEB128 at each boundary', () => {
    expect([0, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28, 0xffffffff].map(lebWidth)).toEqual([1, 1, 2, 2, 3, 3, 4, 5, 5]);
  });
});
