import { describe, expect, it } from 'vitest';
import { createLeanCalls } from './lazy-task.ts';

/** A stand-in for jco's AsyncTask that logs what it is told, numbered like jco's (bigint ids). */
function fakeJco() {
  const log: string[] = [];
  let nextId = 0n;
  const create = () => {
    const id = ++nextId;
    log.push(`create ${id}`);
    const task = {
      setCalleeIsAsync: (v: boolean) => void log.push(`setCalleeIsAsync ${v}`),
      enterSync: () => (log.push('enterSync'), true),
      mayBlock: () => false,
      setReturnMemoryIdx: (i: number) => void log.push(`setReturnMemoryIdx ${i}`),
      setReturnMemory: () => void log.push('setReturnMemory'),
      id: () => id,
      componentIdx: () => 0,
      setErrored: () => void log.push('setErrored'),
      reject: () => void log.push('reject'),
      resolve: (r: unknown[]) => void log.push(`resolve ${JSON.stringify(r)}`),
      exit: () => void log.push('exit'),
      isResolvedState: () => true,
      isExited: () => true,
    };
    return [task, id] as [typeof task, unknown];
  };
  return { log, create, peek: () => nextId + 1n, bump: () => ++nextId };
}

/** A core module importing `env.f` and exporting `run`, which calls it. */
const CALLER = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 2, 9, 1, 3, 101, 110, 118, 1, 102, 0, 0, 3, 2, 1, 0, 7, 7, 1, 3, 114, 117, 110, 0, 1, 10, 6, 1, 4, 0, 16, 0, 11]);

describe('deferred tasks of sync export calls', () => {
  it('creates no task for a call that reaches no import', () => {
    const jco = fakeJco();
    const lean = createLeanCalls();
    const [task] = lean.lazyTask(0, jco.peek, jco.create);
    task.setCalleeIsAsync(false);
    expect(task.enterSync()).toBe(true);
    expect([task.mayBlock(), task.id(), task.isResolvedState()]).toEqual([false, 1n, false]);
    task.resolve(['x']);
    expect([task.mayBlock(), task.isResolvedState()]).toEqual([true, true]);
    task.exit();
    expect(jco.log).toEqual([]);
  });

  it('creates the real task when the guest calls a JS import, replaying what came before, then forwards', async () => {
    const jco = fakeJco();
    const lean = createLeanCalls();
    const seen: string[] = [];
    const instantiate = lean.guardCore((module, imports) => WebAssembly.instantiate(module, imports));
    const { exports } = await instantiate(new WebAssembly.Module(CALLER), { env: { f: () => void seen.push(jco.log.join(',')) } });
    const [task] = lean.lazyTask(0, jco.peek, jco.create);
    task.setCalleeIsAsync(false);
    task.enterSync();
    task.setReturnMemoryIdx(0);
    (exports.run as () => void)();
    expect(seen).toEqual(['create 1,setCalleeIsAsync false,enterSync,setReturnMemoryIdx 0']);
    task.resolve([7]);
    task.exit();
    expect(jco.log.slice(4)).toEqual(['resolve [7]', 'exit']);
    // The call has ended: the next one is lean again.
    lean.lazyTask(0, jco.peek, jco.create)[0].exit();
    expect(jco.log).toHaveLength(6);
  });

  it('guards JS imports but leaves wasm exports of earlier instances direct (they run no glue)', () => {
    const lean = createLeanCalls();
    let got: unknown;
    const instantiate = lean.guardCore((module, imports) => ((got = imports?.env.f), new WebAssembly.Instance(module, imports)));
    const js = () => {};
    const first = instantiate(new WebAssembly.Module(CALLER), { env: { f: js } });
    expect(got).not.toBe(js);
    instantiate(new WebAssembly.Module(CALLER), { env: { f: first.exports.run } });
    expect(got).toBe(first.exports.run);
  });

  it('refuses a task id other than the one it gave out (a task was created behind its back)', async () => {
    const jco = fakeJco();
    const lean = createLeanCalls();
    const { exports } = await lean.guardCore((m, i) => WebAssembly.instantiate(m, i))(new WebAssembly.Module(CALLER), { env: { f: () => {} } });
    lean.lazyTask(0, jco.peek, jco.create);
    jco.bump();
    expect(() => (exports.run as () => void)()).toThrow(expect.objectContaining({ code: 'internal' }));
  });

  it('gives real tasks to a call nested in a lean one, and to every call once an import cannot be guarded', () => {
    const jco = fakeJco();
    const lean = createLeanCalls();
    lean.lazyTask(0, jco.peek, jco.create);
    expect(lean.lazyTask(0, jco.peek, jco.create)[1]).toBe(1n);
    const other = createLeanCalls();
    other.guardCore((m, i) => new WebAssembly.Instance(m, i))(new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])), { env: { s: {} as WebAssembly.ImportValue } });
    expect(other.lazyTask(0, jco.peek, jco.create)[1]).toBe(2n);
  });
});
