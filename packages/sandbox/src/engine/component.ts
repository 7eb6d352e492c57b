/**
 * A loaded component: hardened glue plus its compiled (metered, capped) core
 * modules. Loading is the expensive part and is cached by the Engine;
 * `instantiate` is cheap and may run many times, each into its own Store.
 */
import { createBoundaryHooks, type BoundaryHooks, type BoundaryLimits } from '../boundary/index.ts';
import { AgentOsError } from '../errors/index.ts';
import type { GlueModule } from './glue-loader.ts';
import { linkImports, watchAsyncImports, type HostImports } from './imports.ts';
import { ComponentInstance } from './instance.ts';
import type { ExportedFunction } from './signatures.ts';
import { recordCoreInstance } from './state.ts';
import type { Store } from './store.ts';
import { hostImportError } from './traps.ts';

export interface ComponentParts {
  glue: GlueModule;
  /** Compiled core modules by the name the glue asks for. */
  modules: Map<string, WebAssembly.Module>;
  /** Import specifiers the glue reads. */
  imports: string[];
  functions: ExportedFunction[];
  /** True when the core modules carry fuel metering (they import `agentos:fuel`). */
  metered: boolean;
  /** The memory cap baked into the core modules, if any. */
  maxMemoryBytes: number | undefined;
  /** Content hash of the component bytes. */
  hash: string;
  /** The helper modules the glue reads as `$agentos.inlineModules[i]` instead of compiling them per instance. */
  inlineModules?: WebAssembly.Module[];
  /** True when the glue calls exports through JSPI (loaded `preemptible` or with `asyncImports`). */
  async?: boolean;
  /** Host imports (`iface#func`, or `func` at world level) that may return a Promise. */
  asyncImports?: readonly string[];
}

export interface InstantiateOptions {
  /** Host implementations keyed by interface name; anything missing is denied. */
  imports?: HostImports;
  /** Caps on values lifted from the guest. */
  limits?: BoundaryLimits;
}

const FUEL_MODULE = 'agentos:fuel';
const importsFuel = new WeakMap<WebAssembly.Module, boolean>();

export class Component {
  readonly modules: ReadonlyMap<string, WebAssembly.Module>;
  readonly imports: readonly string[];
  readonly functions: readonly ExportedFunction[];
  readonly metered: boolean;
  readonly maxMemoryBytes: number | undefined;
  readonly hash: string;
  /** True when exports are JSPI-wrapped: calls return Promises and `callSync` is refused. */
  readonly async: boolean;
  readonly asyncImports: readonly string[];
  readonly #glue: GlueModule;
  readonly #inlineModules: WebAssembly.Module[];

  constructor(parts: ComponentParts) {
    this.#glue = parts.glue;
    this.#inlineModules = parts.inlineModules ?? [];
    this.modules = parts.modules;
    this.imports = parts.imports;
    this.functions = parts.functions;
    this.metered = parts.metered;
    this.maxMemoryBytes = parts.maxMemoryBytes;
    this.hash = parts.hash;
    this.async = parts.async ?? false;
    this.asyncImports = parts.asyncImports ?? [];
  }

  /**
   * Instantiates the component into `store` (its start functions already spend the store's fuel).
   * Core modules are instantiated synchronously where the host allows it, so the glue finishes
   * without a trip through the microtask queue.
   * @throws AgentOsError (as a rejection): 'trap'/'out-of-fuel'/'deadline' from start functions,
   *   'memory-limit' or 'invalid-component' when a core module cannot be instantiated.
   */
  instantiate(store: Store, options: InstantiateOptions = {}): Promise<ComponentInstance> {
    // Only needed while the core modules are linked; the glue keeps `instantiateCore` (and so
    // this scope) alive as long as the instance, so it is dropped once instantiation ends.
    let wasmFunctions: WeakSet<object> | undefined = new WeakSet<object>();
    const flag = store.canSuspend;
    const link = (module: WebAssembly.Module, imports: WebAssembly.Imports): WebAssembly.Imports => {
      const linked: WebAssembly.Imports = {};
      for (const namespace in imports) {
        const members = imports[namespace];
        const out: Record<string, WebAssembly.ImportValue> = {};
        for (const name in members) {
          const value = members[name];
          out[name] = typeof value === 'function' && !wasmFunctions?.has(value) ? guardHostFunction(value as (...args: unknown[]) => unknown, namespace, name, flag) : value;
        }
        linked[namespace] = out;
      }
      if (this.metered && needsFuel(module)) linked[FUEL_MODULE] = store.fuelImports;
      return linked;
    };
    const adopt = (instance: WebAssembly.Instance): WebAssembly.Instance => {
      recordCoreInstance(store, instance);
      const exports = instance.exports;
      for (const name in exports) {
        const value = exports[name];
        if (typeof value === 'function') wasmFunctions?.add(value);
        else if (value instanceof WebAssembly.Memory) store.trackMemory(value, this.maxMemoryBytes);
      }
      return instance;
    };
    const instantiateCore = (module: WebAssembly.Module, imports: WebAssembly.Imports = {}): WebAssembly.Instance | Promise<WebAssembly.Instance> => {
      const linked = link(module, imports);
      const instance = instantiateSync(module, linked);
      return instance ? adopt(instance) : WebAssembly.instantiate(module, linked).then(adopt);
    };
    const fail = (error: unknown): never => {
      wasmFunctions = undefined;
      store.endCall();
      throw instantiationError(error, store);
    };
    const done = (exports: Record<string, unknown>): ComponentInstance => {
      wasmFunctions = undefined;
      store.endCall();
      return new ComponentInstance({ exports, store, functions: this.functions, async: this.async });
    };
    store.beginCall();
    let pending: Record<string, unknown> | Promise<Record<string, unknown>>;
    try {
      const imports = linkImports(this.imports, options.imports ?? {});
      const hostFailure = this.asyncImports.length > 0 ? watchAsyncImports(imports, this.asyncImports) : undefined;
      const hooks = createBoundaryHooks({ ...options.limits, canSuspend: flag, hostFailure }) as BoundaryHooks & { inlineModules: WebAssembly.Module[] };
      hooks.inlineModules = this.#inlineModules;
      // The glue's instantiate returns its exports directly when every instantiateCore did.
      pending = (this.#glue.instantiate as unknown as SyncGlueInstantiate)((name) => this.#module(name), imports, instantiateCore, hooks);
    } catch (error) {
      wasmFunctions = undefined;
      store.endCall();
      return Promise.reject(instantiationError(error, store));
    }
    if (pending instanceof Promise) return pending.then(done, fail);
    return Promise.resolve(done(pending));
  }

  #module(name: string): WebAssembly.Module {
    const module = this.modules.get(name);
    if (!module) throw new AgentOsError('internal', `The glue asked for a core module '${name}' that was not compiled.`);
    return module;
  }
}

type SyncGlueInstantiate = (
  getCoreModule: (name: string) => WebAssembly.Module,
  imports: Record<string, unknown>,
  instantiateCore: (module: WebAssembly.Module, imports?: WebAssembly.Imports) => WebAssembly.Instance | Promise<WebAssembly.Instance>,
  hooks: unknown,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

/** False once the host refused a synchronous instantiation (Chromium's main thread does for modules over 4 KB). */
let syncAllowed = true;

/** `new WebAssembly.Instance`, or undefined where the host only allows the asynchronous form. */
function instantiateSync(module: WebAssembly.Module, imports: WebAssembly.Imports): WebAssembly.Instance | undefined {
  if (!syncAllowed) return undefined;
  try {
    return new WebAssembly.Instance(module, imports);
  } catch (error) {
    if (error instanceof RangeError && /disallowed|main thread/i.test(error.message)) {
      syncAllowed = false;
      return undefined;
    }
    throw error;
  }
}

function needsFuel(module: WebAssembly.Module): boolean {
  let needs = importsFuel.get(module);
  if (needs === undefined) {
    needs = WebAssembly.Module.imports(module).some((i) => i.module === FUEL_MODULE);
    importsFuel.set(module, needs);
  }
  return needs;
}

/**
 * Wraps a JS function a core module imports (a glue trampoline that calls the host):
 * no suspension is possible while it runs (JS frames), and anything it throws
 * reaches the guest as a trap with a clear message, never a host stack.
 * One wrapper per import and instance (a QuickJS component has ~80), so it keeps the two
 * name parts it already has and builds `namespace#name` only for an error.
 */
function guardHostFunction(fn: (...args: unknown[]) => unknown, namespace: string, name: string, flag: WebAssembly.Global<'i32'>): (...args: unknown[]) => unknown {
  const guarded = function (this: unknown, ...args: unknown[]): unknown {
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
  return Object.assign(guarded, fn);
}

function instantiationError(error: unknown, store: Store): AgentOsError {
  if (error instanceof WebAssembly.LinkError || error instanceof WebAssembly.CompileError) {
    return new AgentOsError('invalid-component', `The component could not be instantiated: ${error.message}`, { cause: error });
  }
  if (error instanceof RangeError && /memory/i.test(error.message)) {
    return new AgentOsError('memory-limit', `The component needs more memory than this host allows: ${error.message}`, { cause: error });
  }
  return store.explain(error, 'instantiate');
}
