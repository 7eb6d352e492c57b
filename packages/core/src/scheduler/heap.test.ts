import { describe, expect, it } from 'vitest';
import { IndexedHeap, type HeapNode } from './heap.ts';
import { randomInt, seededRandom } from './testing.ts';

function node(key: number, seq: number): HeapNode {
  return { key, seq, heapIndex: -1 };
}

describe('IndexedHeap', () => {
  it('pops in (key, seq) order and matches a sorted reference under random pushes, pops and removes', () => {
    for (let seed = 1; seed <= 8; seed++) {
      const random = seededRandom(seed);
      const heap = new IndexedHeap<HeapNode>();
      const reference: HeapNode[] = [];
      let seq = 0;
      for (let step = 0; step < 2000; step++) {
        const roll = random();
        if (roll < 0.5) {
          const n = node(randomInt(random, 0, 50), seq++);
          heap.push(n);
          reference.push(n);
        } else if (roll < 0.8) {
          reference.sort((a, b) => a.key - b.key || a.seq - b.seq);
          expect(heap.pop()).toBe(reference.shift());
        } else if (reference.length > 0) {
          const victim = reference.splice(randomInt(random, 0, reference.length - 1), 1)[0];
          expect(heap.remove(victim)).toBe(true);
          expect(victim.heapIndex).toBe(-1);
        }
        expect(heap.size).toBe(reference.length);
      }
    }
  });

  it('reorders a node whose key changed in place', () => {
    const heap = new IndexedHeap<HeapNode>();
    const a = node(1, 0);
    const b = node(2, 1);
    heap.push(a);
    heap.push(b);
    a.key = 3;
    heap.update(a);
    expect(heap.pop()).toBe(b);
    expect(heap.pop()).toBe(a);
    expect(heap.pop()).toBeUndefined();
  });

  it('refuses to remove a node it does not hold', () => {
    const heap = new IndexedHeap<HeapNode>();
    heap.push(node(1, 0));
    expect(heap.remove(node(1, 0))).toBe(false);
    expect(heap.size).toBe(1);
  });
});
