import { describe, expect, it } from 'vitest';
import { MemoryStore, listAll } from '../store/index.ts';
import { entryKey, idempotencyKey, journalStartKey } from './entry.ts';
import { Journal } from './journal.ts';
import { Replay } from './replay.ts';

const call = (fn: string, args: unknown, fuel: bigint, effect: 'read' | 'external' = 'read') =>
  ({ interface: 'agentos:runtime/kv', function: fn, args, effect, fuelAtCall: fuel, startedAt: 1000 });

describe('Journal', () => {
  it('writes nothing until flush, then every entry in order, and reloads them', async () => {
    const store = new MemoryStore();
    const journal = await Journal.open(store, 'a1');
    const first = journal.begin(call('get', ['k'], 10n));
    journal.complete(first.seq, { result: { tag: 'ok', val: new Uint8Array([1, 2]) }, endedAt: 1001 });
    const second = journal.begin(call('set', ['k', new Uint8Array([3])], 20n, 'external'));
    expect(second.idempotencyKey).toBe(idempotencyKey('a1', 1));
    expect(await listAll(store, 'agents/a1/')).toHaveLength(0);
    await journal.flush();
    expect((await listAll(store, 'agents/a1/journal/')).map((k) => k.key)).toEqual([entryKey('a1', 0), entryKey('a1', 1)]);

    const reopened = await Journal.open(store, 'a1');
    expect(reopened.length).toBe(2);
    expect(reopened.entries[0]).toMatchObject({ seq: 0, state: 'completed', fuelAtCall: '10', endedAt: 1001 });
    expect(reopened.entries[1]).toMatchObject({ seq: 1, state: 'started', effect: 'external' });
  });

  it('writes entries queued during a flush with the next concurrent flush, none lost', async () => {
    const store = new MemoryStore();
    const journal = await Journal.open(store, 'a1');
    journal.complete(journal.begin(call('get', ['a'], 1n)).seq, { result: 1, endedAt: 1 });
    const first = journal.flush();
    journal.complete(journal.begin(call('get', ['b'], 2n)).seq, { result: 2, endedAt: 2 });
    const second = journal.flush();
    await Promise.all([first, second]);
    expect(journal.pending).toBe(0);
    expect((await Journal.open(store, 'a1')).entries.map((e) => e.args)).toEqual([['a'], ['b']]);
  });

  it('derives idempotency keys from agent and position only', () => {
    expect(idempotencyKey('a1', 7)).toBe(idempotencyKey('a1', 7));
    expect(idempotencyKey('a1', 7)).not.toBe(idempotencyKey('a1', 8));
    expect(idempotencyKey('a1', 7)).not.toBe(idempotencyKey('a2', 7));
    expect(idempotencyKey('a1', 7)).toMatch(/^[0-9a-f]{32}$/);
  });

  it('refuses to complete a position twice', async () => {
    const journal = await Journal.open(new MemoryStore(), 'a1');
    const entry = journal.begin(call('get', ['k'], 1n));
    journal.complete(entry.seq, { result: 1, endedAt: 2 });
    expect(() => journal.complete(entry.seq, { result: 1, endedAt: 2 })).toThrow(/already completed/);
  });
});

describe('Journal.discardBefore', () => {
  async function journalOf(store: MemoryStore, count: number) {
    const journal = await Journal.open(store, 'a1');
    for (let i = 0; i < count; i++) journal.complete(journal.begin(call('get', [`k${i}`], BigInt(i))).seq, { result: i, endedAt: i });
    await journal.flush();
    return journal;
  }

  it('deletes the entries before a position, keeping positions and idempotency keys of the rest', async () => {
    const store = new MemoryStore();
    const journal = await journalOf(store, 5);
    expect(await journal.discardBefore(3)).toBe(3);
    expect(journal).toMatchObject({ first: 3, length: 5 });
    expect(journal.entry(2)).toBeUndefined();
    expect(journal.entry(3)?.args).toEqual(['k3']);
    const next = journal.begin(call('set', ['x'], 9n, 'external'));
    expect(next).toMatchObject({ seq: 5, idempotencyKey: idempotencyKey('a1', 5) });
    await journal.flush();
    expect((await listAll(store, 'agents/a1/journal/')).map((k) => k.key)).toEqual([3, 4, 5].map((seq) => entryKey('a1', seq)));
    const reopened = await Journal.open(store, 'a1');
    expect(reopened).toMatchObject({ first: 3, length: 6 });
    expect(reopened.entries.map((e) => e.seq)).toEqual([3, 4, 5]);
  });

  it('opens a journal discarded to its end as empty, continuing at the same position', async () => {
    const store = new MemoryStore();
    await (await journalOf(store, 4)).discardBefore(4);
    const reopened = await Journal.open(store, 'a1');
    expect(reopened).toMatchObject({ first: 4, length: 4, entries: [] });
    expect(reopened.begin(call('get', ['z'], 1n)).seq).toBe(4);
  });

  it('does nothing for a position already discarded, and refuses one past the end or inside an open call', async () => {
    const store = new MemoryStore();
    const journal = await journalOf(store, 3);
    await journal.discardBefore(2);
    expect(await journal.discardBefore(1)).toBe(0);
    expect(journal.first).toBe(2);
    await expect(journal.discardBefore(4)).rejects.toMatchObject({ code: 'illegal-state' });
    journal.begin(call('set', ['x'], 5n, 'external'));
    await expect(journal.discardBefore(4)).rejects.toMatchObject({ code: 'illegal-state', details: { seq: 3 } });
    expect(journal.first).toBe(2);
  });

  it('refuses to open a journal missing entries that no discard removed', async () => {
    const store = new MemoryStore();
    await journalOf(store, 4);
    await store.delete(entryKey('a1', 0));
    await expect(Journal.open(store, 'a1')).rejects.toMatchObject({ code: 'internal', details: { first: 1, discarded: 0 } });
    await store.put(journalStartKey('a1'), new TextEncoder().encode('{"first":1}'));
    expect((await Journal.open(store, 'a1')).first).toBe(1);
    await store.delete(entryKey('a1', 2));
    await expect(Journal.open(store, 'a1')).rejects.toMatchObject({ code: 'internal', details: { seq: 2 } });
  });

  it('refuses an entry stored under another position than its own', async () => {
    const store = new MemoryStore();
    await journalOf(store, 2);
    await store.put(entryKey('a1', 1), (await store.get(entryKey('a1', 0)))!.value);
    await expect(Journal.open(store, 'a1')).rejects.toMatchObject({ code: 'invalid-argument', details: { key: entryKey('a1', 1) } });
  });
});

describe('Replay', () => {
  async function recorded() {
    const journal = await Journal.open(new MemoryStore(), 'a1');
    journal.complete(journal.begin(call('get', ['k'], 10n)).seq, { result: { tag: 'ok', val: 5n }, endedAt: 1 });
    journal.complete(journal.begin(call('set', ['k', 'v'], 20n, 'external')).seq, { error: { code: 'policy-denied', message: 'no' }, endedAt: 2 });
    journal.begin(call('set', ['k', 'w'], 30n, 'external'));
    return journal;
  }

  it('serves recorded results and errors, then a started call for retry, then live', async () => {
    const replay = new Replay((await recorded()).entries);
    expect(replay.next({ interface: 'agentos:runtime/kv', function: 'get', args: ['k'], fuelAtCall: 10n })).toMatchObject({ kind: 'recorded', value: { tag: 'ok', val: 5n } });
    const denied = replay.next({ interface: 'agentos:runtime/kv', function: 'set', args: ['k', 'v'], fuelAtCall: 20n });
    expect(denied).toMatchObject({ kind: 'recorded', error: { code: 'policy-denied', message: 'no' } });
    expect(replay.next({ interface: 'agentos:runtime/kv', function: 'set', args: ['k', 'w'], fuelAtCall: 30n })).toMatchObject({ kind: 'retry', entry: { seq: 2 } });
    expect(replay.replaying).toBe(false);
    expect(replay.next({ interface: 'agentos:runtime/kv', function: 'get', args: ['z'], fuelAtCall: 40n })).toEqual({ kind: 'live' });
  });

  it('reports a call with other arguments as replay-divergence with the position and both calls', async () => {
    const replay = new Replay((await recorded()).entries);
    let caught: unknown;
    try {
      replay.next({ interface: 'agentos:runtime/kv', function: 'get', args: ['other'], fuelAtCall: 10n });
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: 'replay-divergence', details: { seq: 0, field: 'args', expected: { args: '["k"]' }, actual: { args: '["other"]' } } });
  });

  it('reports a call at another fuel count or to another function as divergence', async () => {
    const entries = (await recorded()).entries;
    expect(() => new Replay(entries).next({ interface: 'agentos:runtime/kv', function: 'get', args: ['k'], fuelAtCall: 11n })).toThrow(expect.objectContaining({ code: 'replay-divergence', details: expect.objectContaining({ field: 'fuel' }) }));
    expect(() => new Replay(entries).next({ interface: 'agentos:runtime/kv', function: 'delete', args: ['k'], fuelAtCall: 10n })).toThrow(expect.objectContaining({ details: expect.objectContaining({ field: 'function' }) }));
  });

  it('serves a compacted journal from its snapshot position, and refuses to start before its first entry', async () => {
    const journal = await recorded();
    await journal.flush();
    journal.complete(2, { result: 'done', endedAt: 3 });
    await journal.discardBefore(2);
    const reopened = await Journal.open(journal.store, 'a1');
    expect(() => new Replay(reopened, 0)).toThrow(expect.objectContaining({ code: 'illegal-state', details: { from: 0, first: 2 } }));
    const replay = new Replay(reopened, 2);
    expect(replay.peek()?.seq).toBe(2);
    expect(replay.next({ interface: 'agentos:runtime/kv', function: 'set', args: ['k', 'w'], fuelAtCall: 30n })).toMatchObject({ kind: 'recorded', value: 'done' });
    expect(replay.replaying).toBe(false);
    expect(replay.peek()).toBeUndefined();
  });

  it('matches arguments whatever their key order, and tells bigints, bytes and absent values apart', async () => {
    const journal = await Journal.open(new MemoryStore(), 'a1');
    const args = [{ b: 1n, a: new Uint8Array([1, 2]), c: undefined, $d: [null, 'x'] }];
    journal.complete(journal.begin(call('set', args, 1n, 'external')).seq, { result: 1, endedAt: 1 });
    const at = (value: unknown) => () => new Replay(journal.entries).next({ interface: 'agentos:runtime/kv', function: 'set', args: value, fuelAtCall: 1n });
    expect(at([{ $d: [null, 'x'], c: undefined, a: new Uint8Array([1, 2]), b: 1n }])()).toMatchObject({ kind: 'recorded' });
    for (const other of [
      [{ b: 1, a: new Uint8Array([1, 2]), c: undefined, $d: [null, 'x'] }],
      [{ b: 1n, a: new Uint8Array([1, 3]), c: undefined, $d: [null, 'x'] }],
      [{ b: 1n, a: new Uint8Array([1, 2]), c: null, $d: [null, 'x'] }],
      [{ b: 1n, a: new Uint8Array([1, 2]), $d: [null, 'x'] }],
      [{ b: 1n, a: new Uint8Array([1, 2]), c: undefined, $d: [null, 'x'], e: 0 }],
      [{ b: 1n, a: [1, 2], c: undefined, $d: [null, 'x'] }],
    ]) {
      expect(at(other), JSON.stringify(other, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))).toThrow(expect.objectContaining({ code: 'replay-divergence' }));
    }
  });
});
