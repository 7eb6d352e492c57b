import { beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, type FixtureName } from '../../../../test/fixtures/index.ts';
import { isAgentOsError, type AgentOsError } from '../errors/index.ts';
import { Engine, Store, type Component, type StoreOptions } from './index.ts';

// The example tools of examples/tools/, built as agentos:runtime/tool components (QuickJS).
const engine = new Engine();
const MiB = 1024 * 1024;

async function load(name: FixtureName, maxMemoryBytes?: number): Promise<Component> {
  return engine.load((await buildFixture(name)).bytes, { maxMemoryBytes });
}

async function invoke(component: Component, input: string, options: StoreOptions & { log?: () => void } = {}) {
  const store = new Store(options);
  const instance = await component.instantiate(store, { imports: { 'agentos:runtime/log': { log: options.log ?? (() => {}) } } });
  try {
    return { store, value: await instance.call('invoke', [input]) };
  } catch (error) {
    if (isAgentOsError(error)) return { store, error };
    throw error;
  }
}

function failure(outcome: { error?: AgentOsError }): AgentOsError {
  if (!outcome.error) throw new Error('expected the call to fail');
  return outcome.error;
}

describe('engine on the example tools', () => {
  beforeAll(async () => {
    // Build (or fetch from cache) all fixtures up front so no single test pays for it.
    await Promise.all((['echo', 'spin', 'logger', 'alloc', 'big-string'] as const).map((name) => buildFixture(name)));
  });

  it('round-trips a JSON document through echo', async () => {
    const input = JSON.stringify({ text: 'héllo, wörld ✓', list: [1, 2.5, null, true], nested: { a: 'b' } });
    const { value, store } = await invoke(await load('echo'), input);
    expect(value).toBe(input);
    expect(store.fuel.used).toBeGreaterThan(0n);
  });

  it('stops spin with out-of-fuel right at the budget, after the same fuel in every store', async () => {
    const spin = await load('spin');
    const budget = 5_000_000n;
    const first = await invoke(spin, '{}', { fuel: budget });
    const second = await invoke(spin, '{}', { fuel: budget });
    expect(failure(first).code).toBe('out-of-fuel');
    expect(failure(second).code).toBe('out-of-fuel');
    // The block that overran is charged in full at its start: at most one block past the budget.
    expect(first.store.fuel.used).toBeGreaterThanOrEqual(budget);
    expect(first.store.fuel.used - budget).toBeLessThan(1000n);
    expect(second.store.fuel.used).toBe(first.store.fuel.used);
  });

  it('stops spin at a 200 ms deadline with deadline', async () => {
    const started = performance.now();
    const outcome = await invoke(await load('spin'), '{}', { timeoutMs: 200, fuel: 'unlimited' });
    expect(failure(outcome).code).toBe('deadline');
    expect(performance.now() - started).toBeGreaterThanOrEqual(199);
  });

  it('stops logger calling a host import forever with out-of-fuel, after the same number of calls each time', async () => {
    const logger = await load('logger');
    const counts: number[] = [];
    for (let i = 0; i < 2; i++) {
      let calls = 0;
      const outcome = await invoke(logger, '{"count":-1}', { fuel: 20_000_000n, log: () => void calls++ });
      expect(failure(outcome).code).toBe('out-of-fuel');
      counts.push(calls);
    }
    expect(counts[0]).toBeGreaterThan(100);
    expect(counts[1]).toBe(counts[0]);
  });

  it('reports alloc running into its 16 MiB memory cap as memory-limit with the limit and the peak', async () => {
    const outcome = await invoke(await load('alloc', 16 * MiB), '{}');
    const error = failure(outcome);
    expect(error.code).toBe('memory-limit');
    expect(error.details).toMatchObject({ limitBytes: 16 * MiB });
    const peak = error.details?.peakBytes as number;
    expect(peak).toBeGreaterThan(8 * MiB);
    expect(peak).toBeLessThanOrEqual(16 * MiB);
  });

  it('refuses a 32 MiB string from big-string at the 16 MiB boundary cap with limit-exceeded', async () => {
    const outcome = await invoke(await load('big-string', 256 * MiB), '{"mb":32}');
    const error = failure(outcome);
    expect(error.code).toBe('limit-exceeded');
    expect(error.details).toMatchObject({ limit: 'maxStringBytes', max: 16 * MiB, actual: 32 * MiB + 2 });
  });
});
