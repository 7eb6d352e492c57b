/**
 * A loaded component: hardened glue plus its compiled (metered, capped) core
 * modules. Loading is the expensive part and is cached by the Engine;
 * `instantiate` is cheap and may run many times, each into its own Store.
 */
import { createBoundaryHooks, type BoundaryLimits } from '../boundary/index.ts';
import { AgentOsError } from '../errors/index.ts';
import type { GlueModule } from './glue-loader.ts';
import { linkImports, type HostImports } from './imports.ts';
import { ComponentInstance } from './instance.ts';
import type { ExportedFunction } from './signatures.ts';
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
  /** Precompiled glue only: the helper modules it reads as `$agentos.inlineModules[i]` instead of compiling them. */
  inlineModules?: WebAssembly.Module[];
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
  }

  /**
   * Instantiates the component into `store` (its start functions already spend the store's fuel).
   * @throws AgentOsError: 'trap'/'out-of-fuel'/'deadline' from start functions, 'memory-limit' or
   *   'invalid-component' when a core module cannot be instantiated.
   */
  async instantiate(store: Store, options: InstantiateOptions = {}): Promise<ComponentInstance> {
    const wasmFunctions = new WeakSet<object>();
    const flag = store.canSuspend;
    const instantiateCore = async (module: WebAssembly.Module, imports: WebAssembly.Imports = {}): Promise<WebAssembly.Instance> => {
      const linked: WebAssembly.Imports = {};
      for (const [namespace, members] of Object.entries(imports)) {
        const out: Record<string, WebAssembly.ImportValue> = {};
        for (const [name, value] of Object.entries(members)) {
          out[name] = typeof value === 'function' && !wasmFunctions.has(value) ? guardHostFunction(value as (...args: unknown[]) => unknown, `${namespace}#${name}`, flag) : value;
        }
        linked[namespace] = out;
      }
      if (this.metered && needsFuel(module)) linked[FUEL_MODULE] = store.fuelImports;
      const instance = await WebAssembly.instantiate(module, linked);
      for (const value of Object.values(instance.exports)) {
        if (typeof value === 'function') wasmFunctions.add(value);
        else if (value instanceof WebAssembly.Memory) store.trackMemory(value, this.maxMemoryBytes);
      }
      return instance;
    };
    const hooks = Object.assign(createBoundaryHooks({ ...options.limits, canSuspend: flag }), { inlineModules: this.#inlineModules });
    const imports = linkImports([...this.imports], options.imports ?? {});
    store.beginCall();
    try {
      const exports = await this.#glue.instantiate((name) => this.#module(name), imports, instantiateCore, hooks);
      return new ComponentInstance({ exports, store, functions: this.functions });
    } catch (error) {
      throw instantiationError(error, store);
    } finally {
      store.endCall();
    }
  }

  #module(name: string): WebAssembly.Module {
    const module = this.modules.get(name);
    if (!module) throw new AgentOsError('internal', `The glue asked for a core module '${name}' that was not compiled.`);
    return module;
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
 */
function guardHostFunction(fn: (...args: unknown[]) => unknown, name: string, flag: WebAssembly.Global<'i32'>): (...args: unknown[]) => unknown {
  const guarded = function (this: unknown, ...args: unknown[]): unknown {
    const previous = flag.value;
    flag.value = 0;
    try {
      return fn.apply(this, args);
    } catch (error) {
      throw hostImportError(error, name);
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
