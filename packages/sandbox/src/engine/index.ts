/**
 * The sandbox engine: load a component once (Engine: transpile, meter, cap,
 * compile, cache), then run it many times, each run in its own Store (fuel,
 * deadline, preemption, observations) through a ComponentInstance.
 *
 * ```ts
 * const engine = new Engine();
 * const component = await engine.load(bytes);
 * const store = new Store({ fuel: 1_000_000n, timeoutMs: 1000 });
 * const instance = await component.instantiate(store, { imports: { 'docs:host/log': { log } } });
 * await instance.call('docs:adder/add@0.1.0#add', [1, 2]); // 3
 * store.fuel.used; store.memoryPeakBytes;
 * ```
 *
 * Hosts that cannot compile at run time (workerd) bundle `engine.precompile(bytes)`'s
 * files and call `fromPrecompiled(default export of its index.js)` instead of `load`.
 */
export { Engine, DEFAULT_MAX_COMPONENT_BYTES, DEFAULT_MAX_MEMORY_BYTES, type EngineOptions, type LoadOptions, type Instrument } from './engine.ts';
export { Component, type InstantiateOptions } from './component.ts';
export { fromPrecompiled, PRECOMPILED_FORMAT, type PrecompiledComponent, type PrecompiledFiles, type PrecompiledManifest } from './precompiled.ts';
export { precompiledFiles, extractInlineModules, liftInlineModules, EXHAUSTED_FILE, GLUE_FILE, LOADER_FILE, type Precompiled } from './precompile.ts';
export { ComponentInstance } from './instance.ts';
export { captureState, restoreState, stateView, type InstanceState, type StateView } from './state.ts';
export { Store, DEFAULT_FUEL, DEFAULT_SLICE, type StoreOptions } from './store.ts';
export { FuelAccount, UNLIMITED_FUEL, type FuelAccountOptions } from './fuel.ts';
export { dataUrlGlueLoader, blobUrlGlueLoader, loadHardenedGlue, type GlueLoader, type GlueModule, type GlueInstantiate, type LoadedGlue } from './glue-loader.ts';
export { linkImports, denyingInterface, type HostImports } from './imports.ts';
export { exportedFunctions, toCamel, toKebab, type ExportedFunction } from './signatures.ts';
export { transpileComponent, type Transpiled, type TranspileOptions } from './transpile.ts';
export { toAgentOsError } from './traps.ts';
export { hasJspi, provideExhaustedModule, EXHAUSTED_WASM } from './exhausted.ts';
export { memoryLimitError, type CappedMemory } from './memory-limit.ts';
