/**
 * Reading what a guest export returned. jco's glue (with component-error
 * wrapping off) throws the `err` value of a `result` export as it is, and the
 * sandbox reports it as a 'guest-error' whose `cause` is that value (the
 * instance stays usable). A tagged variant there is the guest's own error
 * (`agent-error`, `tool-error`), returned as data, not a fault of the guest.
 */
import { isAgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { AgentResult } from './sandbox.ts';

/** A WIT variant value as jco lifts it. */
export interface TaggedValue {
  tag: string;
  val?: unknown;
}

/** The guest's `err` value behind a rejected export call, or undefined for a real failure. */
export function guestErrorValue(error: unknown): TaggedValue | undefined {
  if (!isAgentOsError(error) || error.code !== 'guest-error') return undefined;
  const cause = (error as Error).cause;
  if (typeof cause !== 'object' || cause === null || typeof (cause as TaggedValue).tag !== 'string') return undefined;
  return cause as TaggedValue;
}

/** One line for people: `failed: the goal is unclear`, `capability(policy-denied: ...)`. */
export function describeVariant(value: TaggedValue): string {
  const inner = value.val;
  if (inner === undefined) return value.tag;
  if (typeof inner === 'object' && inner !== null && typeof (inner as TaggedValue).tag === 'string') {
    return `${value.tag}(${describeVariant(inner as TaggedValue)})`;
  }
  return `${value.tag}: ${String(inner)}`;
}

/** How an export call that threw ended: the guest's own error (as data), or the runtime's or sandbox's. */
export function failure(error: unknown): AgentResult {
  const guest = guestErrorValue(error);
  if (guest) return { ok: false, code: 'agent-error', error: describeVariant(guest), value: guest };
  if (isAgentOsError(error)) return { ok: false, code: error.code, error: error.message };
  return { ok: false, code: 'internal', error: error instanceof Error ? error.message : String(error) };
}
