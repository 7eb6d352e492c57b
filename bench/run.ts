/**
 * Runs every benchmark (`bench/**\/*.bench.ts`) in its own Node process, so one
 * bench's heap and JIT state cannot colour another's, and gathers their results.
 *
 * Usage: `node bench/run.ts [--json] [--filter <substring>] [--out <dir>]`.
 * Writes `<out>/<area>-<name>.json` per bench and `<out>/latest.json`; prints a
 * table, or with `--json` one object `{"results":[…]}`.
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

/** Runs the benches whose path contains `filter` and returns all their results. */
export async function runBenches(options: { filter?: string; out?: string; log?: (line: string) => void } = {}) {
  const log = options.log ?? (() => {});
  const out = options.out ?? join(benchDir, 'results');
  mkdirSync(out, { recursive: true });
  const machine = { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryBytes: totalmem() };
  const all: BenchResult[] = [];
  const failures: { bench: string; error: string }[] = [];
  for (const file of findBenches(benchDir)) {
    const rel = relative(benchDir, file);
    if (options.filter && !rel.includes(options.filter)) continue;
    log(`running ${rel}`);
    const { results, error } = await runOne(file);
    if (error) failures.push({ bench: rel, error });
    const withMachine = results.map((r) => ({ ...r, conditions: { ...machine, ...r.conditions } }));
    const id = rel.replace(/\.bench\.ts$/, '').replaceAll('/', '-');
    writeFileSync(join(out, `${id}.json`), JSON.stringify({ bench: rel, at: new Date().toISOString(), results: withMachine, error }, null, 2) + '\n');
    all.push(...withMachine);
  }
  writeFileSync(join(out, 'latest.json'), JSON.stringify({ at: new Date().toISOString(), machine, results: all, failures }, null, 2) + '\n');
  return { results: all, failures };
}

function formatValue(r: BenchResult): string {
  const v = Math.abs(r.value) >= 100 ? r.value.toFixed(0) : r.value.toPrecision(3);
  return `${v} ${r.unit}`;
}

if (process.argv[1] && basename(process.argv[1]) === 'run.ts') {
  const { values } = parseArgs({ options: { json: { type: 'boolean' }, filter: { type: 'string' }, out: { type: 'string' } } });
  const { results, failures } = await runBenches({ filter: values.filter, out: values.out, log: (l) => process.stderr.write(`${l}\n`) });
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
