/**
 * Clocks: where the agent OS reads "now" and waits.
 *
 * Everything that stamps a time (process records, audit records) or waits
 * (wall-time budgets, approval timeouts) takes a `Clock` so tests can swap in a
 * `VirtualClock` and be deterministic. Scheduling itself never reads a clock:
 * slices are measured in fuel, and aging counts decisions.
 */

import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

/** A source of time in milliseconds since the Unix epoch. */
export interface Clock {
  /** Current time in milliseconds since the epoch (may be fractional). */
  now(): number;
  /**
   * Resolves after `ms` milliseconds of this clock's time.
   * Rejects with the signal's reason if `signal` aborts first.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function checkDelay(ms: number): void {
  if (!(ms >= 0) || !Number.isFinite(ms)) {
    throw new AgentOsError('invalid-argument', `A delay must be a finite number of milliseconds >= 0, got ${ms}.`, {
      details: { ms },
    });
  }
}

/** The host's wall clock (`Date.now`) and timers (`setTimeout`). */
export class RealClock implements Clock {
  now(): number {
    return Date.now();
  }

  /** @throws AgentOsError 'invalid-argument' when `ms` is negative or not finite. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    checkDelay(ms);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** The shared real clock; it has no state, so one instance serves everyone. */
export const realClock: Clock = new RealClock();

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

/**
 * A clock that moves only when told to. `advance` fires due sleepers in time
 * order (ties in the order they were scheduled), with `now()` set to each
 * sleeper's due time while it fires, so callbacks see the time they asked for.
 */
export class VirtualClock implements Clock {
  #now: number;
  #seq = 0;
  // Sorted by (at, seq). Few sleepers exist at once in tests, so a sorted array
  // with binary-search insertion is simpler than a heap and fast enough.
  #timers: Timer[] = [];

  constructor(options: { start?: number } = {}) {
    this.#now = options.start ?? 0;
  }

  now(): number {
    return this.#now;
  }

  /** Number of sleepers that have not fired yet. */
  get pending(): number {
    return this.#timers.length;
  }

  /** @throws AgentOsError 'invalid-argument' when `ms` is negative or not finite. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    checkDelay(ms);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer: Timer = { at: this.#now + ms, seq: this.#seq++, fire: resolve };
      if (signal) {
        const onAbort = (): void => {
          this.#cancel(timer);
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        timer.fire = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
      }
      this.#insert(timer);
    });
  }

  /**
   * Moves time forward by `ms`, firing every sleeper that falls due on the way.
   * Sleepers resolve promises, so await a microtask turn (or use `advanceAsync`)
   * before checking what their continuations did.
   * @throws AgentOsError 'invalid-argument' when `ms` is negative or not finite.
   */
  advance(ms: number): void {
    checkDelay(ms);
    this.#runUntil(this.#now + ms);
  }

  /** Like `advance`, and lets each fired sleeper's continuation run before the next fires. */
  async advanceAsync(ms: number): Promise<void> {
    checkDelay(ms);
    const end = this.#now + ms;
    while (this.#timers.length > 0 && this.#timers[0].at <= end) {
      this.#runUntil(this.#timers[0].at);
      // Two turns: one for the resolved promise, one for an `await` on it.
      await Promise.resolve();
      await Promise.resolve();
    }
    this.#now = end;
  }

  /**
   * Jumps to an absolute time.
   * @throws AgentOsError 'invalid-argument' when `time` is before `now()` (virtual time never runs backwards).
   */
  set(time: number): void {
    if (!(time >= this.#now)) {
      throw new AgentOsError('invalid-argument', `A virtual clock cannot go back from ${this.#now} to ${time}.`, {
        details: { now: this.#now, time },
      });
    }
    this.#runUntil(time);
  }

  #runUntil(end: number): void {
    while (this.#timers.length > 0 && this.#timers[0].at <= end) {
      const timer = this.#timers.shift() as Timer;
      this.#now = timer.at;
      timer.fire();
    }
    this.#now = end;
  }

  #insert(timer: Timer): void {
    let lo = 0;
    let hi = this.#timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const other = this.#timers[mid];
      if (other.at < timer.at || (other.at === timer.at && other.seq < timer.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.#timers.splice(lo, 0, timer);
  }

  #cancel(timer: Timer): void {
    const index = this.#timers.indexOf(timer);
    if (index >= 0) this.#timers.splice(index, 1);
  }
}
