/**
 * Instrumenter throughput: MB of function-body bytes rewritten per second, on
 * the largest real core module we have (the main module of
 * hello_stdout.component.wasm, built by Rust + wit-bindgen, ~2 MB).
 *
 * Figures: `decode` (decoder + code scan only), `instrument` (rewrite with the
 * default 'auto' counter placement, host validation off; 'auto' writes a body
 * twice when it finds a loop), the same with the 'global' placement (one pass),
 * and `instrument+validate` (what a load does by default: `WebAssembly.validate`
 * on the input first). Target ≥ 50 MB/s for the rewrite.
 *
 * Run: npx node bench/metering/throughput.bench.ts [--quick]   (or BENCH_QUICK=1)
 * Prints: {"results":[{"name","value","unit","target","conditions"}]}
 */
import { instrument } from '../../packages/sandbox/src/metering/index.ts';
import { coreModules, decodeModule, encodeModule, scanCode } from '../../packages/sandbox/src/wasm/index.ts';
import { QUICK, baseConditions, conformanceComponent, cpuMs, emit, median } from '../support.ts';

const ROUNDS = QUICK ? 5 : 30;
/**
 * That module is 2 MB mostly of debug sections (~59 KB of code), so its
 * functions are appended COPIES times to reach a few MB of real compiler
 * output (still a valid module: the copies call the same functions).
 */
const COPIES = QUICK ? 10 : 40;

const modules = coreModules(conformanceComponent('hello_stdout.component.wasm'));
const real = modules.reduce((a, b) => (b.bytes.length > a.bytes.length ? b : a)).bytes.slice();
const big = replicateCode(real, COPIES);
const { stats } = instrument(big);
const codeMB = stats.codeBytes / 1e6;

function replicateCode(bytes: Uint8Array, copies: number): Uint8Array {
  const m = decodeModule(bytes);
  const functions = m.functions.slice();
  const code = m.code.slice();
  for (let i = 1; i < copies; i++) {
    m.functions.push(...functions);
    m.code.push(...code);
  }
  return encodeModule(m);
}

/**
 * Minimum CPU time and median wall time in ms. The value reported is the
 * minimum CPU time: on a shared, contended machine it is the run least
 * disturbed by others.
 */
function measure(fn: () => void): { min: number; median: number } {
  for (let i = 0; i < 5; i++) fn(); // warm-up: let the JIT settle
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    const c = cpuMs();
    fn();
    cpu.push(cpuMs() - c);
    wall.push(performance.now() - t);
  }
  return { min: Math.min(...cpu), median: median(wall) };
}

const decode = measure(() => scanCode(decodeModule(big)));
const rewrite = measure(() => instrument(big, { validate: false }));
const rewriteGlobal = measure(() => instrument(big, { validate: false, counter: 'global' }));
const full = measure(() => instrument(big));
const out = instrument(big).bytes;

const conditions = baseConditions({
  module: `hello_stdout.component.wasm, largest core module, functions x${COPIES}`,
  moduleBytes: big.length,
  codeBytes: stats.codeBytes,
  functions: stats.functions,
  outputBytes: out.length,
  growth: +(out.length / big.length).toFixed(3),
  rounds: ROUNDS,
  statistic: 'min CPU time over rounds (median wall time in medianMBps)',
});
const mbps = (ms: number) => +(codeMB / (ms / 1000)).toFixed(1);
const figures = (t: { min: number; median: number }) => ({ ms: +t.min.toFixed(2), medianMBps: mbps(t.median) });
const results = [
  { name: 'metering.decode-scan.throughput', value: mbps(decode.min), unit: 'MB/s', target: null, conditions: { ...conditions, ...figures(decode) } },
  {
    name: 'metering.instrument.throughput', value: mbps(rewrite.min), unit: 'MB/s', target: '≥ 50 MB/s', met: mbps(rewrite.min) >= 50,
    conditions: { ...conditions, ...figures(rewrite), validate: false, counter: 'auto (default)' },
  },
  {
    name: 'metering.instrument-global-counter.throughput', value: mbps(rewriteGlobal.min), unit: 'MB/s', target: null,
    conditions: { ...conditions, ...figures(rewriteGlobal), validate: false, counter: 'global' },
  },
  { name: 'metering.instrument+validate.throughput', value: mbps(full.min), unit: 'MB/s', target: null, conditions: { ...conditions, ...figures(full), validate: true } },
];
emit(results);
