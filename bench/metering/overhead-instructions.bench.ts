/**
 * Metering overhead counted in instructions retired instead of wall clock, so
 * that the load of a shared machine does not move the figure: each core
 * workload of bench/metering/workloads.ts runs once metered (instrument's
 * defaults) and once unmetered, each in its own Node process under valgrind's
 * callgrind, which counts only inside the workload (instructions-child.mjs).
 * V8 compiles everything with TurboFan up front (--no-liftoff, no lazy
 * compilation), as it would once a hot workload has tiered up.
 *
 * Without Liftoff there are no call counts, so V8 inlines by a static budget
 * and also inlines the never-taken slow paths (the entry trampolines) that
 * production tiering leaves alone, which fills its budget with cold code; the
 * `calls` workload is therefore also counted with --no-wasm-inlining, the
 * metering work alone.
 *
 * Instruction counts are not time (a spill costs less than a division), but
 * they track what the metering code adds; bench/sandbox/metering-overhead
 * gives the wall-clock figures beside them.
 *
 * Needs valgrind (Debian: apt-get install -y valgrind) and wabt; without
 * valgrind every result is reported with value -1 and conditions.skipped.
 * Run: npx node bench/metering/overhead-instructions.bench.ts   (BENCH_QUICK=1: fib only)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { instrument } from '../../packages/sandbox/src/index.ts';
import { QUICK, baseConditions, emit, round, wat2wasm, type BenchResult } from '../support.ts';
import { WORKLOADS_WAT } from './workloads.ts';

const CHILD = new URL('./instructions-child.mjs', import.meta.url).pathname;
const V8_FLAGS = ['--no-liftoff', '--no-wasm-tier-up', '--no-wasm-lazy-compilation'];
const ARGS: Record<string, number> = QUICK ? { calls: 1 } : { loops: 300, copysum: 1, calls: 1 };

function hasValgrind(): boolean {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Instructions callgrind counted inside the workload, and what the export returned. */
function count(file: string, name: string, arg: number, extraFlags: string[] = []): { instructions: number; result: string } {
  const child = spawnSync('valgrind', [
    '--tool=callgrind', '--collect-atstart=no', '--toggle-collect=Builtins_TypedArrayPrototypeFindLastIndex',
    // V8 writes and patches machine code at run time: valgrind must notice.
    '--smc-check=all-non-file', '--callgrind-out-file=/dev/null',
    process.execPath, ...V8_FLAGS, ...extraFlags, CHILD, file, name, String(arg),
  ], { encoding: 'utf8', timeout: 120_000 });
  const collected = /Collected\s*:\s*(\d+)/.exec(child.stderr);
  if (child.status !== 0 || !collected) throw new Error(`callgrind run of ${name} failed: ${child.stderr.slice(-2000)}`);
  return { instructions: Number(collected[1]), result: child.stdout.trim() };
}

const results: BenchResult[] = [];
const source = wat2wasm(WORKLOADS_WAT);
const metered = instrument(source).bytes;
const available = hasValgrind();
const dir = mkdtempSync(join(tmpdir(), 'agentos-instructions-'));
try {
  const plainFile = join(dir, 'plain.wasm');
  const meteredFile = join(dir, 'metered.wasm');
  writeFileSync(plainFile, source);
  writeFileSync(meteredFile, metered);
  const runs: [string, number, string[]][] = Object.entries(ARGS).map(([name, arg]) => [name, arg, []]);
  runs.push(['calls', ARGS.calls, ['--no-wasm-inlining']]);
  for (const [name, arg, extraFlags] of runs) {
    const label = extraFlags.length > 0 ? `${name}.no-wasm-inlining` : name;
    const conditions = { workload: name, arg, v8Flags: [...V8_FLAGS, ...extraFlags].join(' '), tool: 'valgrind callgrind', instrument: 'defaults' };
    if (!available) {
      results.push({ name: `metering.overhead-instructions.${label}`, value: -1, unit: '%', target: null, conditions: baseConditions({ ...conditions, skipped: 'valgrind not found' }) });
      continue;
    }
    const plain = count(plainFile, name, arg, extraFlags);
    const withFuel = count(meteredFile, name, arg, extraFlags);
    if (plain.result !== withFuel.result) throw new Error(`${name}: metered returned ${withFuel.result}, unmetered ${plain.result}`);
    results.push({
      name: `metering.overhead-instructions.${label}`,
      value: round((withFuel.instructions / plain.instructions - 1) * 100, 3),
      unit: '%',
      target: null,
      conditions: baseConditions({ ...conditions, unmeteredInstructions: plain.instructions, meteredInstructions: withFuel.instructions }),
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
emit(results);
