/**
 * Metering: turns a core WebAssembly module into one that pays for what it
 * runs. `instrument` injects the fuel counter (see docs/CONTRACTS.md, "Fuel
 * protocol"), caps memories and tables, and refuses modules over the static
 * limits or invalid ones; `inspectModule` reports on a module without
 * changing it. The cost of each instruction is in `cost.ts`.
 */
export { MEMORY_BYTES_PER_FUEL_LOG2, prefixedWeight, SINGLE_WEIGHT, TABLE_ELEMENTS_PER_FUEL_LOG2 } from './cost.ts';
export { STATE_EXPORT_PREFIX, STATE_GLOBAL_PREFIX, STATE_MEMORY_PREFIX, STATE_UNSUPPORTED_PREFIX, type StateExports } from './export-state.ts';
export { inspectModule, type ModuleInspection } from './inspect.ts';
export { instrument, type InstrumentOptions, type InstrumentResult, type InstrumentStats } from './instrument.ts';
export { DEFAULT_LIMITS, type ModuleLimits } from './limits.ts';
export { FUEL_MODULE } from './renumber.ts';
export type { CounterPlacement } from './metered-code.ts';
