import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Engine, Store } from '../engine/index.ts';
import { createBoundaryHooks } from './hooks.ts';
import { leanSyncTasks, SYNC_TASK_METHODS } from './lean-tasks.ts';

const COMPONENTS = new URL('../../../../../shared/conformance/components/', import.meta.url);
const component = (file: string) => new Uint8Array(readFileSync(new URL(file, COMPONENTS)));

/** A jco 1.35 sync export wrapper, as in adder's glue; `body` replaces what follows the task creation. */
function wrapper(body = 'task.enterSync(); return task.id();', instantiation = 'instantiateCore(yield module0)'): string {
  return `export function instantiate(getCoreModule, imports, instantiateCore = WebAssembly.instantiate, $agentos) {
  function add(arg0, arg1) {
    const [task, _wasm_call_currentTaskID] = createNewCurrentTask({
      componentIdx: 3,
      isAsync: false,
      isManualAsync: false,
      preserveFutureResult: false,
      entryFnName: 'add010Add',
      getCallbackFn: () => null,
      callbackFnName: null,
      errHandling: 'none',
      callingWasmExport: true,
    });
    ${body}
  }
  ({ exports: exports0 } = yield ${instantiation});
}`;
}

describe('leanSyncTasks', () => {
  it('gives a sync export of a component without imports the stand-in task of its component index', () => {
    const { source, count } = leanSyncTasks(wrapper());
    expect(count).toBe(1);
    expect(source).toContain('const [task, _wasm_call_currentTaskID] = [$agentos.syncTask(3), 0];');
    expect(source).not.toContain('createNewCurrentTask(');
  });

  it('keeps every real task when a core instance gets imports from the glue (trampolines can read the task)', () => {
    const glue = wrapper(undefined, 'instantiateCore(yield module0, { env: { log } })');
    expect(leanSyncTasks(glue)).toEqual({ source: glue, count: 0 });
  });

  it.each([
    ['calls a method the stand-in lacks', 'task.setParentSubtask(x); return 1;'],
    ['passes the task on', 'keep(task); return 1;'],
    ['uses the task id', 'return _wasm_call_currentTaskID;'],
  ])('keeps the real task when the wrapper %s', (_, body) => {
    const glue = wrapper(body);
    expect(leanSyncTasks(glue).count).toBe(0);
  });

  it('answers for a sync call as jco’s task does, with every method the rewrite allows', () => {
    const task = createBoundaryHooks({ canSuspend: new WebAssembly.Global({ value: 'i32', mutable: true }, 0) }).syncTask(2);
    expect(Object.keys(task).sort()).toEqual([...SYNC_TASK_METHODS].sort());
    expect([task.enterSync(), task.mayBlock(), task.id(), task.componentIdx(), task.isResolvedState(), task.isExited()]).toEqual([true, false, 0, 2, true, true]);
    expect(Object.isFrozen(task)).toBe(true);
  });

  it('applies to adder, which then adds, runs out of fuel and stays poisoned like before', async () => {
    const engine = new Engine();
    const bytes = component('adder.component.wasm');
    const { hardenGlue } = await import('./harden.ts');
    const report = hardenGlue((await engine.transpile(bytes)).glue).report;
    expect(report.applied['sync export calls without task bookkeeping (nothing can observe it)']).toBe(1);
    const adder = await engine.load(bytes);
    const rich = await adder.instantiate(new Store({ fuel: 'unlimited' }));
    expect([rich.callSync('docs:adder/add#add', [40, 2]), rich.callSync('docs:adder/add#add', [2 ** 32 - 1, 1])]).toEqual([42, 0]);
    const poor = await adder.instantiate(new Store({ fuel: 1n }));
    expect(() => poor.callSync('docs:adder/add#add', [1, 2])).toThrow(expect.objectContaining({ code: 'out-of-fuel' }));
    expect(() => poor.callSync('docs:adder/add#add', [1, 2])).toThrow(expect.objectContaining({ code: 'illegal-state' }));
  });

  it('gives a component with imports deferred tasks and guards its core imports', () => {
    const glue = wrapper(undefined, 'instantiateCore(yield module0, { env: { log } })').replace('$agentos) {', '$agentos) {\n  class AsyncTask {\n    static _ID = 0n;\n    constructor() { this.#id = ++AsyncTask._ID; }\n  }');
    const { source, count } = leanSyncTasks(glue);
    expect(count).toBe(1);
    expect(source).toContain('$agentos.lazyTask(3, () => AsyncTask._ID + 1n, () => createNewCurrentTask({');
    expect(source).toContain('instantiateCore = $agentos.guardCore(instantiateCore);');
  });

  it.each([
    ['tasks are numbered some other way', (g: string) => g],
    ['the glue makes a table of its own', (g: string) => g.replace('$agentos) {', '$agentos) {\n  class AsyncTask {\n    static _ID = 0n;\n  }\n  const t = new WebAssembly.Table({ element: "anyfunc", initial: 1 });\n  ++AsyncTask._ID;')],
  ])('keeps every real task of a component with imports when %s', (_, edit) => {
    const glue = edit(wrapper(undefined, 'instantiateCore(yield module0, { env: { log } })'));
    expect(leanSyncTasks(glue)).toEqual({ source: glue, count: 0 });
  });

  it('applies to strings, whose exports still return, call their imports and trap as before', async () => {
    const engine = new Engine();
    const bytes = component('strings.component.wasm');
    const { hardenGlue } = await import('./harden.ts');
    const report = hardenGlue((await engine.transpile(bytes)).glue).report;
    expect(report.applied['sync export calls without task bookkeeping (nothing can observe it)']).toBe(3);
    const strings = await engine.load(bytes);
    const calls: string[] = [];
    const imports = { 'test:strings/imports': { takeBasic: (s: string) => calls.push(s), returnUnicode: () => '🚀🚀🚀 𠈄𓀀' } };
    const instance = await strings.instantiate(new Store({ fuel: 'unlimited' }), { imports });
    const text = `${'x'.repeat(100)}é😀`;
    // A call that reaches imports gets jco's real task; the lean calls around it still work.
    expect(instance.callSync('roundtrip', [text])).toBe(text);
    instance.callSync('test-imports', []);
    expect(calls).toEqual(['latin utf16']);
    expect([instance.callSync('roundtrip', [text]), instance.callSync('return-empty', [])]).toEqual([text, '']);
    const poor = await strings.instantiate(new Store({ fuel: 1000n }), { imports });
    expect(() => poor.callSync('roundtrip', ['y'.repeat(4096)])).toThrow(expect.objectContaining({ code: 'out-of-fuel' }));
    expect(() => poor.callSync('roundtrip', ['y'])).toThrow(expect.objectContaining({ code: 'illegal-state' }));
  });
});
