import { describe, expect, it } from 'vitest';
import { MemoryStore, listAll } from '../store/index.ts';
import { entryKey, idempotencyKey } from './entry.ts';
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
});
