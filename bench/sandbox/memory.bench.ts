/**
 * Host memory per idle instance, excluding the guest's linear memory: N live
 * instances (each in its own Store, kept reachable), measured after a full GC as
 *   Δ(V8 heap used) + Δ(external) − Σ(linear memory bytes of the N instances)
 * and divided by N. `external` counts ArrayBuffer backing stores, which is
 * where V8 accounts wasm memories (checked here: the subtraction would go
 * negative otherwise); compiled code is shared by all instances and is not
 * part of the figure. Target for a small component (adder): ≤ 64 KiB.
 *
 * Also reported: the floor (the bare core instances of adder, no glue) and a
 * QuickJS tool (echo fixture), for scale.
 * Run: npx node --expose-gc bench/sandbox/memory.bench.ts   (BENCH_QUICK=1 for a short run)
 */
import { Engine, Store, type Component } from '../../packages/sandbox/src/index.ts';
import { buildFixture } from '../../test/fixtures/index.ts';
import { instantiateCores } from './layers.ts';
import { QUICK, baseConditions, conformanceComponent, emit, gc, round, type BenchResult } from '../support.ts';

if (!(globalThis as { gc?: unknown }).gc) throw new Error('run with --expose-gc: the figure needs a full GC before each reading');

const engine = new Engine();
const results: BenchResult[] = [];

interface Reading {
  heapUsed: number;
  external: number;
}

function read(): Reading {
  gc();
  gc();
  const { heapUsed, external } = process.memoryUsage();
  return { heapUsed, external };
}

/** Creates `n` live instances with `make`, returning per-instance bytes and the parts of the figure. */
async function perInstance(n: number, make: (store: Store) => Promise<unknown>): Promise<Record<string, number>> {
  // Warm-up: lazy glue and engine state are not per instance. The warm-up instance stays
  // reachable: were it collected between the readings, its freed memory would skew Δ external.
  const live: unknown[] = [await make(new Store({ fuel: 'unlimited' }))];
  const stores: Store[] = [];
  const before = read();
  for (let i = 0; i < n; i++) {
    const store = new Store({ fuel: 'unlimited' });
    stores.push(store);
    live.push(await make(store));
  }
  const after = read();
  const linear = stores.reduce((sum, s) => sum + s.sampleMemory(), 0);
  const heap = after.heapUsed - before.heapUsed;
  const external = after.external - before.external - linear;
  if (live.length !== n + 1) throw new Error('instances were lost');
  return {
    bytes: (heap + external) / n,
    heapBytes: heap / n,
    externalBytesBesideLinearMemory: external / n,
    linearMemoryBytes: linear / n,
  };
}

function push(options: { name: string; n: number; figures: Record<string, number>; target?: { text: string; max: number }; conditions: Record<string, unknown> }): void {
  const kib = options.figures.bytes / 1024;
  results.push({
    name: options.name,
    value: round(kib, 3),
    unit: 'KiB',
    target: options.target?.text ?? null,
    ...(options.target ? { met: kib <= options.target.max } : {}),
    conditions: baseConditions({
      ...options.conditions,
      instances: options.n,
      heapKiBPerInstance: round(options.figures.heapBytes / 1024, 3),
      externalKiBPerInstanceBesideLinearMemory: round(options.figures.externalBytesBesideLinearMemory / 1024, 3),
      linearMemoryKiBPerInstance: round(options.figures.linearMemoryBytes / 1024, 3),
      formula: '(Δ heapUsed + Δ external − Σ linear memory) / instances, after gc()',
    }),
  });
}

const adder: Component = await engine.load(conformanceComponent('adder.component.wasm'));
const N = QUICK ? 50 : 1_000;
push({
  name: 'sandbox.memory.idle-instance.small',
  n: N,
  figures: await perInstance(N, (store) => adder.instantiate(store)),
  target: { text: '≤ 64 KiB', max: 64 },
  conditions: { component: 'adder.component.wasm', through: 'Component.instantiate', metered: true },
});
push({
  name: 'sandbox.memory.idle-instance.small.layer-core',
  n: N,
  figures: await perInstance(N, (store) => {
    // Stores only see memories the engine tracks; track the bare instance's too.
    return instantiateCores(adder, store).then((instances) => {
      for (const i of instances) for (const v of Object.values(i.exports)) if (v instanceof WebAssembly.Memory) store.trackMemory(v);
      return instances;
    });
  }),
  conditions: { component: 'adder.component.wasm', through: 'WebAssembly.instantiate of the core module only' },
});

const echo = await engine.load((await buildFixture('echo')).bytes);
const M = QUICK ? 5 : 50;
push({
  name: 'sandbox.memory.idle-instance.quickjs-tool',
  n: M,
  figures: await perInstance(M, (store) => echo.instantiate(store, { imports: { 'agentos:runtime/log': { log: () => {} } } })),
  conditions: { component: 'echo fixture (componentize-qjs)', through: 'Component.instantiate', metered: true },
});

emit(results);
