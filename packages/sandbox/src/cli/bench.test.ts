import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from './main.ts';
import { recordingIo } from './test-io.ts';

const out = mkdtempSync(join(tmpdir(), 'agentos-bench-'));
let quick: string | undefined;
beforeAll(() => {
  // The runner's child processes inherit the environment: keep the bench short.
  quick = process.env.BENCH_QUICK;
  process.env.BENCH_QUICK = '1';
});
afterAll(() => {
  if (quick === undefined) delete process.env.BENCH_QUICK;
  else process.env.BENCH_QUICK = quick;
  rmSync(out, { recursive: true, force: true });
});

describe('agentos bench', () => {
  it('prints the results of the selected benches as one JSON object and writes result files', async () => {
    const io = recordingIo(process.cwd());
    const code = await main(['bench', '--json', '--filter', 'sandbox/call', '--out', out], io);
    expect(code).toBe(0);
    const printed = JSON.parse(io.out.join('')) as { results: { name: string; value: number; unit: string; target: string | null; conditions: Record<string, unknown> }[]; failures: unknown[] };
    expect(printed.failures).toEqual([]);
    const scalar = printed.results.find((r) => r.name === 'sandbox.call.scalar');
    expect(scalar).toMatchObject({ unit: 'µs', target: '< 1 µs' });
    // The runner adds the machine to every result's conditions.
    expect(scalar!.conditions).toMatchObject({ node: process.version, quick: true });
    expect(io.err.join('')).toContain('running sandbox/call.bench.ts');
    const file = JSON.parse(readFileSync(join(out, 'sandbox-call.json'), 'utf8')) as { results: unknown[] };
    expect(file.results).toHaveLength(printed.results.length);
    expect(existsSync(join(out, 'latest.json'))).toBe(true);
  });

  it('runs every bench the asked number of rounds and reports each result from its median round', async () => {
    const io = recordingIo(process.cwd());
    const code = await main(['bench', '--json', '--filter', 'core/policy', '--repeat', '3', '--out', out], io);
    expect(code).toBe(0);
    const printed = JSON.parse(io.out.join('')) as { results: { name: string; value: number; conditions: { repeats?: { values: number[] } } }[] };
    expect(printed.results.length).toBeGreaterThan(0);
    for (const result of printed.results) {
      const values = result.conditions.repeats?.values ?? [];
      expect(values, result.name).toHaveLength(3);
      expect(result.value, result.name).toBe([...values].sort((a, b) => a - b)[1]);
    }
    expect(io.err.join('')).toContain('running core/policy.bench.ts (round 3 of 3)');
  });

  it('refuses a round count that is not a whole number from 1 to 99', async () => {
    for (const bad of ['0', '2.5', 'many', '100']) {
      const io = recordingIo(process.cwd());
      expect(await main(['bench', '--repeat', bad, '--filter', 'core/policy', '--out', out], io), bad).toBe(2);
      expect(io.err.join(''), bad).toContain('invalid-argument');
    }
  });

  it('says so when no bench matches the filter', async () => {
    const io = recordingIo(process.cwd());
    expect(await main(['bench', '--filter', 'no-such-bench', '--out', out], io)).toBe(0);
    expect(io.err.join('')).toContain("no benchmark path contains 'no-such-bench'");
  });

  it('refuses positional arguments as a usage error', async () => {
    const io = recordingIo(process.cwd());
    expect(await main(['bench', 'sandbox'], io)).toBe(2);
    expect(io.err.join('')).toContain('invalid-argument');
  });
});
