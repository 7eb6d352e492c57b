/**
 * A loaded component: hardened glue plus its compiled (metered, capped) core
 * modules. Loading is the expensive part and is cached by the Engine;
 * `instantiate` is cheap and may run many times, each into its own Store.
 */
import { createBoundaryHooks, type BoundaryLimits } from '../boundary/index.ts';
import { AgentOsError } from '../errors/index.ts';
import { CoreLinking, LinkHints } from './core-link.ts';
import type { GlueModule } from './glue-loader.ts';
import { linkImports, watchAsyncImports, type HostImports } from './imports.ts';
import { ComponentInstance } from './instance.ts';
import type { ExportedFunction } from './signatures.ts';
import { coreInstances } from './state.ts';
import type { Store } from './store.ts';

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
  /** Where the glue's core imports came from in earlier instantiations (core-link.ts). */
  readonly #hints = new LinkHints();

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
    const maxMemoryBytes = this.maxMemoryBytes;
    // Only a preemptive store's fuel hook reads the flag (store.ts), so only those keep it current.
    const flag = store.preemptive ? store.canSuspend : undefined;
    const recorded = coreInstances(store);
    const linking = new CoreLinking({
      hints: this.#hints,
      flag,
      fuelImports: this.metered ? () => store.fuelImports : undefined,
      adopt: (instance, memoryExports) => {
        recorded.push(instance);
        for (const name of memoryExports) store.trackMemory(instance.exports[name] as WebAssembly.Memory, maxMemoryBytes);
      },
    });
    const instantiateCore = (module: WebAssembly.Module, imports: WebAssembly.Imports = {}): WebAssembly.Instance | Promise<WebAssembly.Instance> => {
      const { linked, memoryExports } = linking.link(module, imports);
      const instance = instantiateSync(module, linked);
      return instance ? linking.adopt(instance, memoryExports) : WebAssembly.instantiate(module, linked).then((made) => linking.adopt(made, memoryExports));
    };
    const fail = (error: unknown): never => {
      linking.end();
      store.endCall();
      throw instantiationError(error, store);
    };
    const done = (exports: Record<string, unknown>): ComponentInstance => {
      linking.end();
      store.endCall();
      return new ComponentInstance({ exports, store, functions: this.functions, async: this.async });
    };
    store.beginCall();
    let pending: Record<string, unknown> | Promise<Record<string, unknown>>;
    try {
      const imports = linkImports(this.imports, options.imports ?? {});
      const hostFailure = this.asyncImports.length > 0 ? watchAsyncImports(imports, this.asyncImports) : undefined;
      const hooks = createBoundaryHooks({ ...options.limits, canSuspend: flag, hostFailure, inlineModules: this.#inlineModules });
      // The glue's instantiate returns its exports directly when every instantiateCore did.
      pending = (this.#glue.instantiate as unknown as SyncGlueInstantiate)(this.#getCoreModule, imports, instantiateCore, hooks);
    } catch (error) {
      linking.end();
      store.endCall();
      return Promise.reject(instantiationError(error, store));
    }
    if (pending instanceof Promise) return pending.then(done, fail);
    return Promise.resolve(done(pending));
  }

  /** The glue's `getCoreModule`: one function per component, not per instance. */
  readonly #getCoreModule = (name: string): WebAssembly.Module => {
    const module = this.modules.get(name);
    if (!module) throw new AgentOsError('internal', `The glue asked for a core module '${name}' that was not compiled.`);
    return module;
  };
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

function instantiationError(error: unknown, store: Store): AgentOsError {
  if (error instanceof WebAssembly.LinkError || error instanceof WebAssembly.CompileError) {
    return new AgentOsError('invalid-component', `The component could not be instantiated: ${error.message}`, { cause: error });
  }
  if (error instanceof RangeError && /memory/i.test(error.message)) {
    return new AgentOsError('memory-limit', `The component needs more memory than this host allows: ${error.message}`, { cause: error });
  }
  return store.explain(error, 'instantiate');
}
