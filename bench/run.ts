/**
 * Runs every benchmark (`bench/**\/*.bench.ts`) in its own Node process, so one
 * bench's heap and JIT state cannot colour another's, and gathers their results.
 *
 * Usage: `node bench/run.ts [--json] [--filter <substring>] [--out <dir>] [--repeat <n>]`.
 * Writes `<out>/<area>-<name>.json` per bench and `<out>/latest.json`; prints a
 * table, or with `--json` one object `{"results":[…]}`.
 *
 * Repeats. The machines these run on are shared, and their speed drifts by tens
 * of percent over minutes, longer than one bench takes. So every bench runs
 * `repeat` times (default 3; 1 under BENCH_QUICK=1), in rounds — each round runs
 * every bench once — so that a slow spell lands in one round of several benches
 * rather than in every round of one. Each result is reported, name by name, as
 * its median round gave it (with an even count, the upper middle one), whole,
 * conditions included, and its `conditions.repeats` lists the value of every
 * round. (So two results of one bench may come from different rounds.)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  target: string | null;
  conditions: Record<string, unknown>;
  /** Whether `value` meets `target`, when the bench can tell. */
  met?: boolean;
}

const benchDir = dirname(new URL(import.meta.url).pathname);

function findBenches(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'results' || name === 'node_modules') continue;
    if (statSync(path).isDirectory()) out.push(...findBenches(path));
    else if (name.endsWith('.bench.ts')) out.push(path);
  }
  return out.sort();
}

function runOne(file: string): Promise<{ results: BenchResult[]; error?: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--expose-gc', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        const parsed = JSON.parse(last) as { results: BenchResult[] };
        if (!Array.isArray(parsed.results)) throw new Error('no results array');
        resolve({ results: parsed.results, error: code === 0 ? undefined : `exit ${code}` });
      } catch (e) {
        resolve({ results: [], error: `exit ${code}: ${(e as Error).message}; stderr: ${stderr.slice(-2000)}` });
      }
    });
  });
}

/** Runs the benches whose path contains `filter` (`repeat` rounds, see above) and returns all their results. */
export async function runBenches(options: { filter?: string; out?: string; repeat?: number; log?: (line: string) => void } = {}) {
  const log = options.log ?? (() => {});
  const out = options.out ?? join(benchDir, 'results');
  const repeat = options.repeat ?? (process.env.BENCH_QUICK === '1' ? 1 : 3);
  if (!Number.isInteger(repeat) || repeat < 1 || repeat > 99) throw new Error(`repeat must be an integer from 1 to 99, got ${repeat}`);
  mkdirSync(out, { recursive: true });
  const machine = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryBytes: totalmem() };
  const benches = findBenches(benchDir).map((file) => relative(benchDir, file)).filter((rel) => !options.filter || rel.includes(options.filter));
  const rounds = new Map<string, BenchResult[][]>(benches.map((rel) => [rel, []]));
  const errors = new Map<string, string>();
  for (let round = 1; round <= repeat; round++) {
    for (const rel of benches) {
      log(repeat > 1 ? `running ${rel} (round ${round} of ${repeat})` : `running ${rel}`);
      const { results, error } = await runOne(join(benchDir, rel));
      if (error) errors.set(rel, errors.has(rel) ? `${errors.get(rel)}; ${error}` : error);
      if (results.length > 0) rounds.get(rel)!.push(results);
    }
  }
  const all: BenchResult[] = [];
  const failures: { bench: string; error: string }[] = [];
  for (const rel of benches) {
    const error = errors.get(rel);
    if (error) failures.push({ bench: rel, error });
    const results = medianRound(rounds.get(rel)!).map((r) => ({ ...r, conditions: { ...machine, ...r.conditions } }));
    const id = rel.replace(/\.bench\.ts$/, '').replaceAll('/', '-');
    writeFileSync(join(out, `${id}.json`), JSON.stringify({ bench: rel, at: new Date().toISOString(), results, error }, null, 2) + '\n');
    all.push(...results);
  }
  writeFileSync(join(out, 'latest.json'), JSON.stringify({ at: new Date().toISOString(), machine, repeat, results: all, failures }, null, 2) + '\n');
  return { results: all, failures };
}

/**
 * Per result name, in the first round's order: the result of the median round (upper middle
 * for an even count), with every round's value in `conditions.repeats`.
 */
function medianRound(rounds: BenchResult[][]): BenchResult[] {
  if (rounds.length <= 1) return rounds[0] ?? [];
  const byName = new Map<string, BenchResult[]>();
  for (const results of rounds) {
    for (const r of results) {
      const runs = byName.get(r.name);
      if (runs) runs.push(r);
      else byName.set(r.name, [r]);
    }
  }
  return [...byName.values()].map((runs) => {
    const sorted = [...runs].sort((a, b) => a.value - b.value);
    const middle = sorted[sorted.length >> 1];
    return { ...middle, conditions: { ...middle.conditions, repeats: { values: runs.map((r) => r.value), statistic: 'median of the rounds (each round a separate process)' } } };
  });
}

function formatValue(r: BenchResult): string {
  const v = Math.abs(r.value) >= 100 ? r.value.toFixed(0) : r.value.toPrecision(3);
  return `${v} ${r.unit}`;
}

if (process.argv[1] && basename(process.argv[1]) === 'run.ts') {
  const { values } = parseArgs({ options: { json: { type: 'boolean' }, filter: { type: 'string' }, out: { type: 'string' }, repeat: { type: 'string' } } });
  const repeat = values.repeat === undefined ? undefined : Number(values.repeat);
  const { results, failures } = await runBenches({ filter: values.filter, out: values.out, repeat, log: (l) => process.stderr.write(`${l}\n`) });
  if (values.json) {
    process.stdout.write(JSON.stringify({ results, failures }) + '\n');
  } else {
    for (const r of results) {
      const met = r.met === undefined ? '' : r.met ? '  ok' : '  MISSED';
      process.stdout.write(`${r.name.padEnd(60)} ${formatValue(r).padStart(18)}  target ${r.target ?? '-'}${met}\n`);
    }
    for (const f of failures) process.stdout.write(`FAILED ${f.bench}: ${f.error}\n`);
  }
  process.exitCode = failures.length ? 1 : 0;
}
