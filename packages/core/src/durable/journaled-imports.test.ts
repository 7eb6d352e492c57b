import { describe, expect, it } from 'vitest';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { Journal, Replay } from '../journal/index.ts';
import { MemoryStore, type Store } from '../store/index.ts';
import { journalImports } from './journaled-imports.ts';

const KV = 'agentos:runtime/kv';
const CLOCK = 'agentos:runtime/clock';

/** A MemoryStore that counts its committed writes (a put or a batch each). */
class CountingStore extends MemoryStore {
  commits = 0;
  override async put(key: string, value: Uint8Array): Promise<number> {
    this.commits++;
    return super.put(key, value);
  }
  override async batch(...args: Parameters<MemoryStore['batch']>): ReturnType<MemoryStore['batch']> {
    this.commits++;
    return super.batch(...args);
  }
}

/** Copies every journal entry of `from` into a new store: the state a host killed at this instant leaves behind. */
async function crashCopy(from: Store): Promise<MemoryStore> {
  const copy = new MemoryStore();
  for (const entry of (await Journal.open(from, 'agent-1')).entries) {
    await copy.put(`agents/agent-1/journal/${String(entry.seq).padStart(12, '0')}`, new TextEncoder().encode(JSON.stringify(entry)));
  }
  return copy;
}

/** A tiny "host": a counter clock, a kv that counts its effects, and a fuel counter the test moves. */
function world() {
  const effects: { key: string; idempotencyKey: string | undefined }[] = [];
  let time = 100n;
  const state = { fuel: 0n, stopped: false, beforeEffect: undefined as (() => Promise<void>) | undefined };
  let current: () => { seq: number; idempotencyKey: string | undefined } | undefined = () => undefined;
  const imports = {
    [CLOCK]: { now: () => time++ },
    [KV]: {
      set: async (key: string) => {
        await state.beforeEffect?.();
        effects.push({ key, idempotencyKey: current()?.idempotencyKey });
        return { tag: 'ok', val: undefined };
      },
      get: async (key: string) => {
        if (key === 'boom') throw new AgentOsError('not-found', 'no such key');
        return { tag: 'ok', val: new TextEncoder().encode(key) };
      },
    },
  };
  const wrap = async (store: Store) => {
    const journal = await Journal.open(store, 'agent-1');
    const wrapped = journalImports(imports, {
      journal, replay: new Replay(journal.entries), fuelUsed: () => state.fuel, now: () => 5,
      asyncFunctions: new Set([`${KV}#set`, `${KV}#get`]), effectOf: (name) => (name.endsWith('#set') ? 'external' : 'read'), stopped: () => state.stopped,
    });
    current = wrapped.current;
    return { journal, imports: wrapped.imports as unknown as typeof imports };
  };
  return { effects, state, wrap };
}

describe('journaled imports', () => {
  it('records calls, then replays them without re-running effects and with the same values', async () => {
    const store = new MemoryStore();
    const first = world();
    const live = await first.wrap(store);
    first.state.fuel = 10n;
    const t1 = live.imports[CLOCK].now();
    first.state.fuel = 20n;
    await live.imports[KV].set('a');
    first.state.fuel = 30n;
    await expect(live.imports[KV].get('boom')).rejects.toMatchObject({ code: 'not-found' });
    expect(first.effects).toHaveLength(1);
    // The slice end: the runtime commits the outcomes queued since the last external call.
    await live.journal.flush();

    const second = world();
    const replayed = await second.wrap(store);
    second.state.fuel = 10n;
    expect(replayed.imports[CLOCK].now()).toBe(t1);
    second.state.fuel = 20n;
    expect(await replayed.imports[KV].set('a')).toEqual({ tag: 'ok', val: undefined });
    second.state.fuel = 30n;
    expect(() => replayed.imports[KV].get('boom')).toThrow(expect.objectContaining({ code: 'not-found', message: 'no such key' }));
    expect(second.effects).toEqual([]);
    // Past the journal the agent runs live again, appending after the replayed entries.
    second.state.fuel = 40n;
    await replayed.imports[KV].set('b');
    expect(second.effects).toEqual([{ key: 'b', idempotencyKey: replayed.journal.entries[3].idempotencyKey }]);
    expect(replayed.journal.length).toBe(4);
  });

  it('makes an external call durable as started before its effect runs, and retries it with the same key', async () => {
    const store = new MemoryStore();
    const first = world();
    const live = await first.wrap(store);
    let seenBeforeEffect: unknown;
    // Simulated crash: the effect happens, but the host dies before its outcome is journaled.
    const fresh = new MemoryStore();
    first.state.beforeEffect = async () => {
      const entries = (await Journal.open(store, 'agent-1')).entries;
      seenBeforeEffect = entries[0]?.state;
      for (const entry of entries) await fresh.put(`agents/agent-1/journal/${String(entry.seq).padStart(12, '0')}`, new TextEncoder().encode(JSON.stringify(entry)));
    };
    await live.imports[KV].set('pay');
    expect(seenBeforeEffect).toBe('started');

    const second = world();
    const retried = await second.wrap(fresh);
    await retried.imports[KV].set('pay');
    expect(second.effects).toEqual([{ key: 'pay', idempotencyKey: first.effects[0].idempotencyKey }]);
    await retried.journal.flush();
    expect((await Journal.open(fresh, 'agent-1')).entries[0]).toMatchObject({ state: 'completed', seq: 0 });
  });

  it('reports a different call during replay as replay-divergence', async () => {
    const store = new MemoryStore();
    const first = world();
    await (await first.wrap(store)).imports[KV].set('a');
    const second = world();
    const replayed = await second.wrap(store);
    expect(() => replayed.imports[KV].set('b')).toThrow(expect.objectContaining({ code: 'replay-divergence' }));
    expect(second.effects).toEqual([]);
  });

  it('does not journal the outcome of a call interrupted by a stop', async () => {
    const store = new MemoryStore();
    const w = world();
    const { imports, journal } = await w.wrap(store);
    w.state.stopped = true;
    await expect(imports[KV].get('boom')).rejects.toMatchObject({ code: 'not-found' });
    expect(journal.entries[0].state).toBe('started');
    expect(journal.pending).toBe(0);
  });

  it('commits once per external call: an outcome is written with the next started entry, reads ride along', async () => {
    const store = new CountingStore();
    const w = world();
    const { imports, journal } = await w.wrap(store);
    for (let i = 0; i < 5; i++) {
      w.state.fuel = BigInt(10 * i);
      await imports[KV].set(`k${i}`);
      w.state.fuel += 1n;
      await imports[KV].get(`k${i}`);
      imports[CLOCK].now();
    }
    expect(store.commits).toBe(5);
    expect(journal.pending).toBe(3);
    await journal.flush();
    expect(store.commits).toBe(6);
    expect((await Journal.open(store, 'agent-1')).entries.map((e) => e.state)).toEqual(Array(15).fill('completed'));
  });

  it('has every earlier outcome durable by the time the next effect runs', async () => {
    const store = new MemoryStore();
    const w = world();
    const { imports } = await w.wrap(store);
    await imports[KV].set('a');
    w.state.fuel = 1n;
    await imports[KV].get('x');
    let crashed: MemoryStore | undefined;
    w.state.beforeEffect = async () => void (crashed = await crashCopy(store));
    w.state.fuel = 2n;
    await imports[KV].set('b');
    // Killed while `b` runs: `a` and the read before it are there with their outcomes, `b` as started.
    const entries = (await Journal.open(crashed!, 'agent-1')).entries;
    expect(entries.map((e) => [e.function, e.state])).toEqual([['set', 'completed'], ['get', 'completed'], ['set', 'started']]);
  });

  it('retries with the same key an external call whose outcome the guest saw but no commit carried yet, and re-runs later reads', async () => {
    const store = new MemoryStore();
    const first = world();
    const live = await first.wrap(store);
    await live.imports[KV].set('pay');
    first.state.fuel = 1n;
    await live.imports[KV].get('x');
    // Killed here: the guest saw both outcomes, nothing outside depended on them, and the store holds `pay` as started.
    const second = world();
    const recovered = await second.wrap(await crashCopy(store));
    expect(recovered.journal.entries.map((e) => e.state)).toEqual(['started']);
    await recovered.imports[KV].set('pay');
    second.state.fuel = 1n;
    expect(await recovered.imports[KV].get('x')).toEqual({ tag: 'ok', val: new TextEncoder().encode('x') });
    expect(second.effects).toEqual([{ key: 'pay', idempotencyKey: first.effects[0].idempotencyKey }]);
    expect(recovered.journal.length).toBe(2);
  });
});
