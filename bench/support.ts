/**
 * What every bench shares: quick mode, the conditions every result carries,
 * order statistics, timing loops, the result line, and loaders for the inputs
 * (conformance components, .wat workloads compiled with wabt).
 *
 * Each bench prints one JSON line `{"results":[…]}` (docs/CONTRACTS.md,
 * "Benchmarks"); `bench/run.ts` adds the machine to every result's conditions.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { BenchResult } from './run.ts';

export type { BenchResult };

/** `BENCH_QUICK=1` (or `--quick`) shrinks every count so a bench finishes in seconds (used by the bench tests). */
export const QUICK = process.env.BENCH_QUICK === '1' || process.argv.includes('--quick');

const COMPONENTS = new URL('../../shared/conformance/components/', import.meta.url);

/** Bytes of a real component from /work/shared/conformance/components/. */
export function conformanceComponent(file: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(file, COMPONENTS)));
}

/**
 * Compiles WebAssembly text with wabt's `wat2wasm`.
 * @throws Error naming the package to install when `wat2wasm` is not on PATH.
 */
export function wat2wasm(text: string): Uint8Array {
  try {
    return new Uint8Array(execFileSync('wat2wasm', ['-', '--output=-'], { input: text, stdio: ['pipe', 'pipe', 'pipe'] }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('wat2wasm not found: install wabt (Debian: apt-get install -y wabt)');
    throw error;
  }
}

/** The 1-minute load average, rounded: the machine is shared, and a high load explains noisy figures. */
export function loadAverage(): number {
  return +os.loadavg()[0].toFixed(2);
}

/** What every result records about the run, beside what the bench adds itself. */
export function baseConditions(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    platform: `${os.platform()} ${os.arch()}`,
    loadAverage1m: loadAverage(),
    quick: QUICK,
    ...extra,
  };
}

/** The q-quantile (0..1) of `values` by nearest rank; `values` is not modified. */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) throw new Error('quantile of no values');
  const sorted = Array.from(values).sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export function median(values: ArrayLike<number>): number {
  return quantile(values, 0.5);
}

/** Rounds to `digits` significant digits, for readable JSON. */
export function round(value: number, digits = 4): number {
  return Number.isFinite(value) && value !== 0 ? +value.toPrecision(digits) : value;
}

/** Forces a full GC when the bench runs with `--expose-gc` (bench/run.ts passes it). */
export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Seconds of CPU (user + system, all threads) this process used since `start`, a `process.cpuUsage()` reading. */
export function cpuSeconds(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/** Process CPU time in ms: far steadier than wall time when other processes compete for the cores. */
export function cpuMs(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}

/**
 * Runs `run` once to warm up, then `runs` times with a GC before each, and
 * returns the median of what the timed runs returned.
 */
export async function medianOfRuns(runs: number, run: () => number | Promise<number>): Promise<number> {
  await run();
  const values: number[] = [];
  for (let i = 0; i < runs; i++) {
    gc();
    values.push(await run());
  }
  return median(values);
}

/**
 * Times `op` in batches of `batch` back-to-back awaited runs and returns the
 * time per run of each batch, in µs. Batching keeps `performance.now()`'s
 * own cost and resolution out of sub-microsecond figures.
 */
export async function sampleMicros(op: () => unknown, options: { samples: number; batch: number; warmup?: number }): Promise<number[]> {
  for (let i = 0; i < (options.warmup ?? options.batch * 5); i++) await op();
  const out: number[] = [];
  for (let s = 0; s < options.samples; s++) {
    const start = performance.now();
    for (let i = 0; i < options.batch; i++) await op();
    out.push(((performance.now() - start) * 1000) / options.batch);
  }
  return out;
}

/** Like `sampleMicros` for synchronous operations: no `await` between runs. */
export function sampleMicrosSync(op: () => unknown, options: { samples: number; batch: number; warmup?: number }): number[] {
  for (let i = 0; i < (options.warmup ?? options.batch * 5); i++) op();
  const out: number[] = [];
  for (let s = 0; s < options.samples; s++) {
    const start = performance.now();
    for (let i = 0; i < options.batch; i++) op();
    out.push(((performance.now() - start) * 1000) / options.batch);
  }
  return out;
}

/** What one `process.hrtime.bigint()` pair costs in ns, per sample, so per-call timings can be read net of it. */
export function timerOverheadNs(samples: number): Float64Array {
  const out = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const start = process.hrtime.bigint();
    out[i] = Number(process.hrtime.bigint() - start);
  }
  return out;
}

/** Prints the one result line bench/run.ts reads. */
export function emit(results: BenchResult[]): void {
  process.stdout.write(`${JSON.stringify({ results })}\n`);
}
