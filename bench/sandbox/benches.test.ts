/**
 * Runs each sandbox bench in quick mode (`BENCH_QUICK=1`), the way
 * bench/run.ts does (own Node process, --expose-gc), and checks that it prints
 * well-formed results: the contract of docs/CONTRACTS.md "Benchmarks", the
 * names the README table expects, and a `met` that agrees with value and
 * target. Figures from quick runs mean nothing, so no timing is asserted.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { median, quantile } from '../support.ts';

const DIR = new URL('./', import.meta.url);

interface Result {
  name: string;
  value: number;
  unit: string;
  target: string | null;
  met?: boolean;
  conditions: Record<string, unknown>;
}

function runQuick(file: string): Result[] {
  const child = spawnSync(process.execPath, ['--expose-gc', new URL(file, DIR).pathname], {
    env: { ...process.env, BENCH_QUICK: '1' },
    encoding: 'utf8',
    timeout: 90_000,
  });
  if (child.status !== 0) throw new Error(`${file} exited with ${child.status}: ${child.stderr.slice(-3000)}`);
  const last = child.stdout.trim().split('\n').pop() ?? '';
  const parsed = JSON.parse(last) as { results: Result[] };
  expect(Array.isArray(parsed.results)).toBe(true);
  return parsed.results;
}

/** Whether `value` satisfies a target such as "< 1 µs", "≤ 64 KiB" or ">= 50 MB/s". */
function satisfies(value: number, target: string): boolean {
  const match = /^\s*(<=|>=|≤|≥|<|>)\s*([\d.]+)/.exec(target);
  if (!match) throw new Error(`unparsable target '${target}'`);
  const limit = Number(match[2]);
  switch (match[1]) {
    case '<': return value < limit;
    case '>': return value > limit;
    case '<=': case '≤': return value <= limit;
    default: return value >= limit;
  }
}

function checkContract(results: Result[], expectedNames: string[]): void {
  expect(results.map((r) => r.name)).toEqual(expect.arrayContaining(expectedNames));
  for (const r of results) {
    expect(typeof r.name).toBe('string');
    expect(Number.isFinite(r.value), `${r.name} value ${r.value}`).toBe(true);
    expect(r.unit.length).toBeGreaterThan(0);
    expect(r.conditions).toMatchObject({ node: process.version, quick: true });
    if (r.target === null) {
      expect(r.met).toBeUndefined();
    } else {
      expect(typeof r.met, `${r.name} has a target but no met`).toBe('boolean');
      expect(r.met, `${r.name}: met disagrees with ${r.value} ${r.unit} vs ${r.target}`).toBe(satisfies(r.value, r.target));
    }
  }
}

describe('sandbox benches in quick mode', () => {
  it('call.bench.ts reports scalar and 1 KiB string call costs per layer', () => {
    const results = runQuick('call.bench.ts');
    checkContract(results, ['sandbox.call.scalar', 'sandbox.call.scalar.layer-core', 'sandbox.call.scalar.layer-glue', 'sandbox.call.scalar.layer-engine-sync', 'sandbox.call.string-1kib', 'sandbox.call.string-1kib.layer-glue']);
    const scalar = results.find((r) => r.name === 'sandbox.call.scalar')!;
    expect(scalar.target).toBe('< 1 µs');
    // A wasm call alone is cheaper than the same call through the glue and the engine.
    const core = results.find((r) => r.name === 'sandbox.call.scalar.layer-core')!;
    expect(core.value).toBeLessThan(scalar.value);
  });

  it('instantiate.bench.ts reports p50 instantiation of adder and of a QuickJS tool', () => {
    const results = runQuick('instantiate.bench.ts');
    checkContract(results, ['sandbox.instantiate.small', 'sandbox.instantiate.small.layer-core', 'sandbox.instantiate.quickjs-tool']);
    expect(results.find((r) => r.name === 'sandbox.instantiate.quickjs-tool')!.conditions.coreModules).toBeGreaterThan(1);
  });

  it('memory.bench.ts reports host bytes per idle instance without linear memory', () => {
    const results = runQuick('memory.bench.ts');
    checkContract(results, ['sandbox.memory.idle-instance.small', 'sandbox.memory.idle-instance.quickjs-tool']);
    const small = results.find((r) => r.name === 'sandbox.memory.idle-instance.small')!;
    expect(small.value).toBeGreaterThan(0);
    // adder's linear memory (17 pages) is measured apart from, not inside, the figure.
    expect(small.conditions.linearMemoryKiBPerInstance).toBeGreaterThan(small.value);
  });

  it('metering-overhead.bench.ts reports every workload, the geometric mean and the worst case', () => {
    const results = runQuick('metering-overhead.bench.ts');
    const workloads = ['loops', 'copysum', 'calls', 'quickjs'];
    checkContract(results, [...workloads.map((w) => `sandbox.metering-overhead.${w}`), 'sandbox.metering-overhead.geomean', 'sandbox.metering-overhead.worst']);
    const worst = results.find((r) => r.name === 'sandbox.metering-overhead.worst')!;
    const each = workloads.map((w) => results.find((r) => r.name === `sandbox.metering-overhead.${w}`)!.value);
    expect(worst.value).toBeCloseTo(Math.max(...each), 1);
  });
});

describe('bench statistics', () => {
  it('takes quantiles by nearest rank without reordering the input', () => {
    const values = [5, 1, 4, 2, 3];
    expect(median(values)).toBe(3);
    expect(quantile(values, 0.9)).toBe(5);
    expect(quantile(values, 0)).toBe(1);
    expect(values).toEqual([5, 1, 4, 2, 3]);
  });
});
