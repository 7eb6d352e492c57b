/**
 * Instantiation from a cached module: the component is loaded once (jco
 * transpile, metering, compile: all cached by the Engine), then instantiated
 * again and again into fresh Stores. p50 of single instantiations, per layer
 * (see layers.ts):
 *   - small: adder.component.wasm (Rust, one core module), target < 50 µs;
 *   - QuickJS tool: the `echo` fixture (~1.6 MB, QuickJS + the tool's JS, 13
 *     core modules incl. the WASI adapter's), target < 1 ms.
 * For adder, `core-sync` also instantiates its core module with the synchronous
 * `new WebAssembly.Instance`, to show what the Promise-based path costs.
 *
 * Run: npx node --expose-gc bench/sandbox/instantiate.bench.ts   (BENCH_QUICK=1 for a short run)
 */
import { Engine, Store, linkImports } from '../../packages/sandbox/src/index.ts';
import { buildFixture } from '../../test/fixtures/index.ts';
import { instantiateCores, loadLayers } from './layers.ts';
import { QUICK, baseConditions, conformanceComponent, emit, gc, quantile, round, type BenchResult } from '../support.ts';

const engine = new Engine();
const results: BenchResult[] = [];

/** Times `n` single runs of `op` (after `warmup` untimed ones), in µs each. */
async function timeEach(op: () => Promise<unknown>, n: number, warmup: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await op();
  gc();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await op();
    out.push((performance.now() - start) * 1000);
  }
  return out;
}

async function bench(options: {
  name: string;
  bytes: Uint8Array;
  imports: Record<string, Record<string, unknown>>;
  target: string;
  limitUs: number;
  n: number;
  withCore: boolean;
  conditions: Record<string, unknown>;
}): Promise<void> {
  const layers = await loadLayers(engine, options.bytes);
  const { component } = layers;
  const linked = linkImports([...component.imports], options.imports);
  // The public path first: a layer measured later runs on code the earlier ones warmed and shaped.
  const ops: Record<string, () => Promise<unknown>> = {};
  ops.engine = () => component.instantiate(new Store({ fuel: 'unlimited' }), { imports: options.imports });
  ops.glue = () => layers.instantiateGlue(new Store({ fuel: 'unlimited' }), linked);
  if (options.withCore) {
    ops.core = () => instantiateCores(component, new Store({ fuel: 'unlimited' }));
    ops['core-sync'] = () => instantiateCores(component, new Store({ fuel: 'unlimited' }), { sync: true });
  }
  const warmup = Math.max(5, Math.floor(options.n / 10));
  const p50: Record<string, number> = {};
  const p90: Record<string, number> = {};
  for (const [layer, op] of Object.entries(ops)) {
    const samples = await timeEach(op, options.n, warmup);
    p50[layer] = round(quantile(samples, 0.5));
    p90[layer] = round(quantile(samples, 0.9));
  }
  const conditions = baseConditions({
    ...options.conditions,
    componentBytes: options.bytes.length,
    coreModules: component.modules.size,
    metered: component.metered,
    instantiations: options.n,
    statistic: 'p50 of single instantiations (each into a new Store)',
    p90Us: p90.engine,
    layersP50Us: p50,
  });
  results.push({ name: options.name, value: p50.engine, unit: 'µs', target: options.target, met: p50.engine < options.limitUs, conditions });
  for (const layer of Object.keys(ops)) {
    if (layer === 'engine') continue;
    results.push({ name: `${options.name}.layer-${layer}`, value: p50[layer], unit: 'µs', target: null, conditions: baseConditions({ ...options.conditions, layer, p90Us: p90[layer] }) });
  }
}

await bench({
  name: 'sandbox.instantiate.small',
  bytes: conformanceComponent('adder.component.wasm'),
  imports: {},
  target: '< 50 µs',
  limitUs: 50,
  n: QUICK ? 20 : 2_000,
  withCore: true,
  conditions: { component: 'adder.component.wasm' },
});

const echo = await buildFixture('echo');
await bench({
  name: 'sandbox.instantiate.quickjs-tool',
  bytes: echo.bytes,
  imports: { 'agentos:runtime/log': { log: () => {} } },
  target: '< 1 ms',
  limitUs: 1000,
  n: QUICK ? 10 : 300,
  withCore: false,
  conditions: { component: 'echo fixture (componentize-qjs)' },
});

emit(results);
