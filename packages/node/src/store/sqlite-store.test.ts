import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listAll, type Store } from '../../../core/src/store/index.ts';
import { describeStoreContract } from '../../../core/src/store/testing.ts';
import { Journal } from '../../../core/src/journal/index.ts';
import { SqliteStore } from './sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'agentos-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = (): string => join(dir, `store-${files++}.db`);
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describeStoreContract('SqliteStore (file, synchronous=full)', () => new SqliteStore({ path: freshPath() }));
describeStoreContract('SqliteStore (memory)', () => new SqliteStore({ path: ':memory:', synchronous: 'normal' }));
describeStoreContract('SqliteStore (file, journal log off)', () => new SqliteStore({ path: freshPath(), synchronous: 'normal', journalLog: false }));

describe('SqliteStore', () => {
  it('orders keys by UTF-16 code unit, as JavaScript strings compare', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    // U+FF5E sorts after U+1F600 (surrogates D83D…) in UTF-16 but before it in UTF-8 / code point order.
    const keys = ['p/\uff5e', 'p/\u{1f600}', 'p/a', 'p/\u00e9', 'p/\ud7ff'];
    for (const key of keys) await store.put(key, bytes(key));
    expect((await listAll(store, 'p/')).map((k) => k.key)).toEqual([...keys].sort());
    const page = await store.list({ prefix: 'p/', cursor: 'p/\u{1f600}' });
    expect(page.keys.map((k) => k.key)).toEqual(['p/\uff5e']);
  });

  it('lists prefixes ending in the highest code unit, and everything with an empty prefix', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    for (const key of ['a\uffff', 'a\uffff\uffff', 'a\uffffb', 'b']) await store.put(key, bytes('v'));
    expect((await listAll(store, 'a\uffff')).map((k) => k.key)).toEqual(['a\uffff', 'a\uffffb', 'a\uffff\uffff']);
    expect(await listAll(store, '')).toHaveLength(4);
  });

  it('keeps values and ever-increasing versions across close and reopen', async () => {
    const path = freshPath();
    const first = new SqliteStore({ path });
    const v1 = await first.put('k', bytes('one'));
    await first.delete('k');
    first.close();
    await expect(first.get('k')).rejects.toMatchObject({ code: 'illegal-state' });
    const second = new SqliteStore({ path });
    const v2 = await second.put('k', bytes('two'));
    // A re-created key never gets an old version back (no ABA for compare-and-set).
    expect(v2).toBeGreaterThan(v1);
    expect(new TextDecoder().decode((await second.get('k'))?.value)).toBe('two');
    second.close();
  });

  it('gives unique, increasing versions to two connections writing the same file in turns', async () => {
    const path = freshPath();
    const a = new SqliteStore({ path, synchronous: 'normal' });
    const b = new SqliteStore({ path, synchronous: 'normal' });
    const versions: number[] = [];
    for (let i = 0; i < 20; i++) versions.push(await (i % 3 === 0 ? b : a).put(`k${i % 4}`, bytes(String(i))));
    expect(versions).toEqual([...versions].sort((x, y) => x - y));
    expect(new Set(versions).size).toBe(versions.length);
    // a's compare-and-set sees b's write.
    const seen = await a.get('k0');
    await b.put('k0', bytes('changed by b'));
    const result = await a.batch([{ type: 'put', key: 'k0', value: bytes('stale') }], { preconditions: [{ key: 'k0', version: seen!.version }] });
    expect(result.ok).toBe(false);
    a.close();
    b.close();
  });

  it('hands out more versions than one reserved range holds, without repeating', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const ops = Array.from({ length: 5000 }, (_, i) => ({ type: 'put' as const, key: `k${i}`, value: bytes('v') }));
    const result = await store.batch(ops);
    expect(result.ok).toBe(true);
    const versions = Object.values(result.ok ? result.versions : {});
    expect(new Set(versions).size).toBe(5000);
    expect(await store.put('after', bytes('v'))).toBeGreaterThan(Math.max(...versions));
  });

  it('never repeats a version after a failed compare-and-set rolled back a fresh reservation', async () => {
    const path = freshPath();
    const a = new SqliteStore({ path });
    // a's first write transaction reserves a range, then fails its precondition: the rollback undoes the reservation.
    expect((await a.batch([{ type: 'put', key: 'x', value: bytes('1') }], { preconditions: [{ key: 'x', version: 7 }] })).ok).toBe(false);
    const before = await a.put('k', bytes('a'));
    a.close();
    const b = new SqliteStore({ path });
    expect(await b.put('k', bytes('b'))).toBeGreaterThan(before);
    b.close();
  });

  it('refuses a file that is not a database with invalid-argument', () => {
    expect(() => new SqliteStore({ path: join(dir, 'missing-folder', 'x.db') })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => new SqliteStore({ path: ':memory:', synchronous: 'off' as 'full' })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });
});

describe('SqliteStore.scan', () => {
  it('reads keys with their values in order, a page at a time, as list and get would', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    for (const key of ['j/3', 'j/1', 'j/2', 'k/1', 'i/9']) await store.put(key, bytes(`v:${key}`));
    const first = await store.scan({ prefix: 'j/', limit: 2 });
    expect(first.entries.map((e) => [e.key, new TextDecoder().decode(e.value)])).toEqual([['j/1', 'v:j/1'], ['j/2', 'v:j/2']]);
    expect(first.cursor).toBe('j/2');
    const rest = await store.scan({ prefix: 'j/', cursor: first.cursor });
    expect(rest).toEqual({ entries: [{ key: 'j/3', value: bytes('v:j/3'), version: (await store.get('j/3'))!.version }] });
    await expect(store.scan({ limit: 0 })).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('loads a journal by scanning: the same entries as through list and get', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    const journal = await Journal.open(store, 'a');
    for (let i = 0; i < 1500; i++) {
      const entry = journal.begin({ interface: 'agentos:runtime/clock', function: 'now', args: [], effect: i % 3 === 2 ? 'external' : 'read', fuelAtCall: BigInt(i), startedAt: i });
      if (i < 1499) journal.complete(entry.seq, { result: BigInt(i) * 7n, endedAt: i });
    }
    await journal.flush();
    const scanned = await Journal.open(store, 'a');
    // Listing keys and getting each one: what any Store offers.
    const generic = await Journal.open({ get: (k) => store.get(k), put: (k, v) => store.put(k, v), delete: (k) => store.delete(k), list: (o) => store.list(o), batch: (o, p) => store.batch(o, p) }, 'a');
    expect(scanned.entries).toHaveLength(1500);
    expect(scanned.entries).toEqual(generic.entries);
    expect(scanned.entries).toEqual(journal.entries);
    expect(scanned.entries.at(-1)?.state).toBe('started');
  });

  it('writes putMany values all together, with fresh versions, or none when one is invalid', async () => {
    const store = new SqliteStore({ path: freshPath(), synchronous: 'normal' });
    const before = await store.put('m/0', bytes('old'));
    await store.putMany(['m/0', 'm/1'], [bytes('a'), bytes('b')]);
    const [first, second] = [await store.get('m/0'), await store.get('m/1')];
    expect([first?.value, second?.value]).toEqual([bytes('a'), bytes('b')]);
    expect(first!.version).toBeGreaterThan(before);
    expect(second!.version).not.toBe(first!.version);
    await expect(store.putMany(['m/2', ''], [bytes('c'), bytes('d')])).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(store.putMany(['m/2'], [])).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(await store.get('m/2')).toBeUndefined();
    store.close();
  });

  it('flushes a journal through putMany when the store has it: the same entries as through batch', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    let putManyCalls = 0;
    const generic: Store = { get: (k) => store.get(k), put: (k, v) => store.put(k, v), delete: (k) => store.delete(k), list: (o) => store.list(o), batch: (o, p) => store.batch(o, p) };
    const counting = { ...generic, putMany: (keys: readonly string[], values: readonly Uint8Array[]) => (putManyCalls++, store.putMany(keys, values)) };
    const viaPutMany = await Journal.open(counting, 'a');
    const viaBatch = await Journal.open(generic, 'b');
    for (const journal of [viaPutMany, viaBatch]) {
      for (let i = 0; i < 5; i++) {
        const entry = journal.begin({ interface: 'agentos:runtime/http', function: 'fetch', args: [{ url: `u${i}`, body: new Uint8Array([i]) }], effect: 'external', fuelAtCall: BigInt(i), startedAt: i });
        await journal.flush();
        journal.complete(entry.seq, { result: { status: 200 + i }, endedAt: i + 1 });
      }
      await journal.flush();
    }
    expect(putManyCalls).toBe(6);
    const [a, b] = [await Journal.open(store, 'a'), await Journal.open(store, 'b')];
    expect(a.entries).toHaveLength(5);
    expect(a.entries.map(({ idempotencyKey: _, ...rest }) => rest)).toEqual(b.entries.map(({ idempotencyKey: _, ...rest }) => rest));
    expect(a.entries.every((entry) => entry.state === 'completed')).toBe(true);
  });
});
