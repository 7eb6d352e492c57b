import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from '../wasm/index.ts';
import { closeSegment, emitCall, emitCharge, type OpenSegment } from './emit.ts';

/** A segment charged on the global, followed by `body` (the segment's own code). */
function openWith(body: number[]): { w: ByteWriter; seg: OpenSegment } {
  const w = new ByteWriter(4);
  w.u8(0x01); // nop before the segment, which must stay put
  const seg: OpenSegment = { start: w.pos, constant: 0, end: 0 };
  seg.constant = emitCharge(w, -1);
  seg.end = w.pos;
  for (const b of body) w.u8(b);
  return { w, seg };
}

const bytes = (w: ByteWriter) => Array.from(w.buf.subarray(0, w.pos));

describe('closeSegment', () => {
  it('writes a cost below 64 into the one reserved byte without moving anything', () => {
    const { w, seg } = openWith([0x6a, 0x0b]);
    expect(closeSegment(w, seg, 63)).toBe(0);
    expect(bytes(w)).toEqual([0x01, 0x23, 0x00, 0x42, 63, 0x7d, 0x24, 0x00, 0x6a, 0x0b]);
  });

  it('widens the constant for larger costs, moving the segment forward, as a minimal signed LEB', () => {
    for (const cost of [64, 8191, 8192, 1_000_000]) {
      const { w, seg } = openWith([0x6a, 0x0b]);
      const moved = closeSegment(w, seg, cost);
      const r = new ByteReader(w.buf, seg.constant, w.pos);
      expect(Number(r.s64())).toBe(cost);
      expect(r.pos - seg.constant).toBe(1 - moved);
      expect(bytes(w).slice(r.pos - w.pos)).toEqual([0x7d, 0x24, 0x00, 0x6a, 0x0b]);
    }
  });

  it('cuts a zero-cost charge out and reports how far the rest moved back', () => {
    const { w, seg } = openWith([0x0b]);
    expect(closeSegment(w, seg, 0)).toBe(7);
    expect(bytes(w)).toEqual([0x01, 0x0b]);
  });
});

describe('emitCall', () => {
  const call = (cl: number, passTo: boolean) => {
    const w = new ByteWriter(4);
    emitCall(w, 300, cl, passTo);
    return bytes(w);
  };

  it('passes a local counter in and takes it back, or syncs it around the call', () => {
    expect(call(5, true)).toEqual([0x20, 5, 0x10, 0xac, 0x02, 0x21, 5]);
    expect(call(200, false)).toEqual([0x20, 0xc8, 0x01, 0x24, 0x00, 0x10, 0xac, 0x02, 0x23, 0x00, 0x21, 0xc8, 0x01]);
  });

  it('passes the global counter in and stores it back, or leaves a plain call alone', () => {
    expect(call(-1, true)).toEqual([0x23, 0x00, 0x10, 0xac, 0x02, 0x24, 0x00]);
    expect(call(-1, false)).toEqual([0x10, 0xac, 0x02]);
  });
});
