import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFixture } from '../../../../test/fixtures/index.ts';
import { instrument } from '../metering/index.ts';
import { captureState, Engine, restoreState, stateView, Store, type Component } from './index.ts';
import { recordCoreInstance } from './state.ts';

const stateful = new Engine({ instrument: (bytes, options) => instrument(bytes, { ...options, exportState: true }) });
const plain = new Engine();
const imports = { 'agentos:runtime/log': { log: () => {} } };
let echo: Component;

beforeAll(async () => {
  echo = await stateful.load((await buildFixture('echo')).bytes);
});

async function digest(store: Store): Promise<string> {
  const parts = stateView(store).memories.map((m) => new Uint8Array(m.buffer));
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', all)), (b) => b.toString(16).padStart(2, '0')).join('');
}

describe('captureState / restoreState', () => {
  it('continues a restored instance exactly like the original: same result, memory and fuel after the next call', async () => {
    const first = JSON.stringify({ text: 'x'.repeat(5000) });
    const second = JSON.stringify({ n: [1, 2, 3] });

    const original = new Store({ fuel: 'unlimited' });
    const running = await echo.instantiate(original, { imports });
    await running.call('invoke', [first]);
    const state = captureState(original);
    expect(await running.call('invoke', [second])).toBe(second);

    const fresh = new Store({ fuel: 'unlimited' });
    const restored = await echo.instantiate(fresh, { imports });
    restoreState(fresh, state);
    expect(fresh.fuel.used).toBe(state.fuelUsed);
    expect(await restored.call('invoke', [second])).toBe(second);

    expect(fresh.fuel.used).toBe(original.fuel.used);
    expect(await digest(fresh)).toBe(await digest(original));
  });

  it('captures a copy: later calls do not change a captured state', async () => {
    const store = new Store({ fuel: 'unlimited' });
    const instance = await echo.instantiate(store, { imports });
    const state = captureState(store);
    const before = state.memories.map((m) => m.slice());
    await instance.call('invoke', [JSON.stringify({ big: 'y'.repeat(20000) })]);
    expect(state.memories).toEqual(before);
    expect(store.fuel.used).toBeGreaterThan(state.fuelUsed);
  });

  it('restores fuel across slices: a store with small slices reaches the captured figure and keeps running', async () => {
    const original = new Store({ fuel: 'unlimited' });
    const running = await echo.instantiate(original, { imports });
    await running.call('invoke', ['{"a":1}']);
    const state = captureState(original);
    const sliced = new Store({ fuel: 'unlimited', slice: 10_000n });
    const restored = await echo.instantiate(sliced, { imports });
    restoreState(sliced, state);
    expect(await restored.call('invoke', ['{"b":2}'])).toBe('{"b":2}');
    await running.call('invoke', ['{"b":2}']);
    expect(sliced.fuel.used).toBe(original.fuel.used);
  });

  it('refuses to restore into an instance that has already run past the captured state', async () => {
    const early = new Store({ fuel: 'unlimited' });
    await echo.instantiate(early, { imports });
    const state = captureState(early);
    const later = new Store({ fuel: 'unlimited' });
    await (await echo.instantiate(later, { imports })).call('invoke', ['{"a":1}']);
    expect(() => restoreState(later, state)).toThrow(expect.objectContaining({ code: 'illegal-state' }));
  });

  it('refuses a component loaded without state exports, saying how to load it', async () => {
    const component = await plain.load((await buildFixture('echo')).bytes);
    const store = new Store();
    await component.instantiate(store, { imports });
    expect(() => captureState(store)).toThrow(expect.objectContaining({ code: 'unsupported-feature', message: expect.stringMatching(/exportState/) }));
  });

  it('refuses a store with nothing instantiated', () => {
    expect(() => captureState(new Store())).toThrow(expect.objectContaining({ code: 'illegal-state' }));
  });

  it('refuses a core instance whose tables change at run time, naming the reason', () => {
    const wasm = execFileSync('wat2wasm', ['--enable-all', '-', '--output=-'], {
      input: '(module (memory (export "memory") 1) (table $t 1 funcref) (func (export "f") (table.set $t (i32.const 0) (ref.null func))))',
    });
    const { bytes } = instrument(new Uint8Array(wasm), { exportState: true, meter: false });
    const store = new Store();
    recordCoreInstance(store, new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>)));
    expect(() => captureState(store)).toThrow(expect.objectContaining({ code: 'unsupported-feature', details: expect.objectContaining({ reason: 'table.set' }) }));
  });
});
