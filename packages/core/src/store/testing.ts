/**
 * The behaviour every `Store` backend must show, as a reusable vitest suite.
 * The in-memory backend runs it in memory-store.test.ts; the SQLite and
 * edge/browser backends should run the same suite: `describeStoreContract('sqlite', () => open())`.
 */
import { describe, expect, it } from 'vitest';
import { listAll, type Store } from './store.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined): string | undefined => (value === undefined ? undefined : new TextDecoder().decode(value));

export function describeStoreContract(name: string, open: () => Store | Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    it('gets what was put, with a version that grows on every write', async () => {
      const store = await open();
      expect(await store.get('a')).toBeUndefined();
      const v1 = await store.put('a', bytes('one'));
      const v2 = await store.put('a', bytes('two'));
      expect(v2).toBeGreaterThan(v1);
      const entry = await store.get('a');
      expect([text(entry?.value), entry?.version]).toEqual(['two', v2]);
    });

    it('copies values in and out, so callers cannot change stored bytes', async () => {
      const store = await open();
      const value = bytes('abc');
      await store.put('k', value);
      value[0] = 0x7a;
      const first = await store.get('k');
      (first as { value: Uint8Array }).value[1] = 0x7a;
      expect(text((await store.get('k'))?.value)).toBe('abc');
    });

    it('deletes and reports whether the key existed', async () => {
      const store = await open();
      await store.put('x', bytes('1'));
      expect(await store.delete('x')).toBe(true);
      expect(await store.delete('x')).toBe(false);
      expect(await store.get('x')).toBeUndefined();
    });

    it('lists by prefix in key order, page by page, without skipping or repeating', async () => {
      const store = await open();
      const keys = ['b/2', 'a', 'b/10', 'b/1', 'b0', 'c', 'b/', 'b/1/x'];
      for (const key of keys) await store.put(key, bytes(key));
      await store.delete('b/2');
      const pages: string[][] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list({ prefix: 'b/', cursor, limit: 2 });
        pages.push(page.keys.map((k) => k.key));
        cursor = page.cursor;
      } while (cursor !== undefined);
      expect(pages).toEqual([['b/', 'b/1'], ['b/1/x', 'b/10']]);
      expect((await listAll(store)).map((k) => k.key)).toEqual(['a', 'b/', 'b/1', 'b/1/x', 'b/10', 'b0', 'c']);
      const [a] = (await store.list({ prefix: 'a' })).keys;
      expect(a.size).toBe(1);
    });

    it('lists keys added, deleted and re-added between listings exactly once', async () => {
      const store = await open();
      await store.put('k1', bytes('1'));
      expect((await listAll(store)).map((k) => k.key)).toEqual(['k1']);
      await store.delete('k1');
      await store.put('k0', bytes('0'));
      await store.put('k1', bytes('1'));
      expect((await listAll(store)).map((k) => k.key)).toEqual(['k0', 'k1']);
    });

    it('applies a batch of puts and deletes together when preconditions hold', async () => {
      const store = await open();
      const v = await store.put('old', bytes('x'));
      const result = await store.batch(
        [{ type: 'put', key: 'new', value: bytes('n') }, { type: 'delete', key: 'old' }],
        { preconditions: [{ key: 'old', version: v }, { key: 'new', version: null }] },
      );
      expect(result.ok).toBe(true);
      if (result.ok) expect(Object.keys(result.versions)).toEqual(['new']);
      expect(await store.get('old')).toBeUndefined();
      expect(text((await store.get('new'))?.value)).toBe('n');
    });

    it('writes nothing from a batch whose precondition fails, and names the conflict', async () => {
      const store = await open();
      const v = await store.put('guard', bytes('g'));
      await store.put('guard', bytes('g2'));
      const result = await store.batch(
        [{ type: 'put', key: 'a', value: bytes('a') }, { type: 'delete', key: 'guard' }],
        { preconditions: [{ key: 'guard', version: v }] },
      );
      expect(result).toEqual({ ok: false, conflict: { key: 'guard', expected: v, actual: v + 1 } });
      expect(await store.get('a')).toBeUndefined();
      expect(text((await store.get('guard'))?.value)).toBe('g2');
      const absent = await store.batch([{ type: 'put', key: 'a', value: bytes('a') }], { preconditions: [{ key: 'guard', version: null }] });
      expect(absent.ok).toBe(false);
    });

    it('writes nothing from a batch with a malformed op, and throws invalid-argument', async () => {
      const store = await open();
      await expect(store.batch([
        { type: 'put', key: 'fine', value: bytes('1') },
        { type: 'put', key: 'bad', value: 'not bytes' as unknown as Uint8Array },
      ])).rejects.toMatchObject({ code: 'invalid-argument' });
      await expect(store.batch([{ type: 'put', key: 'fine', value: bytes('1') }, { type: 'delete', key: '' }])).rejects.toMatchObject({ code: 'invalid-argument' });
      expect(await store.get('fine')).toBeUndefined();
    });

    it('refuses malformed keys and limits with invalid-argument', async () => {
      const store = await open();
      for (const key of ['', 'x'.repeat(1025), 'a\u0000b', '\ud800']) {
        await expect(store.put(key, bytes('v')), JSON.stringify(key)).rejects.toMatchObject({ code: 'invalid-argument' });
      }
      for (const limit of [0, 1001, 1.5]) await expect(store.list({ limit })).rejects.toMatchObject({ code: 'invalid-argument' });
    });
  });
}
