/**
 * How a host function hands a WIT `result` error back to the guest.
 *
 * jco glue wraps every result-returning import in `try { ... } catch (e) { getErrorPayload(e) }`:
 * a thrown value with an own `payload` property becomes `{ tag: 'err', val: payload }` for the
 * guest, while any other `Error` is rethrown as a trap. So expected failures (a missing file,
 * a denied socket) are thrown as `GuestError`, and host faults (caps, exit) as plain errors.
 */

import { AgentOsError } from '../errors/index.ts';

/** A WIT `result` error value the guest receives as `err(payload)`; never a trap. */
export class GuestError extends Error {
  override readonly name = 'GuestError';
  readonly payload: unknown;

  constructor(payload: unknown) {
    super(`guest-visible error: ${typeof payload === 'string' ? payload : String((payload as { tag?: unknown })?.tag)}`);
    // An own property: that is what the glue's getErrorPayload looks for.
    this.payload = payload;
  }
}

/** One refused request, as told to the policy/audit layer through `onDenied`. */
export interface WasiDenial {
  /** WIT interface without version, e.g. `wasi:sockets/tcp-create-socket`. */
  interface: string;
  /** WIT function or method name, e.g. `create-tcp-socket` or `[method]descriptor.open-at`. */
  function: string;
  reason: string;
}

export type DenialListener = (denial: WasiDenial) => void;

/** Reports denials and builds the guest-visible error for them. */
export class Denials {
  readonly #listener: DenialListener | undefined;

  constructor(listener: DenialListener | undefined) {
    this.#listener = listener;
  }

  /** Reports the denial, then returns the error to throw (so call sites read `throw denials.deny(...)`). */
  deny(denial: WasiDenial, payload: unknown): GuestError {
    this.report(denial);
    return new GuestError(payload);
  }

  report(denial: WasiDenial): void {
    this.#listener?.(denial);
  }
}

/**
 * Refuses a guest-controlled size before the host allocates for it.
 * @throws AgentOsError 'limit-exceeded' when `requested` is above `limit`.
 */
export function checkLimit(options: { what: string; requested: bigint | number; limit: number }): number {
  const requested = BigInt(options.requested);
  if (requested > BigInt(options.limit)) {
    throw new AgentOsError(
      'limit-exceeded',
      `The guest asked for ${requested} bytes of ${options.what}; the limit is ${options.limit}. Raise the WASI limit if this is expected.`,
      { details: { what: options.what, requested: requested.toString(), limit: options.limit } },
    );
  }
  return Number(requested);
}
