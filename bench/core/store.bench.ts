/**
 * Store benchmark: operations per second of the in-memory backend (put of new
 * keys, overwrite, get, a 100-key prefix page) and of an agent workspace on top
 * of it (path checks, quota ledger and atomic batch on every put).
 *
 * Every operation is awaited one after another, as an agent's code would.
 * Values are 128 random bytes; keys look like `agent/<id>/files/notes/<n>.md`.
 * Each figure is the median of several runs after a warm-up run, timed by
 * process CPU time (stable on a shared machine; wall rate in conditions).
 *
 * Run: npx node --expose-gc bench/core/store.bench.ts   (BENCH_QUICK=1 for a short run)
 * Prints: {"results":[{"name","value","unit","target","conditions"}]}
 */
import { MemoryStore, Workspaces } from '../../packages/core/src/store/index.ts';
import { QUICK, baseConditions as machine, cpuSeconds, emit, gc, median, type BenchResult } from '../support.ts';

const OPS = QUICK ? 10_000 : 50_000;
const RUNS = QUICK ? 3 : 5;
const VALUE = crypto.getRandomValues(new Uint8Array(128));

const baseConditions = machine({
  runs: RUNS,
  statistic: 'median',
  timing: 'process CPU time (user+system); median wall-clock rate in wallRate',
  valueBytes: VALUE.byteLength,
});

const keys = Array.from({ length: OPS }, (_, i) => `agent/a1/files/notes/${i}.md`);
const paths = Array.from({ length: OPS }, (_, i) => `notes/${i}.md`);

/** `prepare` builds fresh state outside the timed region; `work` is timed and returns its operation count. */
async function measure(prepare: () => Promise<unknown>, work: (state: never) => Promise<number>): Promise<{ value: number; wallRate: number }> {
  const rates: number[] = [];
  const walls: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const state = await prepare();
    gc();
    const cpu = process.cpuUsage();
    const wall = performance.now();
    const count = await work(state as never);
    const seconds = cpuSeconds(cpu);
    if (i === 0) continue; // warm-up
    rates.push(count / seconds);
    walls.push(count / ((performance.now() - wall) / 1000));
  }
  return { value: Math.round(median(rates)), wallRate: Math.round(median(walls)) };
}

async function filledStore(): Promise<MemoryStore> {
  const store = new MemoryStore();
  for (const key of keys) await store.put(key, VALUE);
  await store.list({ limit: 1 }); // merge new keys into the sorted index outside the timed region
  return store;
}

const results: BenchResult[] = [];
async function add(name: string, unit: string, target: string | null, conditions: Record<string, unknown>, prepare: () => Promise<unknown>, work: (state: never) => Promise<number>): Promise<void> {
  const { value, wallRate } = await measure(prepare, work);
  results.push({ name, value, unit, target, conditions: { ...baseConditions, ...conditions, wallRate } });
}

await add('store.memory.put-new.ops-per-second', 'ops/s', null, { ops: OPS, keys: 'all new' },
  async () => new MemoryStore(),
  async (store: MemoryStore) => {
    for (const key of keys) await store.put(key, VALUE);
    return OPS;
  });

await add('store.memory.put-overwrite.ops-per-second', 'ops/s', null, { ops: OPS, keysHeld: OPS },
  filledStore,
  async (store: MemoryStore) => {
    for (const key of keys) await store.put(key, VALUE);
    return OPS;
  });

await add('store.memory.get.ops-per-second', 'ops/s', null, { ops: OPS, keysHeld: OPS, hits: 'all' },
  filledStore,
  async (store: MemoryStore) => {
    let found = 0;
    for (const key of keys) if ((await store.get(key)) !== undefined) found++;
    if (found !== OPS) throw new Error('missing keys');
    return OPS;
  });

const PAGES = OPS / 100;
await add('store.memory.list-page.pages-per-second', 'pages/s', null, { pages: PAGES, pageSize: 100, keysHeld: OPS },
  filledStore,
  async (store: MemoryStore) => {
    for (let i = 0; i < PAGES; i++) {
      const page = await store.list({ prefix: `agent/a1/files/notes/${1 + (i % 9)}`, limit: 100 });
      if (page.keys.length !== 100) throw new Error('short page');
    }
    return PAGES;
  });

await add('store.workspace.put.ops-per-second', 'ops/s', null, { ops: OPS, keys: 'all new', quota: '1 GiB / 1M keys', includes: 'path check, quota ledger, guarded atomic batch' },
  async () => {
    const workspace = new Workspaces({ store: new MemoryStore(), quota: { maxBytes: 2 ** 30, maxKeys: 1_000_000 } }).for('a1');
    await workspace.usage(); // load the (empty) ledger outside the timed region
    return workspace;
  },
  async (workspace: ReturnType<Workspaces['for']>) => {
    for (const path of paths) await workspace.put(path, VALUE);
    return OPS;
  });

await add('store.workspace.get.ops-per-second', 'ops/s', null, { ops: OPS, keysHeld: OPS },
  async () => {
    const workspace = new Workspaces({ store: await filledStore() }).for('a1');
    return workspace;
  },
  async (workspace: ReturnType<Workspaces['for']>) => {
    for (const path of paths) if ((await workspace.get(path)) === undefined) throw new Error('missing');
    return OPS;
  });

emit(results);
