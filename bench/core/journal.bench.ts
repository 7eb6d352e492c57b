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
 * - snapshot/restore: capture a 16 MiB memory into the snapshot format and put it
 *   in the Store; get it back and restore it into a fresh memory.
 * Targets: append < 20 µs, replay >= 100,000 calls/s, snapshot and restore < 50 ms each.
 * Run: `npx node --expose-gc bench/core/journal.bench.ts` (BENCH_QUICK=1 for a short run).
 */
import { cpus, loadavg } from 'node:os';
import { captureSnapshot, journalImports, readSnapshot, restoreSnapshot } from '../../packages/core/src/durable/index.ts';
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

async function snapshotRun(): Promise<{ snapshotMs: number; restoreMs: number; bytes: number }> {
  const pages = 256; // 16 MiB
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const view = new Uint8Array(memory.buffer);
  for (let i = 0; i < view.length; i += 4096) view[i] = i & 0xff;
  const store = new MemoryStore();
  let t = performance.now();
  await store.put('agents/big/snapshot', captureSnapshot({ seq: 1000, fuelUsed: 123n, memories: [memory] }));
  const snapshotMs = performance.now() - t;
  const fresh = new WebAssembly.Memory({ initial: 1, maximum: pages });
  t = performance.now();
  const found = await store.get('agents/big/snapshot');
  restoreSnapshot(readSnapshot(found!.value), { memories: [fresh] });
  const restoreMs = performance.now() - t;
  if (new Uint8Array(fresh.buffer)[4096] !== (4096 & 0xff) || fresh.buffer.byteLength !== memory.buffer.byteLength) throw new Error('restore did not reproduce the memory');
  return { snapshotMs, restoreMs, bytes: found!.value.length };
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
    { name: 'snapshot 16 MiB agent (capture + store put)', value: +snapshotMs.toFixed(2), unit: 'ms', target: '< 50 ms', met: snapshotMs < 50, conditions: { ...conditions, bytes: snaps[0].bytes } },
    { name: 'restore 16 MiB agent (store get + grow + copy)', value: +restoreMs.toFixed(2), unit: 'ms', target: '< 50 ms', met: restoreMs < 50, conditions: { ...conditions, bytes: snaps[0].bytes } },
  ],
}));
