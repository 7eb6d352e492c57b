import { describe, expect, it } from 'vitest';
import { BoundedBuffer } from './span-buffer.ts';

describe('BoundedBuffer', () => {
  it('drops the oldest items when full and counts the drops', () => {
    const buffer = new BoundedBuffer<number>({ capacity: 3 });
    for (let i = 1; i <= 5; i++) buffer.push(i);
    expect(buffer.size).toBe(3);
    expect(buffer.dropped).toBe(2);
    expect(buffer.drain()).toEqual([3, 4, 5]);
    expect(buffer.size).toBe(0);
  });

  it('can keep the oldest instead, refusing new items when full', () => {
    const buffer = new BoundedBuffer<number>({ capacity: 2, overflow: 'drop-newest' });
    expect([1, 2, 3, 4].map((i) => buffer.push(i))).toEqual([true, true, false, false]);
    expect(buffer.drain()).toEqual([1, 2]);
    expect(buffer.dropped).toBe(2);
  });

  it('drains in order across the wrap-around, a part at a time', () => {
    const buffer = new BoundedBuffer<number>({ capacity: 4 });
    for (let i = 1; i <= 4; i++) buffer.push(i);
    expect(buffer.drain(3)).toEqual([1, 2, 3]);
    for (let i = 5; i <= 7; i++) buffer.push(i);
    expect(buffer.dropped).toBe(0);
    expect(buffer.drain()).toEqual([4, 5, 6, 7]);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new BoundedBuffer({ capacity: 0 })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });
});
