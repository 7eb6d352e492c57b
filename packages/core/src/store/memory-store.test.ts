import { describe, expect, it } from 'vitest';
import { MemoryStore } from './memory-store.ts';
import { listAll } from './store.ts';
import { describeStoreContract } from './testing.ts';

describeStoreContract('MemoryStore', () => new MemoryStore());

describe('MemoryStore', () => {
  it('keeps listing correct through random puts and deletes', async () => {
    const store = new MemoryStore();
    const model = new Set<string>();
    let seed = 42;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let step = 0; step < 2000; step++) {
      const key = `k${Math.floor(random() * 300)}`;
      if (random() < 0.6) {
        await store.put(key, new Uint8Array([1]));
        model.add(key);
      } else {
        expect(await store.delete(key)).toBe(model.delete(key));
      }
      if (step % 97 === 0) expect((await listAll(store)).map((k) => k.key)).toEqual([...model].sort());
    }
    expect(store.size).toBe(model.size);
    expect((await listAll(store, 'k1')).map((k) => k.key)).toEqual([...model].filter((k) => k.startsWith('k1')).sort());
  });
});
