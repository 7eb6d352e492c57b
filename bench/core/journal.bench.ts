/**
 * Durable agents: what journaling costs per capability call, how fast replay
 * serves a journal, and snapshot/restore time for a 16 MiB agent.
 * - append overhead: an async host call (kv.get-shaped arguments and result)
 *   through the journaled wrapper, awaiting the Store write of its entry before
 *   returning (no batching: every acknowledged step is durable), minus the same
 *   call unwrapped; in-memory Store (the Node engineer measures node:sqlite).
 *   Also sync calls (clock-shaped, buffered and written in one batch per 100).
 * - replay: calls served from a recorded journal through the same wrapper
 *   (argument + fuel check, decoding), calls/s.
 * - snapshot/restore: the `alloc` tool (QuickJS) loaded with state exports and grown
 *   to 16 MiB; capture every core instance's memories and mutable globals (snapshotStore)
 *   and put it in the Store; get it back and restore it into a freshly instantiated
 *   instance (restoreStore; the instantiation is reported apart), checked byte for byte.
 * Targets: append < 20 µs, replay >= 100,000 calls/s, snapshot and restore < 50 ms each.
 * Run: `npx node --expose-gc bench/core/journal.bench.ts` (BENCH_QUICK=1 for a short run).
 */
import { cpus, loadavg } from 'node:os';
import { journalImports, restoreStore, snapshotStore } from '../../packages/core/src/durable/index.ts';
import { Engine, stateView, Store as SandboxStore } from '../../packages/sandbox/src/engine/index.ts';
import { instrument } from '../../packages/sandbox/src/metering/index.ts';
import { buildFixture } from '../../test/fixtures/index.ts';
import { Journal, Replay } from '../../packages/core/src/journal/index.ts';
import { MemoryStore } from '../../packages/core/src/store/index.ts';

const quick = process.env.BENCH_QUICK === '1' || process.argv.includes('--quick');
const CALLS = quick ? 2_000 : 50_000;
const SYNC_CALLS = quick ? 5_000 : 200_000;
const REPLAY_CALLS = quick ? 20_000 : 200_000;
const KV = 'agentos:runtime/kv';
const CLOCK = 'agentos:runtime/clock';
const value = new TextEncoder().encode('{"answer":"forty-two","turns":3}');

let fuel = 0n;
const host = {
  [KV]: { get: async (key: string) => ({ tag: 'ok', val: key.length > 0 ? value : undefined }) },
  [CLOCK]: { now: () => 1_717_588_800_000n },
};

async function wrapped(store: MemoryStore, agentId: string) {
  const journal = await Journal.open(store, agentId);
  const { imports } = journalImports(host, {
    journal, replay: new Replay(journal.entries), fuelUsed: () => fuel, now: () => 0,
    asyncFunctions: new Set([`${KV}#get`]), effectOf: () => 'read', stopped: () => false,
  });
  return { journal, imports: imports as unknown as typeof host };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function appendRun(): Promise<{ wrappedUs: number; bareUs: number }> {
  const store = new MemoryStore();
  const { imports } = await wrapped(store, `a-${Math.random()}`);
  let t = performance.now();
  for (let i = 0; i < CALLS; i++) {
    fuel += 1000n;
    await imports[KV].get(`notes/${i}`);
  }
  const wrappedUs = ((performance.now() - t) * 1000) / CALLS;
  t = performance.now();
  for (let i = 0; i < CALLS; i++) await host[KV].get(`notes/${i}`);
  const bareUs = ((performance.now() - t) * 1000) / CALLS;
  return { wrappedUs, bareUs };
}

async function syncRun(): Promise<number> {
  const store = new MemoryStore();
  const { imports, journal } = await wrapped(store, `s-${Math.random()}`);
  const t = performance.now();
  for (let i = 0; i < SYNC_CALLS; i++) {
    fuel += 10n;
    imports[CLOCK].now();
    if (i % 100 === 99) await journal.flush();
  }
  await journal.flush();
  return ((performance.now() - t) * 1000) / SYNC_CALLS;
}

async function replayRun(): Promise<number> {
  const store = new MemoryStore();
  fuel = 0n;
  const recorder = await wrapped(store, 'replayed');
  for (let i = 0; i < REPLAY_CALLS; i++) {
    fuel += 1000n;
    const call = recorder.imports[KV].get(`notes/${i}`);
    if (i % 1000 === 999) await call;
  }
  await recorder.journal.flush();
  const { imports } = await wrapped(store, 'replayed');
  fuel = 0n;
  const t = performance.now();
  for (let i = 0; i < REPLAY_CALLS; i++) {
    fuel += 1000n;
    imports[KV].get(`notes/${i}`);
  }
  return REPLAY_CALLS / ((performance.now() - t) / 1000);
}

/** The `alloc` tool with state exports, grown past 16 MiB of linear memory by allocating 15 MiB (a real component instance). */
const stateEngine = new Engine({ instrument: (bytes, options) => instrument(bytes, { ...options, exportState: true }) });
const alloc = await stateEngine.load((await buildFixture('alloc')).bytes);
const logImports = { 'agentos:runtime/log': { log: () => {} } };

async function snapshotRun(): Promise<{ snapshotMs: number; restoreMs: number; instantiateMs: number; bytes: number; memoryBytes: number }> {
  const sandbox = new SandboxStore({ fuel: 'unlimited' });
  const running = await alloc.instantiate(sandbox, { imports: logImports });
  await running.call('invoke', ['{"mb":15}']);
  const store = new MemoryStore();
  let t = performance.now();
  await store.put('agents/big/snapshot', snapshotStore(sandbox, { seq: 1000 }));
  const snapshotMs = performance.now() - t;
  t = performance.now();
  const fresh = new SandboxStore({ fuel: 'unlimited' });
  await alloc.instantiate(fresh, { imports: logImports });
  const instantiateMs = performance.now() - t;
  t = performance.now();
  const found = await store.get('agents/big/snapshot');
  restoreStore(fresh, found!.value);
  const restoreMs = performance.now() - t;
  const before = stateView(sandbox).memories;
  const after = stateView(fresh).memories;
  const memoryBytes = before.reduce((n, m) => n + m.buffer.byteLength, 0);
  const same = before.every((m, i) => m.buffer.byteLength === after[i].buffer.byteLength && Buffer.compare(new Uint8Array(m.buffer), new Uint8Array(after[i].buffer)) === 0);
  if (!same || fresh.fuel.used !== sandbox.fuel.used) throw new Error('restore did not reproduce the instance');
  return { snapshotMs, restoreMs, instantiateMs, bytes: found!.value.length, memoryBytes };
}

await appendRun(); // warm-up
const appends = [];
for (let r = 0; r < 5; r++) appends.push(await appendRun());
const overheadUs = median(appends.map((a) => a.wrappedUs - a.bareUs));
const syncUs = median([await syncRun(), await syncRun(), await syncRun()]);
await replayRun();
const replayPerSecond = median([await replayRun(), await replayRun(), await replayRun()]);
await snapshotRun();
const snaps = [await snapshotRun(), await snapshotRun(), await snapshotRun()];
const snapshotMs = median(snaps.map((s) => s.snapshotMs));
const restoreMs = median(snaps.map((s) => s.restoreMs));

const conditions = { loadAverage1m: +loadavg()[0].toFixed(2), cores: cpus().length, node: process.version, store: 'MemoryStore', quick };
console.log(JSON.stringify({
  results: [
    { name: 'journal append overhead per async call (durable before return)', value: +overheadUs.toFixed(2), unit: 'µs', target: '< 20 µs', met: overheadUs < 20, conditions: { ...conditions, calls: CALLS, bareCallUs: +median(appends.map((a) => a.bareUs)).toFixed(2), argsBytes: 12, resultBytes: value.length } },
    { name: 'journal append per sync call (buffered, flushed every 100)', value: +syncUs.toFixed(2), unit: 'µs', target: null, conditions: { ...conditions, calls: SYNC_CALLS } },
    { name: 'journal replay', value: Math.round(replayPerSecond), unit: 'calls/s', target: '>= 100000', met: replayPerSecond >= 100_000, conditions: { ...conditions, calls: REPLAY_CALLS } },
    { name: 'snapshot 16 MiB agent (capture + store put)', value: +snapshotMs.toFixed(2), unit: 'ms', target: '< 50 ms', met: snapshotMs < 50, conditions: { ...conditions, bytes: snaps[0].bytes, memoryBytes: snaps[0].memoryBytes, component: 'alloc' } },
    { name: 'restore 16 MiB agent (store get + grow + copy)', value: +restoreMs.toFixed(2), unit: 'ms', target: '< 50 ms', met: restoreMs < 50, conditions: { ...conditions, bytes: snaps[0].bytes, memoryBytes: snaps[0].memoryBytes, component: 'alloc', instantiateMs: +median(snaps.map((s) => s.instantiateMs)).toFixed(2) } },
  ],
}));
