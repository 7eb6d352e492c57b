/**
 * Deferred tasks for sync export calls of components that do have imports
 * (the runtime half of lean-tasks.ts's second rule).
 *
 * jco's task of a sync export call is read only by glue code the guest reaches
 * through an import (trampolines find it as the component's current task). So
 * a call starts with a `LazyTask` that records what the wrapper does to its
 * task, and creates the real one only if the guest calls any JS import before
 * the call ends: every function handed to a core instance passes through
 * `guardCore`, which puts a check in front of each one that is not itself a
 * wasm export of an earlier instance (those run no glue). Creating it replays
 * the recorded calls in order; the task then gets the id the wrapper already
 * gave out, because no glue that creates tasks can have run since (checked: a
 * different id is an 'internal' error). From there on every call is forwarded,
 * so a call that reaches an import runs exactly as jco wrote it.
 *
 * Lean calls never nest: one is active per instance at a time, and a call that
 * starts while one is active (the host re-entering from an import) gets a real
 * task. A core import of a kind this cannot guard (e.g. a JSPI `Suspending`)
 * turns the deferral off for the instance.
 */
import { AgentOsError } from '../errors/index.ts';

/** What the wrapper calls on a task; lean-tasks.ts `SYNC_TASK_METHODS` checks the wrapper uses nothing else. */
interface Task {
  setCalleeIsAsync(value: boolean): void;
  enterSync(): boolean;
  mayBlock(): boolean;
  setReturnMemoryIdx(idx: number): void;
  setReturnMemory(memory: unknown): void;
  id(): bigint;
  componentIdx(): number;
  setErrored(err: unknown): void;
  reject(err: unknown): void;
  resolve(results: unknown[]): void;
  exit(args?: unknown): void;
  isResolvedState(): boolean;
  isExited(): boolean;
}

type Recorded = 'setCalleeIsAsync' | 'enterSync' | 'setReturnMemoryIdx' | 'setReturnMemory' | 'resolve';

export interface LeanCalls {
  /**
   * The task of a sync export call: deferred when nothing can observe it yet, else `create()`'s.
   * `nextId` is the id jco's next task will get.
   */
  lazyTask(componentIdx: number, nextId: () => bigint, create: () => [Task, unknown]): [Task, unknown];
  /** Wraps the glue's `instantiateCore` so every JS function a core instance imports creates a deferred task first. */
  guardCore<T>(instantiateCore: (module: WebAssembly.Module, imports?: WebAssembly.Imports) => T): (module: WebAssembly.Module, imports?: WebAssembly.Imports) => T;
}

/** What one instance's lean calls share: the deferred task in flight, and whether deferral is off. */
interface LeanState {
  active: LazyTask | undefined;
  disabled: boolean;
}

/** A sync export call's task, recorded until the guest calls a JS import (see the module comment). */
class LazyTask implements Task {
  readonly #lean: LeanState;
  readonly #componentIdx: number;
  readonly #id: bigint;
  readonly #create: () => [Task, unknown];
  #real: Task | undefined;
  #log: [Recorded, unknown][] = [];
  #resolved = false;
  #exited = false;

  constructor(lean: LeanState, componentIdx: number, id: bigint, create: () => [Task, unknown]) {
    this.#lean = lean;
    this.#componentIdx = componentIdx;
    this.#id = id;
    this.#create = create;
  }

  /** Creates the real task as if it had been there from the start. */
  materialize(): void {
    if (this.#real || this.#exited) return;
    const [real] = this.#create();
    if (real.id() !== this.#id) {
      throw new AgentOsError('internal', `A deferred glue task got id ${real.id()} instead of ${this.#id}: glue created a task during a lean call. Update boundary/lazy-task.ts for this jco version.`);
    }
    this.#real = real;
    for (const [method, arg] of this.#log) (real[method] as (value: unknown) => unknown)(arg);
    this.#log = [];
  }

  setCalleeIsAsync(value: boolean): void {
    if (this.#real) return this.#real.setCalleeIsAsync(value);
    this.#log.push(['setCalleeIsAsync', value]);
  }
  enterSync(): boolean {
    if (this.#real) return this.#real.enterSync();
    this.#log.push(['enterSync', undefined]);
    return true;
  }
  /** As jco's task of a sync call: it may block only once resolved. */
  mayBlock(): boolean {
    return this.#real ? this.#real.mayBlock() : this.#resolved;
  }
  setReturnMemoryIdx(idx: number): void {
    if (this.#real) return this.#real.setReturnMemoryIdx(idx);
    this.#log.push(['setReturnMemoryIdx', idx]);
  }
  setReturnMemory(memory: unknown): void {
    if (this.#real) return this.#real.setReturnMemory(memory);
    this.#log.push(['setReturnMemory', memory]);
  }
  id(): bigint {
    return this.#real ? this.#real.id() : this.#id;
  }
  componentIdx(): number {
    return this.#componentIdx;
  }
  resolve(results: unknown[]): void {
    if (this.#real) return this.#real.resolve(results);
    if (this.#resolved) throw new AgentOsError('internal', 'A deferred glue task was resolved twice.');
    this.#resolved = true;
    this.#log.push(['resolve', results]);
  }
  setErrored(err: unknown): void {
    if (this.#real) this.#real.setErrored(err);
  }
  reject(err: unknown): void {
    if (this.#real) this.#real.reject(err);
  }
  exit(args?: unknown): void {
    if (this.#real) this.#real.exit(args);
    this.#exited = true;
    if (this.#lean.active === this) this.#lean.active = undefined;
  }
  isResolvedState(): boolean {
    return this.#real ? this.#real.isResolvedState() : this.#resolved;
  }
  isExited(): boolean {
    return this.#real ? this.#real.isExited() : this.#exited;
  }
}

/** One instance's lean calls (made per instance by createBoundaryHooks, when the glue first asks). */
export function createLeanCalls(): LeanCalls {
  const lean: LeanState = { active: undefined, disabled: false };
  const wasmFunctions = new WeakSet<object>();

  const guard = <F extends (...args: unknown[]) => unknown>(fn: F): F => {
    const guarded = function (this: unknown, ...args: unknown[]): unknown {
      lean.active?.materialize();
      return fn.apply(this, args);
    };
    // No copy of the tags jco puts on its import functions (`_jcoMaySuspend`, `fnName`): the
    // guarded copy goes only to `instantiateCore`, and nothing reads tags from there.
    return guarded as unknown as F;
  };
  // Values that carry no code (a Tag only names an exception type).
  const Tag = (WebAssembly as unknown as { Tag?: new (...args: never[]) => object }).Tag;
  const guardable = (value: unknown): boolean =>
    value instanceof WebAssembly.Memory || value instanceof WebAssembly.Table || value instanceof WebAssembly.Global || (Tag !== undefined && value instanceof Tag);

  return {
    lazyTask(componentIdx, nextId, create) {
      if (lean.disabled || lean.active !== undefined) return create();
      const task = new LazyTask(lean, componentIdx, nextId(), create);
      lean.active = task;
      return [task, 0];
    },
    guardCore(instantiateCore) {
      const record = <R>(result: R): R => {
        const exports = (result as { exports?: Record<string, unknown> } | undefined)?.exports;
        if (exports) for (const value of Object.values(exports)) if (typeof value === 'function') wasmFunctions.add(value);
        return result;
      };
      return (module, imports) => {
        let guarded: WebAssembly.Imports | undefined;
        if (imports) {
          guarded = {};
          for (const [name, namespace] of Object.entries(imports)) {
            const out: Record<string, unknown> = {};
            for (const [field, value] of Object.entries(namespace as Record<string, unknown>)) {
              if (typeof value === 'function') out[field] = wasmFunctions.has(value) ? value : guard(value as (...args: unknown[]) => unknown);
              else {
                if (!guardable(value)) lean.disabled = true;
                out[field] = value;
              }
            }
            guarded[name] = out as WebAssembly.ModuleImports;
          }
        }
        const result = instantiateCore(module, guarded);
        const then = (result as { then?: unknown } | null)?.then;
        return (typeof then === 'function' ? (result as Promise<unknown>).then(record) : record(result)) as typeof result;
      };
    },
  };
}
