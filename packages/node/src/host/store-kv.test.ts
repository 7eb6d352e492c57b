import { describe, expect, it } from 'vitest';
import { MemoryKv } from '../../../core/src/index.ts';
import { SqliteStore } from '../store/index.ts';
import { StoreKv } from './store-kv.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('StoreKv', () => {
  it('keeps each workspace apart and lists pages like MemoryKv', async () => {
    const kv = new StoreKv(new SqliteStore({ path: ':memory:' }));
    const reference = new MemoryKv();
    for (const [ns, key] of [['a', 'notes/1'], ['a', 'notes/2'], ['a', 'notes/3'], ['a', 'other'], ['b', 'notes/9']]) {
      await kv.set(ns, key, bytes(`${ns}:${key}`));
      reference.set(ns, key, bytes(`${ns}:${key}`));
    }
    expect(new TextDecoder().decode(await kv.get('a', 'notes/2'))).toBe('a:notes/2');
    expect(await kv.get('b', 'notes/2')).toBeUndefined();
    const first = await kv.list('a', { prefix: 'notes/', limit: 2 });
    expect(first).toEqual(reference.list('a', { prefix: 'notes/', limit: 2 }));
    const second = await kv.list('a', { prefix: 'notes/', cursor: first.nextCursor, limit: 2 });
    expect(second).toEqual({ keys: ['notes/3'] });
    expect(await kv.delete('a', 'other')).toBe(true);
    expect(await kv.delete('a', 'other')).toBe(false);
    expect(await kv.keys('a')).toEqual(['notes/1', 'notes/2', 'notes/3']);
  });
});
