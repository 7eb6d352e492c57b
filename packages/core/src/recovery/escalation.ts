/**
 * Escalation: what happens when automatic recovery has run out of ideas.
 *
 * When the retries of a retryable failure are spent, `retry` hands the
 * situation to a person (through the human gate: an approval request, a
 * ticket, a chat message) via an `Escalate` hook and does what they decide.
 * The hook is the only coupling: recovery knows nothing of how people are
 * asked, and the gate knows nothing of backoff.
 */

import type { RetryClassification } from './classify.ts';

export interface EscalationContext {
  /** What was being attempted, e.g. "tool:web.fetch". */
  operation: string;
  /** Attempts made in total, across every round granted so far. */
  attempts: number;
  /** Escalations before this one (0 for the first). */
  escalations: number;
  /** Clock time spent since the first attempt (ms). */
  elapsedMs: number;
  /** What the last attempt threw. */
  error: unknown;
  classification: RetryClassification;
}

/**
 * The person's answer:
 *   - retry:   grant another round of `attempts` attempts (default: the original maxAttempts), backoff restarted
 *   - abort:   give up; `retry` throws the last attempt's error
 *   - resolve: give up on the operation but carry on with `value` as its result (e.g. an answer typed by hand)
 */
export type EscalationDecision<T> =
  | { action: 'retry'; attempts?: number }
  | { action: 'abort'; reason?: string }
  | { action: 'resolve'; value: T };

/** Asks a person what to do. A rejection (say the approval timed out) propagates from `retry` as is. */
export type Escalate<T> = (context: EscalationContext) => Promise<EscalationDecision<T>>;
