/**
 * How host-side outcomes cross into the guest as WIT values of
 * `agentos:runtime` (as jco's glue expects them): a `result` is returned as
 * `{ tag: 'ok' | 'err', val }`, the shared `error` variant is
 * `{ tag: <code>, val: message }` — its case names are AgentOsError codes, so a
 * refusal keeps its name from host to guest.
 */
import { AgentOsError, type ErrorCode } from '../../../sandbox/src/errors/index.ts';

/** The interfaces of the `agentos:runtime` WIT package, as the glue names them. */
export const WIT_PACKAGE = 'agentos:runtime';

/** A WIT `result` as jco's glue lowers it from a host import. */
export type WitResult<T, E = WitError> = { tag: 'ok'; val: T } | { tag: 'err'; val: E };

/** The `error` variant of `agentos:runtime/types`. */
export interface WitError {
  tag: WitErrorCase;
  val: string;
}

/** The cases of the WIT `error` variant (a subset of AgentOsError codes). */
export const WIT_ERROR_CASES = [
  'capability-denied', 'policy-denied', 'not-found', 'invalid-argument', 'timeout',
  'rate-limited', 'quota-exceeded', 'budget-exceeded', 'limit-exceeded', 'connection-failed', 'internal',
] as const satisfies readonly ErrorCode[];

export type WitErrorCase = (typeof WIT_ERROR_CASES)[number];

const CASES: ReadonlySet<string> = new Set(WIT_ERROR_CASES);
/** Trust refusals (a tool no longer matches what was approved): the host denies the capability. */
const TRUST_REFUSALS: ReadonlySet<string> = new Set(['manifest-changed', 'key-changed', 'signature-invalid', 'hash-mismatch']);

export function ok<T>(val: T): WitResult<T, never> {
  return { tag: 'ok', val };
}

export function err<E>(val: E): WitResult<never, E> {
  return { tag: 'err', val };
}

/**
 * The WIT `error` for a host-side failure: AgentOsError codes that have a case
 * keep it; trust refusals ('manifest-changed', 'key-changed', ...) become
 * `capability-denied`; anything else becomes `internal` (the message, prefixed
 * with the code, says what happened, without host stacks).
 */
export function toWitError(error: unknown): WitError {
  if (error instanceof AgentOsError) {
    if (CASES.has(error.code)) return { tag: error.code as WitErrorCase, val: error.message };
    return { tag: TRUST_REFUSALS.has(error.code) ? 'capability-denied' : 'internal', val: `${error.code}: ${error.message}` };
  }
  return { tag: 'internal', val: error instanceof Error ? error.message : String(error) };
}

/** The `http-error` variant for an `error`: the cases http has, else `internal`. */
export function toHttpError(error: WitError): { tag: string; val: string } {
  switch (error.tag) {
    case 'capability-denied':
    case 'policy-denied':
      return { tag: 'denied', val: error.val };
    case 'invalid-argument':
      return { tag: 'invalid-request', val: error.val };
    case 'timeout':
    case 'rate-limited':
      return { tag: error.tag, val: error.val };
    case 'budget-exceeded':
      return { tag: 'rate-limited', val: error.val };
    case 'limit-exceeded':
      return { tag: 'too-large', val: error.val };
    case 'connection-failed':
      return { tag: 'connection-failed', val: error.val };
    default:
      return { tag: 'internal', val: error.val };
  }
}

/** The `call-error` variant of `tools.call` for a refusal by the host. */
export function toCallError(error: WitError): { tag: 'host'; val: WitError } {
  return { tag: 'host', val: error };
}

/** `agentos:runtime/<name>@0.1.0`, the key the sandbox links imports by (version optional there). */
export function witInterface(name: string): string {
  return `${WIT_PACKAGE}/${name}`;
}
