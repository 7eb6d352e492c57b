/**
 * `agentos bench`: runs the repository's benchmarks (`bench/**\/*.bench.ts`,
 * each in its own Node process) through `bench/run.ts`, the same runner as
 * `npm run bench`, and prints their results with the targets they meet or
 * miss. Needs a checkout of the repository: the benches are not published.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AgentOsError } from '../errors/index.ts';
import { formatTable, parseFlags, usageError, type CliIo, type Command } from './command.ts';

const usage = `Usage: agentos bench [options]

Runs every benchmark under bench/ (each in its own process), writes
bench/results/<area>-<name>.json and bench/results/latest.json, and prints
each result with its target. Exits with 1 when a benchmark fails to run
(a missed target is reported, not an error).

Options:
  --json             print one JSON object {"results":[…],"failures":[…]}
  --filter <text>    run only the benches whose path under bench/ contains <text>
                     (e.g. sandbox/, core/audit)
  --out <dir>        where to write the result files (default bench/results)
  --repeat <n>       rounds of every bench, 1-99 (default 3, 1 with BENCH_QUICK=1);
                     each result is its median round's
  -h, --help         show this help

Set BENCH_QUICK=1 for short runs (smaller counts; figures are not meaningful).
`;

const FLAGS = { json: { type: 'boolean' }, filter: { type: 'string' }, out: { type: 'string' }, repeat: { type: 'string' } } as const;

/** What `bench/run.ts` exports (typed here so the CLI does not depend on files outside the package at type level). */
interface BenchRunner {
  runBenches(options: { filter?: string; out?: string; repeat?: number; log?: (line: string) => void }): Promise<{
    results: { name: string; value: number; unit: string; target: string | null; met?: boolean; conditions: Record<string, unknown> }[];
    failures: { bench: string; error: string }[];
  }>;
}

const RUNNER = new URL('../../../../bench/run.ts', import.meta.url);

export const command: Command = {
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(args, FLAGS, false);
    const repeat = values.repeat === undefined ? undefined : Number(values.repeat);
    if (repeat !== undefined && !(Number.isInteger(repeat) && repeat >= 1 && repeat <= 99)) {
      throw usageError(`--repeat takes a whole number of rounds from 1 to 99, got '${values.repeat}'`);
    }
    if (!existsSync(fileURLToPath(RUNNER))) {
      throw new AgentOsError('not-found', `No benchmark runner at ${fileURLToPath(RUNNER)}; run 'agentos bench' from a checkout of the agentos repository.`);
    }
    const { runBenches } = (await import(RUNNER.href)) as BenchRunner;
    const { results, failures } = await runBenches({
      filter: values.filter,
      out: values.out,
      repeat,
      log: (line) => io.stderr(`${line}\n`),
    });
    if (values.json) {
      io.stdout(`${JSON.stringify({ results, failures })}\n`);
    } else {
      const rows = [['name', 'value', 'target', 'met']];
      for (const r of results) rows.push([r.name, `${formatValue(r.value)} ${r.unit}`, r.target ?? '-', r.met === undefined ? '' : r.met ? 'yes' : 'MISSED']);
      io.stdout(`${formatTable(rows)}\n`);
      for (const f of failures) io.stdout(`FAILED ${f.bench}: ${f.error}\n`);
    }
    if (values.filter && results.length === 0 && failures.length === 0) {
      io.stderr(`agentos bench: no benchmark path contains '${values.filter}'\n`);
    }
    return failures.length ? 1 : 0;
  },
};

/** Three significant digits below 100, whole numbers above. */
function formatValue(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}
