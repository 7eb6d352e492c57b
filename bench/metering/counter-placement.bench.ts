/**
 * Where should a running function keep its fuel counter so V8 optimizes it
 * best? Three placements are measured against the unmetered module:
 *   - `global`: every charge reads and writes the imported mutable i64 global;
 *   - `local`:  the global is copied into a local at function entry and synced
 *               back around calls, returns and `exhausted` (see rewrite-code.ts);
 *   - `auto`:   `local` in functions that contain a loop, `global` elsewhere.
 * Workloads: a tight nested loop (charges dominate), recursive fib (calls
 * dominate), and a byte-hashing loop over linear memory (loads + loop).
 * The result decides `InstrumentOptions.counter`'s default. fib is exported here, so it never
 * takes the counter passed (counter-passing.ts): it measures the global's cost on calls; internal
 * recursion is measured by bench/sandbox/metering-overhead.bench.ts ('calls').
 *
 * Needs wabt's `wat2wasm` on PATH (Debian: apt-get install wabt).
 * Run: npx node bench/metering/counter-placement.bench.ts [--quick]   (or BENCH_QUICK=1)
 * Prints: {"results":[{"name","value","unit","target","conditions"}]}
 */
import { instrument, type CounterPlacement } from '../../packages/sandbox/src/metering/index.ts';
import { QUICK, baseConditions, cpuMs, emit, wat2wasm, type BenchResult } from '../support.ts';

const ROUNDS = QUICK ? 3 : 9;

const WAT = `(module
  (memory (export "memory") 16)
  (func $loops (export "loops") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $acc i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $acc (i32.xor (i32.add (local.get $acc) (i32.mul (local.get $i) (local.get $j))) (i32.const 0x5bd1e995)))
        (br_if $inner (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const 1000))))
      (br_if $outer (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $acc))
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1))) (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func $hash (export "hash") (param $rounds i32) (result i32) (local $p i32) (local $h i32)
    (local.set $h (i32.const 0x811c9dc5))
    (loop $r
      (local.set $p (i32.const 0))
      (loop $bytes
        (local.set $h (i32.mul (i32.xor (local.get $h) (i32.load8_u (local.get $p))) (i32.const 0x01000193)))
        (br_if $bytes (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (i32.const 1048576))))
      (br_if $r (local.tee $rounds (i32.sub (local.get $rounds) (i32.const 1)))))
    (local.get $h)))`;

const WORKLOADS: { name: string; arg: number }[] = [
  { name: 'loops', arg: QUICK ? 10_000 : 60_000 },
  { name: 'fib', arg: QUICK ? 27 : 32 },
  { name: 'hash', arg: QUICK ? 5 : 30 },
];

const source = wat2wasm(WAT);

type Variant = 'unmetered' | CounterPlacement;
function instantiate(variant: Variant): Record<string, (n: number) => number> {
  const bytes = variant === 'unmetered' ? source : instrument(source, { counter: variant }).bytes;
  const fuel = new WebAssembly.Global({ value: 'i64', mutable: true }, 2n ** 62n);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), {
    'agentos:fuel': { fuel, exhausted: () => { throw new Error('out of fuel'); } },
  });
  return instance.exports as Record<string, (n: number) => number>;
}

/**
 * Best of ROUNDS per variant (CPU time), with the variants interleaved inside each round so
 * that load from other processes hits all of them alike (on a contended
 * machine the minimum is the least disturbed run).
 */
function timeAll(fns: Record<Variant, () => number>): Record<Variant, { ms: number; result: number }> {
  const out = {} as Record<Variant, { ms: number; result: number }>;
  for (const v of variants) {
    fns[v](); // warm-up: tier up to TurboFan
    out[v] = { ms: Infinity, result: fns[v]() };
  }
  for (let i = 0; i < ROUNDS; i++) {
    for (const v of i % 2 ? [...variants].reverse() : variants) {
      const t = cpuMs();
      out[v].result = fns[v]();
      out[v].ms = Math.min(out[v].ms, cpuMs() - t);
    }
  }
  return out;
}

const PLACEMENTS: CounterPlacement[] = ['global', 'local', 'auto'];
const variants: Variant[] = ['unmetered', 'global', 'local', 'auto'];
const instances = Object.fromEntries(variants.map((v) => [v, instantiate(v)])) as Record<Variant, ReturnType<typeof instantiate>>;
const conditions = baseConditions({ rounds: ROUNDS, statistic: 'min CPU time over interleaved rounds' });
const results: BenchResult[] = [];
const overhead: Record<string, Record<string, number>> = {};
for (const w of WORKLOADS) {
  const times = timeAll({
    unmetered: () => instances.unmetered[w.name](w.arg),
    global: () => instances.global[w.name](w.arg),
    local: () => instances.local[w.name](w.arg),
    auto: () => instances.auto[w.name](w.arg),
  });
  const base = times.unmetered;
  for (const v of PLACEMENTS) {
    const t = times[v];
    if (t.result !== base.result) throw new Error(`${v} ${w.name} returned ${t.result}, expected ${base.result}`);
    const pct = +((t.ms / base.ms - 1) * 100).toFixed(1);
    (overhead[w.name] ??= {})[v] = pct;
    results.push({
      name: `metering.counter-${v}.${w.name}.overhead`, value: pct, unit: '%', target: null,
      conditions: { ...conditions, workload: w.name, arg: w.arg, unmeteredMs: +base.ms.toFixed(2), meteredMs: +t.ms.toFixed(2) },
    });
  }
}
const mean = (v: CounterPlacement) => WORKLOADS.reduce((s, w) => s + overhead[w.name][v], 0) / WORKLOADS.length;
const means = PLACEMENTS.map(mean);
const winner = means.indexOf(Math.min(...means));
results.push({
  name: 'metering.counter-placement.winner', value: winner, unit: PLACEMENTS.map((p, i) => `${i}=${p}`).join(' '), target: null,
  conditions: { ...conditions, winner: PLACEMENTS[winner], ...Object.fromEntries(PLACEMENTS.map((p, i) => [`meanOverhead.${p}`, +means[i].toFixed(1)])) },
});
emit(results);
