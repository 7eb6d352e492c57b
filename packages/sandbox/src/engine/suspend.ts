/**
 * The `exhausted` hook for preemptible stores.
 *
 * JSPI can only suspend a guest that runs under `WebAssembly.promising` with no
 * JS frame between that point and the suspending import; a `Suspending` import
 * called anywhere else throws `SuspendError`. Fuel can run out in both places
 * (e.g. in `cabi_realloc` called by the JS glue while it lowers a host result),
 * so the hook is a tiny wasm function that picks, on a flag the host keeps
 * current, between the suspending path and a plain synchronous refill:
 *
 * ```wat
 * (module
 *   (import "host" "refill" (func $refill))
 *   (import "host" "suspend" (func $suspend))
 *   (import "host" "canSuspend" (global $can (mut i32)))
 *   (func (export "exhausted")
 *     global.get $can
 *     if call $suspend else call $refill end))
 * ```
 */
import { AgentOsError } from '../errors/index.ts';

// wat2wasm output of the module above (82 bytes).
const TRAMPOLINE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 2, 49, 3, 4, 104, 111, 115, 116, 6, 114, 101, 102, 105, 108, 108, 0, 0,
  4, 104, 111, 115, 116, 7, 115, 117, 115, 112, 101, 110, 100, 0, 0, 4, 104, 111, 115, 116, 10, 99, 97, 110, 83, 117,
  115, 112, 101, 110, 100, 3, 127, 1, 3, 2, 1, 0, 7, 13, 1, 9, 101, 120, 104, 97, 117, 115, 116, 101, 100, 0, 2, 10, 14,
  1, 12, 0, 35, 0, 4, 64, 16, 1, 5, 16, 0, 11, 11,
]);

let trampolineModule: WebAssembly.Module | undefined;

/** True when this host has JSPI (`WebAssembly.Suspending` and `WebAssembly.promising`). */
export function hasJspi(): boolean {
  const wasm = WebAssembly as unknown as Record<string, unknown>;
  return typeof wasm.Suspending === 'function' && typeof wasm.promising === 'function';
}

export interface TrampolineOptions {
  refill: () => void;
  suspend: () => Promise<void>;
  canSuspend: WebAssembly.Global<'i32'>;
}

/**
 * Builds the `exhausted` function of a preemptible store.
 * @throws AgentOsError('unsupported-feature') when the host has no JSPI.
 */
export function exhaustedTrampoline(options: TrampolineOptions): () => void {
  if (!hasJspi()) {
    throw new AgentOsError('unsupported-feature', 'Preemption needs JSPI (WebAssembly.Suspending), which this host lacks; drop the `yield` hook or use Node >= 24 / Chromium >= 137.');
  }
  const Suspending = (WebAssembly as unknown as { Suspending: new (fn: () => Promise<void>) => object }).Suspending;
  trampolineModule ??= new WebAssembly.Module(TRAMPOLINE);
  const instance = new WebAssembly.Instance(trampolineModule, {
    host: { refill: options.refill, suspend: new Suspending(options.suspend) as WebAssembly.ImportValue, canSuspend: options.canSuspend },
  });
  return instance.exports.exhausted as () => void;
}
