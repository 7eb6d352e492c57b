/**
 * Exponential backoff with jitter: how long to wait before attempt n + 1.
 *
 * Without jitter, every client that failed together retries together and the
 * overloaded service sees the same spike again. The jitter strategies follow
 * the AWS Architecture Blog's "Exponential Backoff and Jitter":
 *   - none:         min(cap, base · 2^n)
 *   - full:         uniform(0, min(cap, base · 2^n))
 *   - equal:        half of the exponential delay, plus uniform(0, that half)
 *   - decorrelated: min(cap, uniform(base, previous · 3)), starting at base
 * The random source is injected so tests (and replays) see the same delays.
 */

import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

export type Jitter = 'none' | 'full' | 'equal' | 'decorrelated';

export interface BackoffOptions {
  /** The first delay (ms, > 0). Default 100. */
  baseMs?: number;
  /** No delay is longer than this (ms, >= baseMs). Default 30,000. */
  capMs?: number;
  /** Default 'full'. */
  jitter?: Jitter;
  /** Floats in [0, 1); default `Math.random`. */
  random?: () => number;
}

const JITTERS: readonly Jitter[] = ['none', 'full', 'equal', 'decorrelated'];

/** A stateful delay sequence: `next()` gives the delay before each retry, in order. */
export class Backoff {
  readonly baseMs: number;
  readonly capMs: number;
  readonly jitter: Jitter;
  readonly #random: () => number;
  #attempt = 0;
  #previous: number;

  /** @throws AgentOsError 'invalid-argument' when baseMs/capMs are not positive finite numbers with capMs >= baseMs, or the jitter is unknown. */
  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 100;
    this.capMs = options.capMs ?? 30_000;
    this.jitter = options.jitter ?? 'full';
    this.#random = options.random ?? Math.random;
    if (!(this.baseMs > 0) || !Number.isFinite(this.baseMs) || !(this.capMs >= this.baseMs) || !Number.isFinite(this.capMs)) {
      throw new AgentOsError('invalid-argument', `Backoff needs 0 < baseMs <= capMs (finite), got baseMs=${this.baseMs}, capMs=${this.capMs}.`, {
        details: { baseMs: this.baseMs, capMs: this.capMs },
      });
    }
    if (!JITTERS.includes(this.jitter)) {
      throw new AgentOsError('invalid-argument', `Unknown jitter '${this.jitter}'; use one of ${JITTERS.join(', ')}.`, {
        details: { jitter: this.jitter },
      });
    }
    this.#previous = this.baseMs;
  }

  /** Number of delays handed out since construction or the last `reset`. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The delay (ms) before the next retry. */
  next(): number {
    const n = this.#attempt++;
    // 2^n overflows to Infinity past n = 1023; min() with the cap keeps it finite.
    const exponential = Math.min(this.capMs, this.baseMs * 2 ** n);
    switch (this.jitter) {
      case 'none':
        return exponential;
      case 'full':
        return this.#random() * exponential;
      case 'equal':
        return exponential / 2 + this.#random() * (exponential / 2);
      case 'decorrelated': {
        const upper = this.#previous * 3;
        const delay = Math.min(this.capMs, this.baseMs + this.#random() * (upper - this.baseMs));
        this.#previous = delay;
        return delay;
      }
    }
  }

  /** Starts the sequence over (after a success, or a fresh round granted by escalation). */
  reset(): void {
    this.#attempt = 0;
    this.#previous = this.baseMs;
  }
}
