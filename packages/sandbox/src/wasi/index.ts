/**
 * Our own WASI 0.2, virtualized and deny-by-default.
 *
 * Components that import `wasi:*` get these implementations instead of jco's preview2-shim,
 * which would give them the host's real filesystem, environment and network. Here a guest
 * sees only what the host grants through `WasiOptions`: arguments, an environment, stdin
 * bytes, output sinks with caps, a clock and a random source (both replaceable by
 * deterministic ones for replay), and an in-memory filesystem behind explicit preopens.
 * Sockets are always denied. Every denial is reported through `onDenied`.
 *
 * The engine merges `createWasi(options)` into the component's imports and treats a thrown
 * `WasiExit` as the guest's exit (code 0 = success).
 */

export { createWasi, wasiImportKeys, WASI_PATCH_VERSIONS, type WasiImports } from './create-wasi.ts';
export { DEFAULT_WASI_LIMITS, type WasiOptions, type WasiLimits, type OutputStreamName } from './options.ts';
export { WasiExit, isWasiExit } from './exit.ts';
export { GuestError, type WasiDenial, type DenialListener } from './guest-error.ts';
export { createRealClock, createVirtualClock, type ClockCapability, type VirtualClock, type VirtualClockOptions, type Datetime } from './clocks.ts';
export { createCryptoRandom, createSeededRandom, type RandomCapability } from './random.ts';
export { VirtualDir, VirtualFile, type VirtualTree, type Preopen } from './filesystem/index.ts';
