/**
 * A circuit breaker: stop calling something that keeps failing, so it can
 * recover and so callers fail fast instead of queueing behind it.
 *
 *   closed    → calls pass; failures in the last `windowMs` are counted.
 *               `failureThreshold` of them → open.
 *   open      → calls are refused at once ('rate-limited', details.circuit
 *               'open', details.retryAfterMs = cool-down left).
 *               After `coolDownMs` the next call is let through as a probe → half-open.
 *   half-open → up to `halfOpenProbes` calls at a time; others are refused.
 *               `successesToClose` probe successes → closed; one probe failure → open again.
 *
 * Only failures that say something about the other side's health count (by
 * default the retryable ones: timeouts, 429, 5xx). A policy denial or a bad
 * argument says nothing about the tool, so it neither opens the breaker nor
 * fails a probe — the tool answered, which counts as a probe success.
 * Outcomes of calls started before the last state change are ignored: a slow
 * call that began while closed must not re-open a breaker that a probe just closed.
 */

import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { type Clock, realClock } from '../clock/index.ts';
import { classifyError, isCircuitOpen } from './classify.ts';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerTransition {
  key: string;
  from: BreakerState;
  to: BreakerState;
  /** Clock time of the change (ms). */
  at: number;
}

export interface CircuitBreakerOptions {
  /** Names the breaker in errors and transitions, e.g. "tool:web.fetch". Default "breaker". */
  key?: string;
  /** Failures within `windowMs` that open the breaker. Default 5. */
  failureThreshold?: number;
  /** Default 60,000. */
  windowMs?: number;
  /** How long an open breaker refuses before letting a probe through (ms). Default 30,000. */
  coolDownMs?: number;
  /** Probes allowed at once while half-open. Default 1. */
  halfOpenProbes?: number;
  /** Probe successes needed to close. Default 1. */
  successesToClose?: number;
  /** Which errors count as failures. Default: retryable by `classifyError`, never an open circuit's refusal. */
  isFailure?: (error: unknown) => boolean;
  clock?: Clock;
  onStateChange?: (transition: BreakerTransition) => void;
}

function defaultIsFailure(error: unknown): boolean {
  return !isCircuitOpen(error) && classifyError(error).retryable;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new AgentOsError('invalid-argument', `${name} must be an integer >= 1, got ${value}.`, { details: { [name]: value } });
  }
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!(value >= 0) || !Number.isFinite(value)) {
    throw new AgentOsError('invalid-argument', `${name} must be a finite number >= 0, got ${value}.`, { details: { [name]: value } });
  }
  return value;
}

export class CircuitBreaker {
  readonly key: string;
  readonly #threshold: number;
  readonly #windowMs: number;
  readonly #coolDownMs: number;
  readonly #probes: number;
  readonly #successesToClose: number;
  readonly #isFailure: (error: unknown) => boolean;
  readonly #clock: Clock;
  readonly #onStateChange: ((transition: BreakerTransition) => void) | undefined;

  #state: BreakerState = 'closed';
  // Bumped on every transition; a call's outcome counts only in the generation it started in.
  #generation = 0;
  #failures: number[] = [];
  #openedAt = 0;
  #probesInFlight = 0;
  #probeSuccesses = 0;

  /** @throws AgentOsError 'invalid-argument' for a non-positive threshold/probe count or a negative window/cool-down. */
  constructor(options: CircuitBreakerOptions = {}) {
    this.key = options.key ?? 'breaker';
    this.#threshold = positiveInteger('failureThreshold', options.failureThreshold ?? 5);
    this.#windowMs = nonNegative('windowMs', options.windowMs ?? 60_000);
    this.#coolDownMs = nonNegative('coolDownMs', options.coolDownMs ?? 30_000);
    this.#probes = positiveInteger('halfOpenProbes', options.halfOpenProbes ?? 1);
    this.#successesToClose = positiveInteger('successesToClose', options.successesToClose ?? 1);
    this.#isFailure = options.isFailure ?? defaultIsFailure;
    this.#clock = options.clock ?? realClock;
    this.#onStateChange = options.onStateChange;
  }

  /** The state as of now: an open breaker whose cool-down has passed reads as half-open. */
  get state(): BreakerState {
    if (this.#state === 'open' && this.#clock.now() - this.#openedAt >= this.#coolDownMs) return 'half-open';
    return this.#state;
  }

  /** Failures counted in the current window (closed state). */
  get recentFailures(): number {
    this.#prune(this.#clock.now());
    return this.#failures.length;
  }

  /**
   * Runs `call` if the breaker lets it through, and records its outcome.
   * @throws AgentOsError 'rate-limited' (details.circuit 'open', retryAfterMs) when refused;
   *   otherwise whatever `call` throws.
   */
  async execute<T>(call: () => Promise<T>): Promise<T> {
    const { generation, probe } = this.#admit();
    try {
      const value = await call();
      this.#settle(generation, probe, false);
      return value;
    } catch (error) {
      this.#settle(generation, probe, this.#isFailure(error));
      throw error;
    }
  }

  /** Back to closed with no failures counted (an operator's manual reset). */
  reset(): void {
    this.#failures = [];
    this.#transition('closed');
  }

  #admit(): { generation: number; probe: boolean } {
    const now = this.#clock.now();
    if (this.#state === 'open') {
      const left = this.#coolDownMs - (now - this.#openedAt);
      if (left > 0) throw this.#refusal(left, 'open');
      this.#transition('half-open');
    }
    if (this.#state === 'half-open') {
      if (this.#probesInFlight >= this.#probes) throw this.#refusal(this.#coolDownMs, 'half-open');
      this.#probesInFlight++;
      return { generation: this.#generation, probe: true };
    }
    return { generation: this.#generation, probe: false };
  }

  #settle(generation: number, probe: boolean, failed: boolean): void {
    if (generation !== this.#generation) return;
    const now = this.#clock.now();
    if (probe) {
      this.#probesInFlight--;
      if (failed) return this.#open(now);
      if (++this.#probeSuccesses >= this.#successesToClose) {
        this.#failures = [];
        this.#transition('closed');
      }
      return;
    }
    if (!failed) return;
    this.#prune(now);
    this.#failures.push(now);
    if (this.#failures.length >= this.#threshold) this.#open(now);
  }

  #open(now: number): void {
    this.#openedAt = now;
    this.#failures = [];
    this.#transition('open');
  }

  #transition(to: BreakerState): void {
    const from = this.#state;
    this.#state = to;
    this.#generation++;
    this.#probesInFlight = 0;
    this.#probeSuccesses = 0;
    if (from !== to) this.#onStateChange?.({ key: this.key, from, to, at: this.#clock.now() });
  }

  #prune(now: number): void {
    const oldest = now - this.#windowMs;
    let drop = 0;
    while (drop < this.#failures.length && this.#failures[drop] <= oldest) drop++;
    if (drop > 0) this.#failures.splice(0, drop);
  }

  #refusal(retryAfterMs: number, state: 'open' | 'half-open'): AgentOsError {
    return new AgentOsError('rate-limited', `The circuit for ${this.key} is ${state} after repeated failures; retry in ${Math.ceil(retryAfterMs)} ms.`, {
      details: { key: this.key, circuit: 'open', state, retryAfterMs },
    });
  }
}
