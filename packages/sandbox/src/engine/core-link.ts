/**
 * Linking a component's core instances, as the glue's `instantiateCore` hook.
 *
 * Every JS function a core module imports (a glue trampoline that calls the
 * host) gets a guard (`guardHostFunction`); a function that is an export of one
 * of the component's earlier core instances passes as it is: it runs no host
 * code, and a JS wrapper would put a JS frame between two wasm frames (slower
 * calls, and no suspension through it).
 *
 * Telling the two apart is most of the cost of linking (a QuickJS tool passes
 * ~300 imports, ~200 of them wasm functions), so a component keeps HINTS: for
 * the n-th `instantiateCore` call and the k-th function value it was handed,
 * which earlier core instance and export it came from last time, or that it
 * was a JS function. A value passes unguarded only if it is identical (`===`)
 * to the hinted export of a core instance made by this same instantiation; a
 * hint that does not hold (a first instantiation, another glue path) falls
 * back to indexing every function export made so far, and is corrected. A
 * value at a position that held a JS function last time is guarded without a
 * look-up: the glue builds the same import objects every time, and should it
 * not, guarding a wasm function is safe (its calls only get slower, and cannot
 * suspend), while nothing unguarded ever runs host code.
 *
 * The guards replace the glue's functions in the glue's own import objects,
 * not in copies (copying ~300 members cost more than everything else here):
 * jco builds those objects as literals in the `instantiateCore` call and keeps
 * no reference to them, so no glue code sees the change. A frozen object (say,
 * a core instance's exports handed over whole) is copied first, and one handed
 * over twice would only get its guards guarded again.
 */
import { hostImportError } from './traps.ts';

const FUEL_MODULE = 'agentos:fuel';

/** Where the k-th function value of one `instantiateCore` call came from: core instance and export name. */
type Hint = { core: number; name: string } | null;

/** What linking needs to know about a core module, read once per module. */
interface CoreModuleInfo {
  /** It imports `agentos:fuel` (metered). */
  needsFuel: boolean;
  /** Names of its memory exports: the store tracks them. */
  memoryExports: string[];
}

const coreModules = new WeakMap<WebAssembly.Module, CoreModuleInfo>();

function coreModuleInfo(module: WebAssembly.Module): CoreModuleInfo {
  let info = coreModules.get(module);
  if (info === undefined) {
    info = {
      needsFuel: WebAssembly.Module.imports(module).some((i) => i.module === FUEL_MODULE),
      memoryExports: WebAssembly.Module.exports(module)
        .filter((e) => e.kind === 'memory')
        .map((e) => e.name),
    };
    coreModules.set(module, info);
  }
  return info;
}

/** The hints of one component, shared by all its instantiations (see the module comment). */
export class LinkHints {
  /** By `instantiateCore` call, then by function value in iteration order. */
  readonly calls: Hint[][] = [];
  /** By `instantiateCore` call: the module it instantiated last time and what linking needs of it. */
  readonly modules: { module: WebAssembly.Module; info: CoreModuleInfo }[] = [];
}

export interface CoreLinkingOptions {
  hints: LinkHints;
  /** The store's flag, for a preemptive store (guards clear it around host code); else undefined. */
  flag: WebAssembly.Global<'i32'> | undefined;
  /** Called with each core instance, in order (fuel, memories, state bookkeeping). */
  adopt: (instance: WebAssembly.Instance, memoryExports: readonly string[]) => void;
  /** The `agentos:fuel` imports, for metered modules; undefined when the component is not metered. */
  fuelImports: (() => WebAssembly.ModuleImports) | undefined;
}

/** The linking state of one instantiation: the core instances made so far. */
export class CoreLinking {
  readonly #options: CoreLinkingOptions;
  #cores: Record<string, unknown>[] = [];
  #call = 0;
  /** Function export → [core, name] of the cores indexed so far (built only when a hint fails). */
  #index: Map<unknown, Hint> | undefined;
  #indexed = 0;

  constructor(options: CoreLinkingOptions) {
    this.#options = options;
  }

  /**
   * The import object for a core module: the glue's, with every JS function replaced by its
   * guard (and the fuel imports added) in place — see the module comment for why that is safe.
   */
  link(module: WebAssembly.Module, imports: WebAssembly.Imports): { linked: WebAssembly.Imports; memoryExports: readonly string[] } {
    const hints = this.#options.hints;
    const call = this.#call++;
    const seen = hints.modules[call];
    const info = seen?.module === module ? seen.info : (hints.modules[call] = { module, info: coreModuleInfo(module) }).info;
    const callHints = (hints.calls[call] ??= []);
    const flag = this.#options.flag;
    const cores = this.#cores;
    const linked = Object.isExtensible(imports) ? imports : { ...imports };
    let k = 0;
    for (const namespace in linked) {
      let members = linked[namespace];
      for (const name in members) {
        const value = members[name];
        if (typeof value !== 'function') continue;
        const hint = callHints[k];
        let wasm: boolean;
        if (hint === null) {
          // A JS function here last time: guarded without a look-up (see the module comment).
          wasm = false;
        } else if (hint !== undefined && cores[hint.core]?.[hint.name] === value) {
          wasm = true;
        } else {
          const found = this.#lookup(value);
          callHints[k] = found;
          wasm = found !== null;
        }
        k++;
        if (wasm) continue;
        if (Object.isFrozen(members)) linked[namespace] = members = { ...members };
        (members as Record<string, unknown>)[name] = guardHostFunction(value as (...args: unknown[]) => unknown, namespace, name, flag);
      }
    }
    const fuel = this.#options.fuelImports;
    if (fuel && info.needsFuel) linked[FUEL_MODULE] = fuel();
    return { linked, memoryExports: info.memoryExports };
  }

  /** Records a core instance made from `link`'s result. */
  adopt(instance: WebAssembly.Instance, memoryExports: readonly string[]): WebAssembly.Instance {
    this.#cores.push(instance.exports as Record<string, unknown>);
    this.#options.adopt(instance, memoryExports);
    return instance;
  }

  /** Drops the core instances (the glue keeps `instantiateCore`, and so this object, as long as the instance). */
  end(): void {
    this.#cores = [];
    this.#index = undefined;
    this.#indexed = 0;
  }

  /** Which core instance exports `value`, indexing the cores not indexed yet. */
  #lookup(value: unknown): Hint {
    const index = (this.#index ??= new Map());
    for (; this.#indexed < this.#cores.length; this.#indexed++) {
      const exports = this.#cores[this.#indexed];
      for (const name in exports) {
        const fn = exports[name];
        // The first name wins when one function is exported twice; either one identifies it.
        if (typeof fn === 'function' && !index.has(fn)) index.set(fn, { core: this.#indexed, name });
      }
    }
    return index.get(value) ?? null;
  }
}

/**
 * Wraps a JS function a core module imports (a glue trampoline that calls the host):
 * no suspension is possible while it runs (JS frames; with `flag`, the preemptive
 * store's, cleared meanwhile), and anything it throws reaches the guest as a trap
 * with a clear message, never a host stack.
 * One wrapper per import and instance (a QuickJS component has ~80), so it keeps the two
 * name parts it already has and builds `namespace#name` only for an error. The wrapper does
 * not copy the tags jco puts on its functions (`_jcoMaySuspend`, `fnName`): only the engine
 * sees an import once it is linked, and nothing reads them from there.
 */
function guardHostFunction(fn: (...args: unknown[]) => unknown, namespace: string, name: string, flag: WebAssembly.Global<'i32'> | undefined): (...args: unknown[]) => unknown {
  if (flag === undefined) {
    return function (this: unknown, ...args: unknown[]): unknown {
      try {
        return fn.apply(this, args);
      } catch (error) {
        throw hostImportError(error, `${namespace}#${name}`);
      }
    };
  }
  return function (this: unknown, ...args: unknown[]): unknown {
    const previous = flag.value;
    flag.value = 0;
    try {
      return fn.apply(this, args);
    } catch (error) {
      throw hostImportError(error, `${namespace}#${name}`);
    } finally {
      flag.value = previous;
    }
  };
}
