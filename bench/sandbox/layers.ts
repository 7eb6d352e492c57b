/**
 * The layers a component instantiation or call goes through, taken apart so a
 * bench can say where the time goes:
 *   - `core`:   the compiled (metered) core modules alone, `WebAssembly.instantiate`;
 *   - `glue`:   jco's hardened glue driven directly (what the Engine runs, minus
 *               the Engine's own wrappers: import linking, host-function guards,
 *               the Store's deadline bookkeeping, the per-instance call queue);
 *   - `engine`: `Component.instantiate` / `ComponentInstance.call`, the public API.
 * Every layer uses the same compiled modules from one `Engine.load`.
 */
import { dataUrlGlueLoader, loadHardenedGlue } from '../../packages/sandbox/src/engine/index.ts';
import { createBoundaryHooks, hardenGlue, type Component, type Engine, type LoadOptions, type Store } from '../../packages/sandbox/src/index.ts';

export interface Layers {
  component: Component;
  /** Instantiates through the glue with the engine's compiled modules, no Engine wrappers. */
  instantiateGlue(store: Store, imports?: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/** Loads `bytes` with `engine` and prepares the glue layer beside it. */
export async function loadLayers(engine: Engine, bytes: Uint8Array, options: LoadOptions = {}): Promise<Layers> {
  const component = await engine.load(bytes, options);
  const async = options.preemptible === true || (options.asyncImports?.length ?? 0) > 0;
  const transpiled = await engine.transpile(bytes, { async, asyncImports: options.asyncImports });
  // Like the Engine: jco's inline helper modules are compiled once, not per instance.
  const glue = await loadHardenedGlue(dataUrlGlueLoader, hardenGlue(transpiled.glue).source, component.hash);
  return {
    component,
    instantiateGlue(store, imports = {}) {
      const instantiateCore = (module: WebAssembly.Module, coreImports: WebAssembly.Imports = {}) =>
        WebAssembly.instantiate(module, component.metered ? { ...coreImports, 'agentos:fuel': store.fuelImports } : coreImports);
      const getCoreModule = (name: string) => {
        const module = component.modules.get(name);
        if (!module) throw new Error(`the glue asked for an unknown core module ${name}`);
        return module;
      };
      // Like the Engine for a store without `yield`: no suspension flag to keep.
      const hooks = createBoundaryHooks({ inlineModules: glue.inlineModules });
      return glue.module.instantiate(getCoreModule, imports, instantiateCore, hooks);
    },
  };
}

/**
 * Instantiates each core module of a component that imports nothing but fuel
 * (e.g. adder) on its own: the floor under any component instantiation.
 * `sync` uses `new WebAssembly.Instance` instead of the Promise-returning
 * `WebAssembly.instantiate` (which the glue's `instantiateCore` hook uses), to
 * show what the asynchronous path costs by itself.
 * @throws Error when a module needs imports other than `agentos:fuel`.
 */
export async function instantiateCores(component: Component, store: Store, options: { sync?: boolean } = {}): Promise<WebAssembly.Instance[]> {
  const out: WebAssembly.Instance[] = [];
  for (const module of component.modules.values()) {
    const foreign = WebAssembly.Module.imports(module).filter((i) => i.module !== 'agentos:fuel');
    if (foreign.length) throw new Error(`core module imports ${foreign[0].module}#${foreign[0].name}; only fuel can be provided here`);
    const imports: WebAssembly.Imports = component.metered ? { 'agentos:fuel': store.fuelImports } : {};
    out.push(options.sync ? new WebAssembly.Instance(module, imports) : await WebAssembly.instantiate(module, imports));
  }
  return out;
}
