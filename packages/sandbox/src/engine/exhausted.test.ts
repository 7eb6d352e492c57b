import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { instrument } from '../metering/index.ts';
import { FuelAccount, hasJspi, Store } from './index.ts';

/** A guest that catches everything around an endless loop and then reports success (42). */
const CATCHING_SPIN = `
(module
  (func (export "run") (result i32)
    (try (result i32)
      (do
        (loop $spin (br $spin))
        (unreachable))
      (catch_all (i32.const 42)))))`;

function assemble(wat: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'agentos-wat-'));
  writeFileSync(join(dir, 'm.wat'), wat);
  return new Uint8Array(execFileSync('wat2wasm', ['--enable-exceptions', join(dir, 'm.wat'), '--output=-']));
}

const metered = new WebAssembly.Module(instrument(assemble(CATCHING_SPIN), {}).bytes as Uint8Array<ArrayBuffer>);

function run(imports: WebAssembly.Imports): () => unknown {
  return new WebAssembly.Instance(metered, imports).exports.run as () => unknown;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

describe('the exhausted hook', () => {
  it('is needed: a guest catches an out-of-fuel thrown by a JS hook and returns normally', () => {
    const account = new FuelAccount({ limit: 1000n });
    expect(run({ 'agentos:fuel': { fuel: account.global, exhausted: () => account.refill() } })()).toBe(42);
  });

  it("stops a guest that catch_all's around an endless loop with an uncatchable out-of-fuel trap", () => {
    const store = new Store({ fuel: 1000n });
    store.beginCall();
    const error = thrown(run({ 'agentos:fuel': store.fuelImports }));
    expect(error).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(store.explain(error, 'run').code).toBe('out-of-fuel');
    expect(store.fuel.used).toBeGreaterThanOrEqual(1000n);
    expect(store.fuel.used).toBeLessThan(1100n);
  });

  it('stops the same guest at its deadline with deadline, not a caught error', () => {
    const store = new Store({ fuel: 'unlimited', slice: 10_000n, timeoutMs: 20 });
    store.beginCall();
    const error = thrown(run({ 'agentos:fuel': store.fuelImports }));
    expect(store.explain(error, 'run').code).toBe('deadline');
    expect(store.stopReason?.code).toBe('deadline');
  });

  it('lets the next call of the store run again after a deadline', () => {
    const store = new Store({ fuel: 'unlimited', slice: 10_000n, timeoutMs: 20 });
    store.beginCall();
    thrown(run({ 'agentos:fuel': store.fuelImports }));
    store.endCall();
    store.beginCall();
    expect(store.stopReason).toBeUndefined();
    const fresh = new WebAssembly.Instance(new WebAssembly.Module(instrument(assemble('(module (func (export "run") (result i32) i32.const 7))'), {}).bytes as Uint8Array<ArrayBuffer>), { 'agentos:fuel': store.fuelImports });
    expect((fresh.exports.run as () => number)()).toBe(7);
  });

  it('stops a store without a yield hook with out-of-fuel even when its flag says it may suspend', () => {
    const store = new Store({ fuel: 1000n });
    store.canSuspend.value = 1;
    store.beginCall();
    const error = thrown(run({ 'agentos:fuel': store.fuelImports }));
    expect(error).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(store.explain(error, 'run').code).toBe('out-of-fuel');
  });

  it('makes one suspension flag per store, on first request', () => {
    const store = new Store();
    expect(store.canSuspend).toBe(store.canSuspend);
    expect(store.canSuspend).not.toBe(new Store().canSuspend);
    expect(store.canSuspend.value).toBe(0);
  });

  it.runIf(hasJspi())('stops a suspended guest with the error its yield hook rejects with', async () => {
    const refusal = new Error('scheduler: process killed');
    const store = new Store({ fuel: 'unlimited', slice: 1000n, yield: () => Promise.reject(refusal) });
    store.beginCall();
    const promising = (WebAssembly as unknown as { promising: (fn: () => unknown) => () => Promise<unknown> }).promising;
    store.canSuspend.value = 1;
    const outcome = await promising(run({ 'agentos:fuel': store.fuelImports }))().then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    expect(outcome).not.toHaveProperty('value');
    expect((outcome as { error: unknown }).error).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(store.explain((outcome as { error: unknown }).error, 'run').message).toContain('scheduler: process killed');
  });
});
