/**
 * The `exhausted` hook every metered core module imports (`agentos:fuel`).
 *
 * It is a tiny wasm function rather than a JS one, for two reasons:
 *
 * 1. Stopping must be uncatchable. A JS exception thrown from an import is
 *    catchable by the guest's `catch_all` / `try_table (catch_all …)`, so a
 *    guest could catch out-of-fuel and return a normal result. A wasm trap
 *    (`unreachable`) is not catchable by any wasm handler. So the host side
 *    never throws to stop the guest: it records why it stops (see Store) and
 *    leaves the fuel counter negative, and the hook then traps. A refilled
 *    (non-negative) counter lets the guest go on.
 * 2. Preemption (JSPI) can only suspend a guest that runs under
 *    `WebAssembly.promising` with no JS frame between that point and the
 *    suspending import; a `Suspending` import called anywhere else throws
 *    `SuspendError`. Fuel can run out in both places (e.g. in `cabi_realloc`
 *    called by the JS glue), so the hook picks, on a flag the host keeps
 *    current, between the suspending path and a plain synchronous refill.
 *
 * ```wat
 * (module
 *   (import "host" "refill" (func $refill))
 *   (import "host" "suspend" (func $suspend))
 *   (import "host" "canSuspend" (global $can (mut i32)))
 *   (import "host" "fuel" (global $fuel (mut i64)))
 *   (func (export "exhausted")
 *     global.get $can
 *     if call $suspend else call $refill end
 *     global.get $fuel
 *     i64.const 0
 *     i64.lt_s
 *     if unreachable end))
 * ```
 *
 * workerd cannot compile even these 122 bytes at run time, so `precompile`
 * ships them as a .wasm file and `fromPrecompiled` hands the compiled module
 * to `provideExhaustedModule`.
 */
import { AgentOsError } from '../errors/index.ts';

/** wat2wasm output of the module above (122 bytes). */
export const EXHAUSTED_WASM = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 2, 62, 4, 4, 104, 111, 115, 116, 6, 114, 101, 102, 105, 108, 108, 0,
  0, 4, 104, 111, 115, 116, 7, 115, 117, 115, 112, 101, 110, 100, 0, 0, 4, 104, 111, 115, 116, 10, 99, 97, 110, 83, 117,
  115, 112, 101, 110, 100, 3, 127, 1, 4, 104, 111, 115, 116, 4, 102, 117, 101, 108, 3, 126, 1, 3, 2, 1, 0, 7, 13, 1, 9,
  101, 120, 104, 97, 117, 115, 116, 101, 100, 0, 2, 10, 23, 1, 21, 0, 35, 0, 4, 64, 16, 1, 5, 16, 0, 11, 35, 1, 66, 0,
  83, 4, 64, 0, 11, 11,
]);

let exhaustedModule: WebAssembly.Module | undefined;

/**
 * Supplies the compiled hook module, for hosts that cannot compile at run time
 * (workerd). Called by `fromPrecompiled`; elsewhere the module is compiled on first use.
 * @throws AgentOsError('invalid-argument') when `module` is not the hook module.
 */
export function provideExhaustedModule(module: WebAssembly.Module): void {
  const exports = WebAssembly.Module.exports(module);
  if (exports.length !== 1 || exports[0].name !== 'exhausted') {
    throw new AgentOsError('invalid-argument', 'The precompiled fuel hook module is not the one agentos ships; precompile the component again with this version.');
  }
  exhaustedModule = module;
}

/** True when this host has JSPI (`WebAssembly.Suspending` and `WebAssembly.promising`). */
export function hasJspi(): boolean {
  const wasm = WebAssembly as unknown as Record<string, unknown>;
  return typeof wasm.Suspending === 'function' && typeof wasm.promising === 'function';
}

export interface ExhaustedHookOptions {
  fuel: WebAssembly.Global<'i64'>;
  canSuspend: WebAssembly.Global<'i32'>;
  /** Synchronous: refills the counter, or leaves it negative to stop the guest. Must not throw. */
  refill: () => void;
  /** Preemption: awaited with the guest suspended; same contract as `refill` once it settles. */
  suspend?: () => Promise<void>;
}

/**
 * Builds the `exhausted` function of a store.
 * @throws AgentOsError('unsupported-feature') for `suspend` on a host without JSPI.
 */
export function exhaustedHook(options: ExhaustedHookOptions): () => void {
  let suspend: WebAssembly.ImportValue = options.refill;
  if (options.suspend) {
    if (!hasJspi()) {
      throw new AgentOsError('unsupported-feature', 'Preemption needs JSPI (WebAssembly.Suspending), which this host lacks; drop the `yield` hook or use Node >= 24 / Chromium >= 137.');
    }
    const Suspending = (WebAssembly as unknown as { Suspending: new (fn: () => Promise<void>) => object }).Suspending;
    suspend = new Suspending(options.suspend) as WebAssembly.ImportValue;
  }
  exhaustedModule ??= new WebAssembly.Module(EXHAUSTED_WASM as Uint8Array<ArrayBuffer>);
  const instance = new WebAssembly.Instance(exhaustedModule, {
    host: { refill: options.refill, suspend, canSuspend: options.canSuspend, fuel: options.fuel },
  });
  return instance.exports.exhausted as () => void;
}
