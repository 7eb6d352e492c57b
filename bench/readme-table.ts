/**
 * Rewrites the `## Benchmarks` table of README.md from `bench/results/latest.json`,
 * so the README always shows the last full `npm run bench` (every result that has a
 * target, with whether it was met) and the conditions it ran under.
 *
 * Usage: `node bench/readme-table.ts` after `npm run bench`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './run.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const latest = JSON.parse(readFileSync(join(root, 'bench/results/latest.json'), 'utf8')) as {
  at: string;
  /** Rounds of every bench (bench/run.ts); absent in results from before rounds existed. */
  repeat?: number;
  machine: { node: string; cpu: string; cores: number; memoryBytes: number };
  results: BenchResult[];
  failures: { bench: string; error: string }[];
};

function value(r: BenchResult): string {
  const v = Math.abs(r.value) >= 100 ? Math.round(r.value).toString() : Number(r.value.toPrecision(3)).toString();
  return `${v} ${r.unit}`;
}

/** Scale factors of the units targets are written in, to compare a value with a target in another unit of the same kind. */
const UNITS: Record<string, number> = {
  ns: 1e-9, 'µs': 1e-6, us: 1e-6, ms: 1e-3, s: 1,
  B: 1, bytes: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3,
};

/** The factor of a unit such as `µs/op` or `KiB`, or undefined when it is not a known unit. */
function scale(unit: string | undefined): number | undefined {
  return unit === undefined ? undefined : UNITS[unit.split('/')[0].trim()];
}

/**
 * Whether a result meets a target such as `≥ 1000000`, `< 2 µs` or `<= 256 KiB`, converting between
 * time or size units; undefined when the bench did not say and the target cannot be read.
 */
export function meets(r: BenchResult): boolean | undefined {
  if (r.met !== undefined) return r.met;
  const match = /^\s*(≥|>=|>|≤|<=|<)\s*([\d_,.]+)\s*(\S+)?/.exec(r.target ?? '');
  if (!match) return undefined;
  let bound = Number(match[2].replace(/[_,]/g, ''));
  const [targetScale, valueScale] = [scale(match[3]), scale(r.unit)];
  if (match[3] !== undefined && targetScale !== undefined) {
    if (valueScale === undefined) return undefined;
    bound = (bound * targetScale) / valueScale;
  }
  switch (match[1]) {
    case '≥': case '>=': return r.value >= bound;
    case '>': return r.value > bound;
    case '≤': case '<=': return r.value <= bound;
    default: return r.value < bound;
  }
}

function metCell(r: BenchResult): string {
  const met = meets(r);
  return met === undefined ? '–' : met ? 'yes' : '**no**';
}

const loads = latest.results.map((r) => r.conditions.loadAverage1m).filter((l): l is number => typeof l === 'number');
const rows = latest.results
  .filter((r) => r.target !== null && r.target !== 'report' && r.target !== undefined)
  .map((r) => `| \`${r.name}\` | ${value(r)} | ${r.target} | ${metCell(r)} |`);
const m = latest.machine;
const table = [
  '## Benchmarks',
  '',
  '`npm run bench` (or `npx agentos bench [--json] [--filter core/]`) runs every `bench/**/*.bench.ts` in its own',
  'process and writes JSON results with their conditions to `bench/results/` (`latest.json` holds all);',
  '`node bench/readme-table.ts` then rewrites this table. Results that have a target, from the last full run' +
    ((latest.repeat ?? 1) > 1 ? ` (${latest.repeat} rounds of every bench, interleaved; each value is its median round's):` : ':'),
  '',
  '| benchmark | value | target | met |',
  '|---|---|---|---|',
  ...rows,
  '',
  `Conditions: ${m.cores}-core ${m.cpu}, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB, Node ${m.node}, run ${latest.at.slice(0, 16).replace('T', ' ')} UTC` +
    (loads.length ? `, 1-minute load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} during the run (a shared machine: timings carry noise).` : '.'),
  'Each result in `bench/results/` carries its own conditions (iterations, sizes, layer breakdowns).',
  ...(latest.failures.length ? ['', `Benches that failed to run: ${latest.failures.map((f) => `\`${f.bench}\``).join(', ')}.`] : []),
  '',
].join('\n');

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const start = readme.indexOf('## Benchmarks');
if (start < 0) throw new Error('README.md has no "## Benchmarks" section');
const next = readme.indexOf('\n## ', start + 1);
writeFileSync(join(root, 'README.md'), readme.slice(0, start) + table + (next < 0 ? '' : readme.slice(next + 1)));
process.stdout.write(`README.md: ${rows.length} benchmark rows\n`);
