/**
 * @agentos/sandbox: run WebAssembly components under deterministic fuel,
 * memory caps and deadlines, on any host with WebAssembly (Node, workerd,
 * browsers). This entry point is portable; Node-only helpers live in
 * `@agentos/sandbox/node`.
 */
export { AgentOsError, ERROR_CODES, isAgentOsError, type AgentOsErrorJSON, type AgentOsErrorOptions, type ErrorCode } from './errors/index.ts';
export {
  Engine,
  Component,
  ComponentInstance,
  Store,
  FuelAccount,
  DEFAULT_FUEL,
  DEFAULT_SLICE,
  DEFAULT_MAX_MEMORY_BYTES,
  DEFAULT_MAX_COMPONENT_BYTES,
  UNLIMITED_FUEL,
  dataUrlGlueLoader,
  blobUrlGlueLoader,
  denyingInterface,
  exportedFunctions,
  hasJspi,
  linkImports,
  toAgentOsError,
  transpileComponent,
  fromPrecompiled,
  provideExhaustedModule,
  PRECOMPILED_FORMAT,
  EXHAUSTED_FILE,
  GLUE_FILE,
  LOADER_FILE,
  type Precompiled,
  type PrecompiledComponent,
  type PrecompiledManifest,
  type EngineOptions,
  type LoadOptions,
  type Instrument,
  type InstantiateOptions,
  type StoreOptions,
  type GlueLoader,
  type GlueModule,
  type HostImports,
  type ExportedFunction,
  type Transpiled,
} from './engine/index.ts';
export { instrument, inspectModule, DEFAULT_LIMITS, type InstrumentOptions, type InstrumentResult, type ModuleLimits } from './metering/index.ts';
export { createWasi, WasiExit, isWasiExit, createVirtualClock, createSeededRandom, type WasiOptions } from './wasi/index.ts';
export { hardenGlue, createBoundaryHooks, parseJsonSafely, DEFAULT_MAX_STRING_BYTES, DEFAULT_MAX_LIST_LENGTH, type BoundaryLimits } from './boundary/index.ts';
