/**
 * `retry`: run an operation again after retryable failures, with backoff.
 *
 * One attempt → classify the failure → wait (the backoff delay, or longer if
 * the other side asked with a retry-after hint) → next attempt. Deterministic
 * failures are thrown at once. When the attempts (or the time allowed) are
 * spent, an optional `escalate` hook asks a person to grant another round,
 * abort, or supply the result. `retry` is transparent: it returns what an
 * attempt returned, or throws what the last attempt threw.
 */

import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { type Clock, realClock } from '../clock/index.ts';
import { Backoff, type BackoffOptions } from './backoff.ts';
import { type Classifier, type RetryClassification, classifyError } from './classify.ts';
import type { Escalate } from './escalation.ts';

export interface AttemptInfo {
  /** 1 for the first attempt, counting across escalation rounds. */
  attempt: number;
  signal: AbortSignal | undefined;
}

export interface RetryEvent {
  /** The attempt that failed. */
  attempt: number;
  error: unknown;
  classification: RetryClassification;
  /** How long `retry` waits before the next attempt (ms). */
  delayMs: number;
}

export interface RetryOptions<T> {
  /** Attempts per round, the first included (>= 1). Default 5. */
  maxAttempts?: number;
  backoff?: Omit<BackoffOptions, 'random'>;
  /** Floats in [0, 1) for the jitter; default `Math.random`. */
  random?: () => number;
  /** Default `realClock`. */
  clock?: Clock;
  /** Default `classifyError` (with the clock's time for HTTP-date hints). */
  classify?: Classifier;
  /**
   * The longest retry-after hint worth waiting for (ms). A longer hint ends
   * the round at once, as if the attempts were spent. Default: the backoff cap.
   */
  maxRetryAfterMs?: number;
  /** Ends the round when the next wait would take the total past this (ms since the first attempt). */
  maxElapsedMs?: number;
  /** Names the operation for escalation, e.g. "tool:web.fetch". Default "operation". */
  operation?: string;
  escalate?: Escalate<T>;
  /** How many times `escalate` may be asked. Default 1. */
  maxEscalations?: number;
  /** Called before each wait; for logs, metrics and traces. */
  onRetry?: (event: RetryEvent) => void;
  /** Aborting stops waiting and throws the signal's reason; the running attempt sees the signal too. */
  signal?: AbortSignal;
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new AgentOsError('invalid-argument', `${name} must be an integer >= ${min}, got ${value}.`, { details: { [name]: value } });
  }
}

/**
 * Runs `operation` until it succeeds, fails with a non-retryable error, or
 * recovery is exhausted (then `escalate` decides, if given).
 * @throws what the last attempt threw when it is not retryable, when the
 *   attempts are spent without escalation, or when escalation aborts;
 *   the escalate hook's rejection as is; the signal's reason when aborted;
 *   AgentOsError 'invalid-argument' for a bad maxAttempts/maxEscalations or backoff.
 */
export async function retry<T>(operation: (info: AttemptInfo) => Promise<T>, options: RetryOptions<T> = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 5;
  const maxEscalations = options.maxEscalations ?? 1;
  checkCount('maxAttempts', maxAttempts, 1);
  checkCount('maxEscalations', maxEscalations, 0);
  const clock = options.clock ?? realClock;
  const backoff = new Backoff({ ...options.backoff, random: options.random });
  const classify = options.classify ?? ((error: unknown) => classifyError(error, { now: clock.now() }));
  const maxRetryAfterMs = options.maxRetryAfterMs ?? backoff.capMs;
  const signal = options.signal;
  const started = clock.now();

  let attempt = 0;
  let roundLeft = maxAttempts;
  let escalations = 0;
  for (;;) {
    signal?.throwIfAborted();
    attempt++;
    roundLeft--;
    let error: unknown;
    try {
      return await operation({ attempt, signal });
    } catch (caught) {
      error = caught;
    }
    const classification = classify(error);
    if (!classification.retryable) throw error;

    const delayMs = Math.max(backoff.next(), classification.retryAfterMs ?? 0);
    const hintTooLong = (classification.retryAfterMs ?? 0) > maxRetryAfterMs;
    const outOfTime = options.maxElapsedMs !== undefined && clock.now() + delayMs - started > options.maxElapsedMs;
    if (roundLeft > 0 && !hintTooLong && !outOfTime) {
      options.onRetry?.({ attempt, error, classification, delayMs });
      await clock.sleep(delayMs, signal);
      continue;
    }

    if (!options.escalate || escalations >= maxEscalations) throw error;
    const decision = await options.escalate({
      operation: options.operation ?? 'operation',
      attempts: attempt,
      escalations: escalations++,
      elapsedMs: clock.now() - started,
      error,
      classification,
    });
    if (decision.action === 'resolve') return decision.value;
    if (decision.action === 'abort') throw error;
    roundLeft = decision.attempts ?? maxAttempts;
    checkCount('attempts granted by escalation', roundLeft, 1);
    backoff.reset();
  }
}
