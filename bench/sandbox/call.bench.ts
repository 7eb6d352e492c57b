/**
 * Cost of one call into a live instance, per layer (see layers.ts):
 *   - scalar: adder's `docs:adder/add@0.1.0#add(u32, u32) -> u32`, target < 1 µs;
 *   - string: strings' `roundtrip(s: string) -> string` with 1 KiB of ASCII
 *     (lowered into guest memory as UTF-16, lifted back), target < 2 µs.
 * Both are Rust + wit-bindgen components from jco's fixtures, so the figure is
 * the boundary itself, not a guest language runtime. Metered, unlimited fuel.
 *
 * Each layer is measured in its own child process: a layer measured after
 * another in the same process runs on inline caches and optimized code the
 * first one shaped (one more instance of the same glue was enough to turn the
 * whole path from ~1 µs into ~4 µs before the glue's classes were hoisted).
 * `engine` is `instance.call` (awaited), `engine-sync` is `instance.callSync`.
 *
 * Statistic: median over samples of the mean time of a batch of back-to-back calls.
 * Run: npx node --expose-gc bench/sandbox/call.bench.ts   (BENCH_QUICK=1 for a short run)
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Engine, Store, linkImports } from '../../packages/sandbox/src/index.ts';
import { instantiateCores, loadLayers } from './layers.ts';
import { QUICK, baseConditions, conformanceComponent, emit, median, round, sampleMicros, sampleMicrosSync, type BenchResult } from '../support.ts';

const SAMPLES = QUICK ? 5 : 41;
const BATCH = QUICK ? 200 : 5_000;
const STRING_BYTES = 1024;
const ADD = 'docs:adder/add@0.1.0#add';

/** One measurement: a case and a layer, run alone in a child process. */
const JOBS = {
  'scalar/core': async () => {
    const { component } = await loadLayers(new Engine(), conformanceComponent('adder.component.wasm'));
    const [core] = await instantiateCores(component, new Store({ fuel: 'unlimited' }));
    const add = core.exports[ADD] as (a: number, b: number) => number;
    if (add(40, 2) !== 42) throw new Error('adder returned a wrong sum');
    let i = 0;
    return sampleMicrosSync(() => add(i++, 1), { samples: SAMPLES, batch: BATCH });
  },
  'scalar/glue': async () => {
    const adder = await loadLayers(new Engine(), conformanceComponent('adder.component.wasm'));
    const glue = (await adder.instantiateGlue(new Store({ fuel: 'unlimited' }), linkImports([...adder.component.imports], {})))['docs:adder/add@0.1.0'] as { add(a: number, b: number): number };
    if (glue.add(40, 2) !== 42) throw new Error('adder returned a wrong sum');
    let i = 0;
    return sampleMicrosSync(() => glue.add(i++, 1), { samples: SAMPLES, batch: BATCH });
  },
  'scalar/engine': async () => {
    const component = await new Engine().load(conformanceComponent('adder.component.wasm'));
    const instance = await component.instantiate(new Store({ fuel: 'unlimited' }));
    if ((await instance.call(ADD, [40, 2])) !== 42) throw new Error('adder returned a wrong sum');
    let i = 0;
    return await sampleMicros(() => instance.call(ADD, [i++, 1]), { samples: SAMPLES, batch: BATCH });
  },
  'scalar/engine-sync': async () => {
    const component = await new Engine().load(conformanceComponent('adder.component.wasm'));
    const instance = await component.instantiate(new Store({ fuel: 'unlimited' }));
    if (instance.callSync(ADD, [40, 2]) !== 42) throw new Error('adder returned a wrong sum');
    let i = 0;
    return sampleMicrosSync(() => instance.callSync(ADD, [i++, 1]), { samples: SAMPLES, batch: BATCH });
  },
  'string/glue': async () => {
    const strings = await loadLayers(new Engine(), conformanceComponent('strings.component.wasm'));
    const glue = (await strings.instantiateGlue(new Store({ fuel: 'unlimited' }), linkImports([...strings.component.imports], {}))) as { roundtrip(s: string): string };
    const text = 'agentos '.repeat(STRING_BYTES / 8);
    if (glue.roundtrip(text) !== text) throw new Error('roundtrip changed the string');
    return sampleMicrosSync(() => glue.roundtrip(text), { samples: SAMPLES, batch: BATCH });
  },
  'string/engine': async () => {
    const component = await new Engine().load(conformanceComponent('strings.component.wasm'));
    const instance = await component.instantiate(new Store({ fuel: 'unlimited' }));
    const text = 'agentos '.repeat(STRING_BYTES / 8);
    if ((await instance.call('roundtrip', [text])) !== text) throw new Error('roundtrip changed the string');
    return await sampleMicros(() => instance.call('roundtrip', [text]), { samples: SAMPLES, batch: BATCH });
  },
  'string/engine-sync': async () => {
    const component = await new Engine().load(conformanceComponent('strings.component.wasm'));
    const instance = await component.instantiate(new Store({ fuel: 'unlimited' }));
    const text = 'agentos '.repeat(STRING_BYTES / 8);
    if (instance.callSync('roundtrip', [text]) !== text) throw new Error('roundtrip changed the string');
    return sampleMicrosSync(() => instance.callSync('roundtrip', [text]), { samples: SAMPLES, batch: BATCH });
  },
  'floor/js-await': async () => {
    const noop = async (x: number) => x;
    let i = 0;
    return await sampleMicros(() => noop(i++), { samples: SAMPLES, batch: BATCH });
  },
} satisfies Record<string, () => Promise<number[]>>;

type Job = keyof typeof JOBS;

/** Runs one job in a fresh Node process (same flags) and returns its samples. */
function runAlone(job: Job): number[] {
  const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url)], {
    env: { ...process.env, CALL_BENCH_JOB: job },
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  return JSON.parse(out.trim().split('\n').pop() ?? '[]') as number[];
}

const single = process.env.CALL_BENCH_JOB as Job | undefined;
if (single) {
  if (!(single in JOBS)) throw new Error(`unknown call bench job ${single}`);
  process.stdout.write(`${JSON.stringify(await JOBS[single]())}\n`);
} else {
  const results: BenchResult[] = [];
  const report = (options: { name: string; target: string; limitUs: number; layers: Partial<Record<string, Job>>; conditions: Record<string, unknown> }): void => {
    const us = Object.fromEntries(Object.entries(options.layers).map(([layer, job]) => [layer, round(median(runAlone(job!)))]));
    const value = us.engine;
    const common = { ...options.conditions, samples: SAMPLES, batch: BATCH, statistic: 'median of batch means', fuel: 'unlimited', metered: true, isolation: 'each layer in its own process' };
    results.push({ name: options.name, value, unit: 'µs', target: options.target, met: value < options.limitUs, conditions: baseConditions({ ...common, layersUs: us }) });
    for (const [layer, v] of Object.entries(us)) {
      if (layer === 'engine') continue;
      results.push({ name: `${options.name}.layer-${layer}`, value: v, unit: 'µs', target: null, conditions: baseConditions({ ...common, layer }) });
    }
  };
  report({
    name: 'sandbox.call.scalar',
    target: '< 1 µs',
    limitUs: 1,
    layers: { core: 'scalar/core', glue: 'scalar/glue', engine: 'scalar/engine', 'engine-sync': 'scalar/engine-sync' },
    conditions: { component: 'adder.component.wasm', export: ADD },
  });
  report({
    name: 'sandbox.call.string-1kib',
    target: '< 2 µs',
    limitUs: 2,
    layers: { glue: 'string/glue', engine: 'string/engine', 'engine-sync': 'string/engine-sync' },
    conditions: { component: 'strings.component.wasm', export: 'roundtrip', stringBytes: STRING_BYTES, encoding: 'utf-16 (the component lifts and lowers strings as UTF-16; ASCII content)' },
  });
  results.push({
    name: 'sandbox.call.js-await-floor',
    value: round(median(runAlone('floor/js-await'))),
    unit: 'µs',
    target: null,
    conditions: baseConditions({ what: 'await of an async JS function returning its argument: the floor under any Promise-returning call API' }),
  });
  emit(results);
}
