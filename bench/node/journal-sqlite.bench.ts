/**
 * Journal on SQLite: what journaling adds to each capability call of a
 * durable agent on the Node host, and how fast a journal comes back for replay.
 *
 * - external call (http.fetch, kv.set, …): `begin` + flush (the `started`
 *   entry, with the previous call's outcome, is durable before the effect
 *   runs), then `complete` (queued: it rides with the next commit, see
 *   durable/journaled-imports.ts for why no acknowledged step can be lost) —
 *   one durable write per call. With the store's default journal log (see
 *   packages/node/src/store/sqlite-store.ts) that write is one append to the
 *   log file beside the database, applied to SQLite in batches later; the
 *   `.no-log` rows commit one SQLite transaction per call instead. Measured
 *   with synchronous=NORMAL (the append/commit reached the OS: survives
 *   process crashes) and with synchronous=FULL (fdatasync per append, fsync
 *   per commit: survives power loss). WAL checkpoints run on the store's
 *   worker thread (the default); the `.inline-checkpoints` variant (no log)
 *   lets SQLite checkpoint inside the commits, for comparison.
 * - read call (clock, random, log): `begin` + `complete`, buffered; flushed
 *   together with the next external call (here: every 8 reads).
 * - replay load: `Journal.open` of a 10,000-entry journal + `Replay.next` of
 *   every entry, per journaled call.
 *
 * Per-call figures are wall-clock (fsync time is not CPU time), median of
 * several runs after a warm-up run; each run ends with a read, which applies
 * any journal-log record still pending (so the SQLite work is in the figure).
 * The machine is shared: the load average is in the conditions.
 *
 * Run: npx node --expose-gc bench/node/journal-sqlite.bench.ts   (BENCH_QUICK=1 for a short run)
 * Prints: {"results":[{"name","value","unit","target","conditions"}]}
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Journal, Replay } from '../../packages/core/src/journal/index.ts';
import { MemoryStore, type Store } from '../../packages/core/src/store/index.ts';
import { SqliteStore } from '../../packages/node/src/store/index.ts';

interface Result {
  name: string;
  value: number;
  unit: string;
  target: string | null;
  conditions: Record<string, unknown>;
}

const quick = process.env.BENCH_QUICK === '1' || process.argv.includes('--quick');
const RUNS = quick ? 3 : 5;
const CALLS = quick ? 500 : 3000;
const FULL_CALLS = quick ? 50 : 200;
const REPLAY_ENTRIES = quick ? 2000 : 10_000;
const dir = mkdtempSync(join(os.tmpdir(), 'agentos-journal-bench-'));

const baseConditions = {
  node: process.version,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  platform: `${os.platform()} ${os.arch()}`,
  loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
  runs: RUNS,
  statistic: 'median',
  store: 'SqliteStore (node:sqlite, WAL) on a file in os.tmpdir()',
};

// A typical http.fetch: a small JSON body as bytes out, a response as bytes back.
const REQUEST = { method: 'post', url: 'https://api.example/v1/items', headers: [['content-type', 'application/json']], body: new TextEncoder().encode('{"item":42,"note":"hello"}'), timeoutMs: undefined };
const RESPONSE = { status: 201, headers: [['content-type', 'application/json']], body: new TextEncoder().encode('{"id":"itm_123","ok":true}') };

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

let files = 0;
type Backend = 'full' | 'normal' | 'full-no-log' | 'normal-no-log' | 'normal-inline' | 'memory';
function freshStore(backend: Backend): Store & { close?: () => void } {
  if (backend === 'memory') return new MemoryStore();
  const path = join(dir, `j${files++}.db`);
  if (backend === 'normal-inline') return new SqliteStore({ path, synchronous: 'normal', checkpoints: 'inline', journalLog: false });
  if (backend === 'full-no-log' || backend === 'normal-no-log') return new SqliteStore({ path, synchronous: backend === 'full-no-log' ? 'full' : 'normal', journalLog: false });
  return new SqliteStore({ path, synchronous: backend });
}
async function freshJournal(backend: Backend): Promise<{ journal: Journal; store: Store & { close?: () => void } }> {
  const store = freshStore(backend);
  return { journal: await Journal.open(store, 'agent-1'), store };
}

/** Median µs per call over RUNS timed runs of `calls` calls each (plus a warm-up run). */
async function perCall(backend: Backend, calls: number, call: (journal: Journal, i: number) => Promise<void>): Promise<number> {
  const samples: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const { journal, store } = await freshJournal(backend);
    (globalThis as { gc?: () => void }).gc?.();
    const start = performance.now();
    for (let i = 0; i < calls; i++) await call(journal, i);
    await journal.flush();
    // A read ends the timed run: with the journal log it applies every record still pending, so
    // the figure includes all the SQLite work of the calls, not only their appends.
    await store.get('agents/agent-1/journal/000000000000');
    const elapsed = performance.now() - start;
    store.close?.();
    if (run > 0) samples.push((elapsed * 1000) / calls);
  }
  return Number(median(samples).toFixed(2));
}

async function externalCall(journal: Journal, i: number): Promise<void> {
  const entry = journal.begin({ interface: 'agentos:runtime/http', function: 'fetch', args: [REQUEST], effect: 'external', fuelAtCall: BigInt(1000 * i), startedAt: i });
  await journal.flush();
  journal.complete(entry.seq, { result: RESPONSE, endedAt: i + 1 });
}

async function readCall(journal: Journal, i: number): Promise<void> {
  const entry = journal.begin({ interface: 'agentos:runtime/clock', function: 'now', args: [], effect: 'read', fuelAtCall: BigInt(1000 * i), startedAt: i });
  journal.complete(entry.seq, { result: BigInt(i) * 1_000_000n, endedAt: i });
  if (i % 8 === 7) await journal.flush();
}

const results: Result[] = [];

const LOG = 'journal log on (default): one write() per call to <db>-log, drained into SQLite every 50 ms or 256 KiB';
const NO_LOG = 'journal log off: one SQLite transaction (BEGIN IMMEDIATE … COMMIT) per call';
results.push({
  name: 'journal.sqlite.external-call.normal', value: await perCall('normal', CALLS, externalCall), unit: 'µs/call', target: '< 20 µs',
  conditions: { ...baseConditions, synchronous: 'NORMAL', journalLog: LOG, checkpoints: 'background (worker thread)', calls: CALLS, durableWritesPerCall: 1, durability: 'every acknowledged entry survives a process crash (SIGKILL): the append reached the OS page cache before the flush resolved; power loss may drop the last appends' },
});
results.push({
  name: 'journal.sqlite.external-call.normal.no-log', value: await perCall('normal-no-log', CALLS, externalCall), unit: 'µs/call', target: null,
  conditions: { ...baseConditions, synchronous: 'NORMAL', journalLog: NO_LOG, checkpoints: 'background (worker thread)', calls: CALLS, durableWritesPerCall: 1, durability: 'every acknowledged entry survives a process crash (SIGKILL); power loss may drop the last commits' },
});
results.push({
  name: 'journal.sqlite.external-call.normal.inline-checkpoints', value: await perCall('normal-inline', CALLS, externalCall), unit: 'µs/call', target: null,
  conditions: { ...baseConditions, synchronous: 'NORMAL', journalLog: NO_LOG, checkpoints: 'inline (SQLite wal_autocheckpoint=1000, inside the commit)', calls: CALLS, durableWritesPerCall: 1 },
});
results.push({
  name: 'journal.sqlite.external-call.full', value: await perCall('full', FULL_CALLS, externalCall), unit: 'µs/call', target: null,
  conditions: { ...baseConditions, synchronous: 'FULL', journalLog: LOG, calls: FULL_CALLS, durableWritesPerCall: 1, durability: 'every acknowledged entry survives power loss (fdatasync per append)' },
});
results.push({
  name: 'journal.sqlite.external-call.full.no-log', value: await perCall('full-no-log', FULL_CALLS, externalCall), unit: 'µs/call', target: null,
  conditions: { ...baseConditions, synchronous: 'FULL', journalLog: NO_LOG, calls: FULL_CALLS, durableWritesPerCall: 1, durability: 'every acknowledged entry survives power loss (fsync per commit)' },
});
// Where the time goes: the journal's own work (encode, JSON, SHA-256 of the key, promises) on the
// in-memory store, and one bare SqliteStore.put (one committed transaction) of a journal-sized value.
results.push({
  name: 'journal.memory.external-call', value: await perCall('memory', CALLS, externalCall), unit: 'µs/call', target: null,
  conditions: { ...baseConditions, store: 'MemoryStore (no storage cost: the journal layer alone)', calls: CALLS },
});
{
  const value = new Uint8Array(400).fill(97);
  const samples: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    const store = new SqliteStore({ path: join(dir, `p${files++}.db`), synchronous: 'normal', journalLog: false });
    const start = performance.now();
    for (let i = 0; i < CALLS; i++) await store.put(`agents/agent-1/journal/${String(i).padStart(12, '0')}`, value);
    const elapsed = performance.now() - start;
    store.close();
    if (run > 0) samples.push((elapsed * 1000) / CALLS);
  }
  results.push({
    name: 'store.sqlite.put.normal', value: Number(median(samples).toFixed(2)), unit: 'µs/put', target: null,
    conditions: { ...baseConditions, synchronous: 'NORMAL', puts: CALLS, valueBytes: value.byteLength, note: 'one committed transaction per put: BEGIN IMMEDIATE, PRAGMA data_version, upsert, COMMIT; checkpoints on the worker thread' },
  });
}
results.push({
  name: 'journal.sqlite.read-call.normal', value: await perCall('normal', CALLS, readCall), unit: 'µs/call', target: '< 20 µs',
  conditions: { ...baseConditions, synchronous: 'NORMAL', journalLog: LOG, calls: CALLS, flushEvery: 8 },
});

// Replay: load a journal written by earlier runs and serve every entry.
{
  const { journal, store } = await freshJournal('normal');
  for (let i = 0; i < REPLAY_ENTRIES; i++) {
    if (i % 4 === 0) await externalCall(journal, i);
    else await readCall(journal, i);
  }
  await journal.flush();
  const rates: number[] = [];
  for (let run = 0; run <= RUNS; run++) {
    (globalThis as { gc?: () => void }).gc?.();
    const start = performance.now();
    const loaded = await Journal.open(store, 'agent-1');
    const replay = new Replay(loaded.entries);
    for (const entry of loaded.entries) replay.next({ interface: entry.interface, function: entry.function, args: entry.function === 'fetch' ? [REQUEST] : [], fuelAtCall: BigInt(entry.fuelAtCall) });
    const elapsed = performance.now() - start;
    if (run > 0) rates.push(loaded.length / (elapsed / 1000));
  }
  store.close?.();
  results.push({
    name: 'journal.sqlite.replay', value: Math.round(median(rates)), unit: 'calls/s', target: '≥ 100000 calls/s',
    conditions: { ...baseConditions, entries: REPLAY_ENTRIES, mix: '1 http.fetch : 3 clock.now', includes: 'Journal.open (one ordered scan, one JSON.parse per page) and Replay.next (args compared with the entry, result decoded)' },
  });
}

rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ results }));
