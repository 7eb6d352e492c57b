import { describe, expect, it } from 'vitest';
import { captureSnapshot, readSnapshot, restoreSnapshot } from './snapshot.ts';

function memoryWith(pages: number, fill: (bytes: Uint8Array) => void): WebAssembly.Memory {
  const memory = new WebAssembly.Memory({ initial: pages, maximum: 64 });
  fill(new Uint8Array(memory.buffer));
  return memory;
}

describe('snapshots', () => {
  it('restores memories (grown to size) and globals into a fresh instance byte for byte', () => {
    const a = memoryWith(3, (b) => b.forEach((_, i) => (b[i] = (i * 31) & 0xff)));
    const b = memoryWith(1, (m) => m.fill(9));
    const sp = new WebAssembly.Global({ value: 'i32', mutable: true }, 70_000);
    const counter = new WebAssembly.Global({ value: 'i64', mutable: true }, 1n << 40n);
    const bytes = captureSnapshot({ seq: 12, fuelUsed: 123_456_789n, memories: [a, b], globals: [{ type: 'i32', global: sp }, { type: 'i64', global: counter }] });

    const state = readSnapshot(bytes);
    expect(state).toMatchObject({ seq: 12, fuelUsed: 123_456_789n, globals: [{ type: 'i32', value: 70_000 }, { type: 'i64', value: 1n << 40n }] });
    const freshA = new WebAssembly.Memory({ initial: 1, maximum: 64 });
    const freshB = new WebAssembly.Memory({ initial: 1, maximum: 64 });
    const freshSp = new WebAssembly.Global({ value: 'i32', mutable: true }, 0);
    const freshCounter = new WebAssembly.Global({ value: 'i64', mutable: true }, 0n);
    restoreSnapshot(state, { memories: [freshA, freshB], globals: [freshSp, freshCounter] });
    expect(new Uint8Array(freshA.buffer)).toEqual(new Uint8Array(a.buffer));
    expect(new Uint8Array(freshB.buffer)).toEqual(new Uint8Array(b.buffer));
    expect([freshSp.value, freshCounter.value]).toEqual([70_000, 1n << 40n]);
  });

  it('refuses an instance whose memories do not fit the snapshot, and bytes that are not a snapshot', () => {
    const state = readSnapshot(captureSnapshot({ seq: 0, fuelUsed: 0n, memories: [memoryWith(1, () => {})] }));
    expect(() => restoreSnapshot(state, { memories: [new WebAssembly.Memory({ initial: 2 })] })).toThrow(expect.objectContaining({ code: 'illegal-state' }));
    expect(() => restoreSnapshot(state, { memories: [] })).toThrow(/holds 1 memories/);
    expect(() => readSnapshot(new Uint8Array([1, 2, 3, 4, 0, 0, 0, 0]))).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });

  it('refuses a damaged header as invalid-argument, not a TypeError', () => {
    const good = captureSnapshot({ seq: 3, fuelUsed: 7n, memories: [] });
    const header = JSON.parse(new TextDecoder().decode(good.subarray(8)));
    for (const damage of [{ memories: 'x' }, { fuelUsed: 'seven' }, { seq: -1 }, { globals: [{ type: 'i64', value: '1.5' }] }]) {
      const head = new TextEncoder().encode(JSON.stringify({ ...header, ...damage }));
      const bytes = new Uint8Array(8 + head.length);
      bytes.set(good.subarray(0, 4));
      new DataView(bytes.buffer).setUint32(4, head.length, true);
      bytes.set(head, 8);
      expect(() => readSnapshot(bytes)).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    }
  });
});
