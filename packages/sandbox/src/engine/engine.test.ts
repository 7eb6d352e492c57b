import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAgentOsError } from '../errors/index.ts';
import { createWasi } from '../wasi/index.ts';
import { Engine, Store } from './index.ts';

const dir = new URL('../../../../../shared/conformance/components/', import.meta.url);
const bytes = (file: string) => new Uint8Array(readFileSync(new URL(file, dir)));
const ADDER = bytes('adder.component.wasm');
const HELLO = bytes('hello_stdout.component.wasm');
const engine = new Engine();

async function rejection(promise: Promise<unknown>): Promise<{ code: string; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    if (isAgentOsError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

function helloImports(out: string[]) {
  const decoder = new TextDecoder();
  return createWasi({ stdout: (b) => void out.push(decoder.decode(b)), stderr: (b) => void out.push(decoder.decode(b)) });
}

describe('Engine', () => {
  it('adds two numbers through a metered, capped adder component', async () => {
    const component = await engine.load(ADDER);
    const instance = await component.instantiate(new Store());
    expect(await instance.call('docs:adder/add@0.1.0#add', [40, 2])).toBe(42);
    expect(await instance.call('docs:adder/add#add', [1, 2])).toBe(3);
  });

  it('reuses the compiled core modules when the same bytes load again', async () => {
    const first = await engine.load(ADDER);
    const second = await engine.load(ADDER.slice());
    expect(second.modules.get('component.core.wasm')).toBe(first.modules.get('component.core.wasm'));
    expect(second.hash).toBe(first.hash);
  });

  it('uses the same fuel for the same call in every store', async () => {
    const component = await engine.load(HELLO);
    const used: bigint[] = [];
    for (let i = 0; i < 3; i++) {
      const store = new Store();
      const instance = await component.instantiate(store, { imports: helloImports([]) });
      await instance.call('wasi:cli/run@0.2.3#run');
      used.push(store.fuel.used);
    }
    expect(used[0]).toBeGreaterThan(1000n);
    expect(new Set(used).size).toBe(1);
  });

  it('traps with out-of-fuel when the budget is spent, and a new instance still works', async () => {
    const component = await engine.load(HELLO);
    const poor = await component.instantiate(new Store({ fuel: 500n }), { imports: helloImports([]) });
    expect((await rejection(poor.call('wasi:cli/run@0.2.3#run'))).code).toBe('out-of-fuel');
    expect((await rejection(poor.call('wasi:cli/run@0.2.3#run'))).code).toBe('illegal-state');
    const out: string[] = [];
    const fresh = await component.instantiate(new Store(), { imports: helloImports(out) });
    await fresh.call('wasi:cli/run@0.2.3#run');
    expect(out.join('')).toContain('hello, world');
  });

  it('refuses a component whose memory starts above the cap with memory-limit', async () => {
    const error = await rejection(new Engine().load(ADDER, { maxMemoryBytes: 65536 }));
    expect(error.code).toBe('memory-limit');
  });

  it('stops a running guest at its deadline from the slice hook', async () => {
    const component = await engine.load(HELLO);
    const store = new Store({ timeoutMs: 0.001, slice: 100n });
    const instance = await component.instantiate(store, { imports: helloImports([]) });
    expect((await rejection(instance.call('wasi:cli/run@0.2.3#run'))).code).toBe('deadline');
  });

  it('denies an import the host does not provide with capability-denied', async () => {
    const component = await engine.load(HELLO);
    const instance = await component.instantiate(new Store(), { imports: {} });
    const error = await rejection(instance.call('wasi:cli/run@0.2.3#run'));
    expect(error.code).toBe('capability-denied');
  });

  it('calls synchronously with callSync, with the same results and fuel as call', async () => {
    const component = await engine.load(ADDER);
    const viaCall = new Store();
    const a = await component.instantiate(viaCall);
    const viaSync = new Store();
    const b = await component.instantiate(viaSync);
    expect(await a.call('docs:adder/add#add', [40, 2])).toBe(42);
    expect(b.callSync('docs:adder/add#add', [40, 2])).toBe(42);
    expect(viaSync.fuel.used).toBe(viaCall.fuel.used);
    expect(() => b.callSync('docs:adder/add#sub', [1, 2])).toThrow(expect.objectContaining({ code: 'not-found' }));
  });

  it('poisons an instance after a trap in callSync, like call', async () => {
    const instance = await (await engine.load(ADDER)).instantiate(new Store({ fuel: 3n }));
    expect(() => instance.callSync('docs:adder/add#add', [1, 2])).toThrow(expect.objectContaining({ code: 'out-of-fuel' }));
    expect((await rejection(instance.call('docs:adder/add#add', [1, 2]))).code).toBe('illegal-state');
  });

  it('serializes calls: a call made while another is in flight runs after it', async () => {
    const instance = await (await engine.load(ADDER)).instantiate(new Store());
    const results = await Promise.all([1, 2, 3].map((n) => instance.call('docs:adder/add#add', [n, n])));
    expect(results).toEqual([2, 4, 6]);
  });

  it('refuses a component over maxComponentBytes with limit-exceeded', async () => {
    const error = await rejection(engine.load(ADDER, { maxComponentBytes: 100 }));
    expect(error.code).toBe('limit-exceeded');
  });

  it('reports not-found with the list of exports for an unknown export', async () => {
    const instance = await (await engine.load(ADDER)).instantiate(new Store());
    const error = await rejection(instance.call('docs:adder/add#sub', [1, 2]));
    expect(error.code).toBe('not-found');
  });

  it('records a memory peak of at least the initial memory', async () => {
    const store = new Store();
    const instance = await (await engine.load(ADDER)).instantiate(store);
    await instance.call('docs:adder/add#add', [1, 2]);
    expect(store.memoryPeakBytes).toBeGreaterThanOrEqual(65536);
  });
});

describe('preemption (JSPI)', () => {
  it('suspends at slice boundaries and finishes with the same output and total fuel as an unsliced run', async () => {
    const component = await engine.load(HELLO, { preemptible: true });
    const plainOut: string[] = [];
    const plain = new Store();
    await (await component.instantiate(plain, { imports: helloImports(plainOut) })).call('wasi:cli/run@0.2.3#run');

    let yields = 0;
    const slicedOut: string[] = [];
    const sliced = new Store({ slice: 1000n, yield: () => new Promise<void>((r) => setTimeout(() => (yields++, r()), 0)) });
    await (await component.instantiate(sliced, { imports: helloImports(slicedOut) })).call('wasi:cli/run@0.2.3#run');

    expect(yields).toBeGreaterThan(5);
    expect(slicedOut).toEqual(plainOut);
    expect(sliced.fuel.used).toBe(plain.fuel.used);
  });

  it('runs out of fuel at the same budget when sliced', async () => {
    const component = await engine.load(HELLO, { preemptible: true });
    const store = new Store({ fuel: 5000n, slice: 1000n, yield: () => Promise.resolve() });
    const instance = await component.instantiate(store, { imports: helloImports([]) });
    expect((await rejection(instance.call('wasi:cli/run@0.2.3#run'))).code).toBe('out-of-fuel');
  });
});
