/**
 * Cost of one call into a live instance, per layer (see layers.ts):
 *   - scalar: adder's `docs:adder/add@0.1.0#add(u32, u32) -> u32`, target < 1 µs;
 *   - string: strings' `roundtrip(s: string) -> string` with 1 KiB of ASCII
 *     (lowered into guest memory, lifted back), target < 2 µs.
 * Both are Rust + wit-bindgen components from jco's fixtures, so the figure is
 * the boundary itself, not a guest language runtime. Metered, unlimited fuel.
 *
 * Statistic: median over samples of the mean time of a batch of back-to-back calls.
 * Run: npx node --expose-gc bench/sandbox/call.bench.ts   (BENCH_QUICK=1 for a short run)
 */
import { Engine, Store, linkImports } from '../../packages/sandbox/src/index.ts';
import { instantiateCores, loadLayers } from './layers.ts';
import { QUICK, baseConditions, conformanceComponent, emit, median, round, sampleMicros, sampleMicrosSync, type BenchResult } from './support.ts';

const SAMPLES = QUICK ? 5 : 41;
const BATCH = QUICK ? 200 : 5_000;
const STRING_BYTES = 1024;

const engine = new Engine();
const results: BenchResult[] = [];

type Layer = 'core' | 'glue' | 'engine';

function report(options: { name: string; target: string; limitUs: number; perLayer: Partial<Record<Layer, number[]>>; conditions: Record<string, unknown> }): void {
  const layers = Object.fromEntries(Object.entries(options.perLayer).map(([layer, samples]) => [layer, round(median(samples!))]));
  const value = layers.engine;
  results.push({
    name: options.name,
    value,
    unit: 'µs',
    target: options.target,
    met: value < options.limitUs,
    conditions: baseConditions({ ...options.conditions, samples: SAMPLES, batch: BATCH, statistic: 'median of batch means', fuel: 'unlimited', metered: true, layersUs: layers }),
  });
  for (const [layer, us] of Object.entries(layers)) {
    if (layer === 'engine') continue;
    results.push({ name: `${options.name}.layer-${layer}`, value: us, unit: 'µs', target: null, conditions: baseConditions({ ...options.conditions, layer }) });
  }
}

// Scalar call: adder.
{
  const adder = await loadLayers(engine, conformanceComponent('adder.component.wasm'));
  const store = new Store({ fuel: 'unlimited' });
  const [core] = await instantiateCores(adder.component, store);
  const coreAdd = core.exports['docs:adder/add@0.1.0#add'] as (a: number, b: number) => number;
  const glue = (await adder.instantiateGlue(store, linkImports([...adder.component.imports], {})))['docs:adder/add@0.1.0'] as { add(a: number, b: number): number };
  const instance = await adder.component.instantiate(store);
  const path = 'docs:adder/add@0.1.0#add';
  if (coreAdd(40, 2) !== 42 || glue.add(40, 2) !== 42 || (await instance.call(path, [40, 2])) !== 42) throw new Error('adder returned a wrong sum');
  let i = 0;
  report({
    name: 'sandbox.call.scalar',
    target: '< 1 µs',
    limitUs: 1,
    perLayer: {
      core: sampleMicrosSync(() => coreAdd(i++, 1), { samples: SAMPLES, batch: BATCH }),
      glue: sampleMicrosSync(() => glue.add(i++, 1), { samples: SAMPLES, batch: BATCH }),
      engine: await sampleMicros(() => instance.call(path, [i++, 1]), { samples: SAMPLES, batch: BATCH }),
    },
    conditions: { component: 'adder.component.wasm', export: path },
  });
}

// String round trip: strings.
{
  const strings = await loadLayers(engine, conformanceComponent('strings.component.wasm'));
  const store = new Store({ fuel: 'unlimited' });
  const glue = (await strings.instantiateGlue(store, linkImports([...strings.component.imports], {}))) as { roundtrip(s: string): string };
  const instance = await strings.component.instantiate(store);
  const text = 'agentos '.repeat(STRING_BYTES / 8);
  if (glue.roundtrip(text) !== text || (await instance.call('roundtrip', [text])) !== text) throw new Error('roundtrip changed the string');
  report({
    name: 'sandbox.call.string-1kib',
    target: '< 2 µs',
    limitUs: 2,
    perLayer: {
      glue: sampleMicrosSync(() => glue.roundtrip(text), { samples: SAMPLES, batch: BATCH }),
      engine: await sampleMicros(() => instance.call('roundtrip', [text]), { samples: SAMPLES, batch: BATCH }),
    },
    conditions: { component: 'strings.component.wasm', export: 'roundtrip', stringBytes: STRING_BYTES, encoding: 'utf-8 (ASCII)' },
  });
}

// Where the engine layer's time goes beyond the glue: one awaited no-op async call, for scale.
{
  const noop = async (x: number) => x;
  let i = 0;
  const samples = await sampleMicros(() => noop(i++), { samples: SAMPLES, batch: BATCH });
  results.push({ name: 'sandbox.call.js-await-floor', value: round(median(samples)), unit: 'µs', target: null, conditions: baseConditions({ what: 'await of an async JS function returning its argument: the floor under any Promise-returning call API' }) });
}

emit(results);
