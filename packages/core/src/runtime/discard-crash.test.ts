/**
 * Compaction with discard, crashed at every store write: a resident agent's host dies at the N-th
 * write (that write and every later one never reach the store, as with a killed process), for every
 * N over the agent's life — so also between a snapshot and the delete of the entries before it, and
 * between a slice's record and its discard. A new host over what the store holds must recover the
 * agent, and its memory must hold, in order and once each, every message the dead host acknowledged
 * (its `run()` returned) and possibly the one after.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../sandbox/src/index.ts';
import { buildAgent } from '../../../../test/e2e/agents.ts';
import { POLICY, ScriptedModel, TENANT, worldCapabilities } from '../../../../test/e2e/world.ts';
import { Bus } from '../bus/index.ts';
import { readSnapshot } from '../durable/index.ts';
import { Journal } from '../journal/index.ts';
import { PolicyEngine } from '../policy/index.ts';
import { MemoryStore, type BatchOp, type ListOptions, type Precondition, type Store } from '../store/index.ts';
import { MemoryKv, Runtime } from './index.ts';

const engine = new Engine();
const budget = { fuel: 5_000_000_000, tokens: 10_000 };
const MESSAGES = 5;
let echoBytes: Uint8Array;

beforeAll(async () => {
  echoBytes = await buildAgent('echo');
});

/** The disk of a host that dies at its `limit`-th write: from then on nothing is written (each write throws). */
class DyingStore implements Store {
  readonly disk: MemoryStore;
  readonly #limit: number;
  writes = 0;

  constructor(disk: MemoryStore, limit: number) {
    this.disk = disk;
    this.#limit = limit;
  }

  get dead(): boolean {
    return this.writes >= this.#limit;
  }

  #write(): void {
    this.writes++;
    if (this.dead) throw new Error('host killed');
  }

  get(key: string) {
    return this.disk.get(key);
  }

  list(options?: ListOptions) {
    return this.disk.list(options);
  }

  async put(key: string, value: Uint8Array) {
    this.#write();
    return this.disk.put(key, value);
  }

  async delete(key: string) {
    this.#write();
    return this.disk.delete(key);
  }

  async batch(ops: readonly BatchOp[], options?: { preconditions?: readonly Precondition[] }) {
    this.#write();
    return this.disk.batch(ops, options);
  }
}

async function host(store: Store) {
  const bus = new Bus();
  const runtime = new Runtime({
    engine, audit: () => {}, capabilities: worldCapabilities(), policy: new PolicyEngine({ policy: POLICY }), bus,
    scheduler: { kind: 'fcfs', sliceFuel: 300_000 }, checkEvery: 50_000n,
    implementations: { llm: new ScriptedModel(), kv: new MemoryKv() },
    // Each message journals two entries: a snapshot (and a discard) after every message.
    durable: { store, compactEvery: 2 },
  });
  await runtime.registerAgent('echo', echoBytes);
  return { runtime, bus, desk: bus.attach('desk') };
}

/** Spawns the echo agent and sends it MESSAGES messages, one per `run()`; @returns how many runs returned before the host died. */
async function life(store: DyingStore): Promise<{ acknowledged: number; completed: boolean }> {
  let acknowledged = 0;
  try {
    const world = await host(store);
    const id = await world.runtime.spawn({ type: 'echo', goal: 'hi', tenant: TENANT, budget, resident: true });
    await world.runtime.run();
    for (let n = 1; n <= MESSAGES; n++) {
      world.desk.send(id, { n });
      world.bus.flush();
      await world.runtime.run();
      if (store.dead) break;
      acknowledged = n;
    }
    return { acknowledged, completed: !store.dead };
  } catch (error) {
    if (!store.dead) throw error;
    return { acknowledged, completed: false };
  }
}

describe('compaction with discard under a crash at every store write', () => {
  it('always recovers the agent with every acknowledged message, in order and once, and a journal that starts at or before its snapshot', async () => {
    let completed = false;
    let crashes = 0;
    let compactedRecoveries = 0;
    for (let limit = 1; !completed && limit < 400; limit++) {
      const disk = new MemoryStore();
      const dying = new DyingStore(disk, limit);
      const before = await life(dying);
      completed = before.completed;
      if (completed) break;
      crashes++;

      const after = await host(disk);
      const { restored, failed } = await after.runtime.recover();
      expect(failed, `crash at write ${limit}`).toEqual([]);
      if (restored.length === 0) {
        // Died before the agent's first record: nothing was acknowledged.
        expect(before.acknowledged).toBe(0);
        continue;
      }
      const [id] = restored;
      const journal = await Journal.open(disk, id);
      const snapshot = await disk.get(`agents/${id}/snapshot`);
      if (journal.first > 0) {
        compactedRecoveries++;
        expect(snapshot, `crash at write ${limit}: a compacted journal needs its snapshot`).toBeDefined();
        expect(readSnapshot(snapshot!.value).seq).toBeGreaterThanOrEqual(journal.first);
      }
      await after.runtime.run();
      const reply = after.desk.request(id, 'last', { timeoutMs: 5000 });
      after.bus.flush();
      await after.runtime.run();
      const { history } = (await reply) as { history: unknown[] };
      const delivered = history.slice(0, -1) as { n: number }[];
      expect(history.at(-1)).toBe('last');
      // A prefix of what was sent, each once: every acknowledged message, maybe the one in flight when the host died.
      expect(delivered).toEqual(Array.from({ length: delivered.length }, (_, i) => ({ n: i + 1 })));
      expect(delivered.length, `crash at write ${limit}`).toBeGreaterThanOrEqual(before.acknowledged);
      expect(delivered.length).toBeLessThanOrEqual(before.acknowledged + 1);
      after.runtime.terminate(id);
    }
    expect(completed).toBe(true);
    expect(crashes).toBeGreaterThan(20);
    // Some crashes hit an agent whose journal had already been compacted.
    expect(compactedRecoveries).toBeGreaterThan(0);
  }, 120_000);
});
