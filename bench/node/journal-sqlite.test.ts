/**
 * Runs the journal-on-SQLite bench in quick mode (`BENCH_QUICK=1`), in its own
 * Node process as bench/run.ts does, and checks the shape of what it prints
 * (docs/CONTRACTS.md "Benchmarks"). Quick figures mean nothing: no timing is asserted.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

describe('bench/node/journal-sqlite.bench.ts', () => {
  it('prints one result per measurement with its unit, target and conditions', () => {
    const child = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(new URL('./journal-sqlite.bench.ts', import.meta.url))], {
      env: { ...process.env, BENCH_QUICK: '1' }, encoding: 'utf8', timeout: 120_000,
    });
    expect(child.status, child.stderr.slice(-2000)).toBe(0);
    const { results } = JSON.parse(child.stdout.trim().split('\n').pop() as string) as { results: { name: string; value: number; unit: string; target: string | null; conditions: Record<string, unknown> }[] };
    expect(results.map((r) => r.name)).toEqual([
      'journal.sqlite.external-call.normal', 'journal.sqlite.external-call.normal.no-log', 'journal.sqlite.external-call.normal.inline-checkpoints',
      'journal.sqlite.external-call.full', 'journal.sqlite.external-call.full.no-log', 'journal.memory.external-call',
      'store.sqlite.put.normal', 'journal.sqlite.read-call.normal', 'journal.sqlite.replay',
    ]);
    for (const result of results) {
      expect(result.value, result.name).toBeGreaterThan(0);
      expect(result.conditions.node, result.name).toBe(process.version);
    }
    expect(results.find((r) => r.name === 'journal.sqlite.external-call.normal')?.target).toBe('< 20 µs');
  });
});
