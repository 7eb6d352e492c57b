import { beforeAll, describe, expect, it } from 'vitest';
import { Engine, stateView, Store as SandboxStore, type Component } from '../../../sandbox/src/engine/index.ts';
import { instrument } from '../../../sandbox/src/metering/index.ts';
import { buildFixture } from '../../../../test/fixtures/index.ts';
import { Journal, Replay } from '../journal/index.ts';
import { MemoryStore, type Store } from '../store/index.ts';
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
    journal, replay: new Replay(journal.entries, from), fuelUsed: () => sandbox.fuel.used, now: () => 0,
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
});
