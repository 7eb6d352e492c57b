import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, stateView, Store as SandboxStore, type Component } from '../../../sandbox/src/engine/index.ts';
import { instrument } from '../../../sandbox/src/metering/index.ts';
import { buildFixture } from '../../../../test/fixtures/index.ts';
import { Journal, Replay } from '../journal/index.ts';
import { listAll, MemoryStore, type BatchOp, type BatchResult, type Store } from '../store/index.ts';
import { AgentStore } from './agent-store.ts';
import { compact, openSnapshot } from './compaction.ts';
import { journalImports } from './journaled-imports.ts';

const LOG = 'agentos:runtime/log';
const engine = new Engine({ instrument: (bytes, options) => instrument(bytes, { ...options, exportState: true }) });
let logger: Component;

beforeAll(async () => {
  logger = await engine.load((await buildFixture('logger')).bytes);
});

/** One host's view of agent `a`: a fresh instance whose log import is journaled, replaying from `from`. */
async function start(store: Store, from = 0, before?: (sandbox: SandboxStore) => void) {
  const journal = await Journal.open(store, 'a');
  const sandbox = new SandboxStore({ fuel: 'unlimited' });
  const counts = { live: 0, replayed: 0 };
  const { imports } = journalImports({ [LOG]: { log: () => void counts.live++ } }, {
    journal, replay: new Replay(journal, from), fuelUsed: () => sandbox.fuel.used, now: () => 0,
    asyncFunctions: new Set(), effectOf: () => 'read', stopped: () => false, onReplayed: () => void counts.replayed++,
  });
  const instance = await logger.instantiate(sandbox, { imports });
  before?.(sandbox);
  const invoke = (count: number) => instance.call('invoke', [JSON.stringify({ count })]);
  return { journal, sandbox, counts, invoke };
}

async function memoryDigest(sandbox: SandboxStore): Promise<string> {
  const hashes = await Promise.all(stateView(sandbox).memories.map((m) => crypto.subtle.digest('SHA-256', new Uint8Array(m.buffer).slice())));
  return hashes.map((h) => Array.from(new Uint8Array(h), (b) => b.toString(16).padStart(2, '0')).join('')).join(':');
}

/**
 * A MemoryStore whose next batch fails after applying `applyBefore` of its ops, one by one: worse than the
 * Store contract allows (batches are atomic), to show a discard survives even a store torn part-way.
 */
class TearingStore extends MemoryStore {
  applyBefore: number | undefined;
  override async batch(ops: readonly BatchOp[], options?: Parameters<MemoryStore['batch']>[1]): Promise<BatchResult> {
    const limit = this.applyBefore;
    if (limit === undefined) return super.batch(ops, options);
    this.applyBefore = undefined;
    for (const op of ops.slice(0, limit)) {
      if (op.type === 'put') await this.put(op.key, op.value);
      else await this.delete(op.key);
    }
    throw new Error(`storage failed after ${limit} of ${ops.length} operations`);
  }
}

const journalKeys = async (store: Store) => (await listAll(store, 'agents/a/journal/')).map((k) => Number(k.key.slice(-12)));

describe('compaction', () => {
  it('recovers from the last snapshot: same memory and fuel as the uninterrupted run, replaying only the entries after it', async () => {
    const store = new MemoryStore();
    const agents = new AgentStore(store);
    const first = await start(store);
    await first.invoke(5);
    expect(await compact({ agents, journal: first.journal, store: first.sandbox })).toMatchObject({ seq: 5 });
    await first.invoke(3);
    await first.journal.flush();
    expect(first.journal.length).toBe(8);

    // The host restarts: a fresh instance restored from the snapshot replays the second invocation only.
    const snapshot = await openSnapshot({ agents, agentId: 'a' });
    expect(snapshot?.from).toBe(5);
    const second = await start(store, snapshot!.from, (sandbox) => snapshot!.restore(sandbox));
    expect(await second.invoke(3)).toBe('{"logged":3}');
    expect(second.counts).toEqual({ live: 0, replayed: 3 });
    expect(second.sandbox.fuel.used).toBe(first.sandbox.fuel.used);
    expect(await memoryDigest(second.sandbox)).toBe(await memoryDigest(first.sandbox));
  });

  it('reaches the same state as a replay from the start, which serves every entry', async () => {
    const store = new MemoryStore();
    const agents = new AgentStore(store);
    const first = await start(store);
    await first.invoke(4);
    await compact({ agents, journal: first.journal, store: first.sandbox });
    await first.invoke(2);
    await first.journal.flush();

    const full = await start(store);
    await full.invoke(4);
    await full.invoke(2);
    expect(full.counts).toEqual({ live: 0, replayed: 6 });

    const snapshot = await openSnapshot({ agents, agentId: 'a' });
    const compacted = await start(store, snapshot!.from, (sandbox) => snapshot!.restore(sandbox));
    await compacted.invoke(2);
    expect(compacted.counts.replayed).toBe(2);
    expect(compacted.sandbox.fuel.used).toBe(full.sandbox.fuel.used);
    expect(await memoryDigest(compacted.sandbox)).toBe(await memoryDigest(full.sandbox));
  });

  it('has no snapshot to open before the first compaction', async () => {
    expect(await openSnapshot({ agents: new AgentStore(new MemoryStore()), agentId: 'a' })).toBeUndefined();
  });

  it('refuses to snapshot while the journal’s last call is still open', async () => {
    const store = new MemoryStore();
    const first = await start(store);
    first.journal.begin({ interface: LOG, function: 'log', args: [], effect: 'external', fuelAtCall: 0n, startedAt: 0 });
    await expect(compact({ agents: new AgentStore(store), journal: first.journal, store: first.sandbox })).rejects.toMatchObject({ code: 'illegal-state' });
  });

  it('with discard, deletes the entries before the snapshot, and snapshot + remaining entries replay to the uninterrupted state', async () => {
    const store = new MemoryStore();
    const agents = new AgentStore(store);
    const first = await start(store);
    await first.invoke(4);
    expect(await compact({ agents, journal: first.journal, store: first.sandbox, discard: true })).toMatchObject({ seq: 4, discarded: 4 });
    await first.invoke(3);
    await first.journal.flush();
    expect(await journalKeys(store)).toEqual([4, 5, 6]);
    expect(first.journal).toMatchObject({ first: 4, length: 7 });

    const snapshot = await openSnapshot({ agents, agentId: 'a' });
    const second = await start(store, snapshot!.from, (sandbox) => snapshot!.restore(sandbox));
    expect(second.journal.first).toBe(4);
    expect(await second.invoke(3)).toBe('{"logged":3}');
    expect(second.counts).toEqual({ live: 0, replayed: 3 });
    expect(second.sandbox.fuel.used).toBe(first.sandbox.fuel.used);
    expect(await memoryDigest(second.sandbox)).toBe(await memoryDigest(first.sandbox));
    // A replay from the start has nothing to start from any more: refused, never run on a wrong state.
    await expect(start(store)).rejects.toMatchObject({ code: 'illegal-state', details: { from: 0, first: 4 } });
  });

  it('keeps a replayable journal when the store fails part-way through the discard, and finishes it at the next compaction', async () => {
    const store = new TearingStore();
    const agents = new AgentStore(store);
    const first = await start(store);
    await first.invoke(5);
    await first.journal.flush();
    // The start marker and two of the five deletes land, then the store fails.
    store.applyBefore = 3;
    await expect(compact({ agents, journal: first.journal, store: first.sandbox, discard: true })).rejects.toThrow(/storage failed/);
    expect(await journalKeys(store)).toEqual([2, 3, 4]);
    await first.invoke(2);
    await first.journal.flush();

    // The host restarts: the journal opens where the deletes stopped, and the snapshot (durable before the discard) serves.
    const snapshot = await openSnapshot({ agents, agentId: 'a' });
    expect(snapshot?.from).toBe(5);
    const second = await start(store, snapshot!.from, (sandbox) => snapshot!.restore(sandbox));
    expect(second.journal.first).toBe(2);
    await second.invoke(2);
    expect(second.counts).toEqual({ live: 0, replayed: 2 });
    expect(second.sandbox.fuel.used).toBe(first.sandbox.fuel.used);
    expect(await memoryDigest(second.sandbox)).toBe(await memoryDigest(first.sandbox));
    expect(await compact({ agents, journal: second.journal, store: second.sandbox, discard: true })).toMatchObject({ seq: 7, discarded: 5 });
    expect(await journalKeys(store)).toEqual([]);
    expect((await Journal.open(store, 'a')).length).toBe(7);
  });

  it('leaves journal and snapshot untouched by a discard the store refused as a whole', async () => {
    const store = new TearingStore();
    const agents = new AgentStore(store);
    const first = await start(store);
    await first.invoke(3);
    await first.journal.flush();
    store.applyBefore = 0;
    await expect(compact({ agents, journal: first.journal, store: first.sandbox, discard: true })).rejects.toThrow(/storage failed/);
    expect(first.journal.first).toBe(0);
    expect(await journalKeys(store)).toEqual([0, 1, 2]);
    // Both ways back still work: from the start, or from the snapshot.
    const full = await start(store);
    await full.invoke(3);
    expect(full.counts).toEqual({ live: 0, replayed: 3 });
    expect(full.sandbox.fuel.used).toBe(first.sandbox.fuel.used);
  });
});
