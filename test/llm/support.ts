/**
 * A clock for retry tests: `sleep` moves time forward at once and records the
 * wait, so a 429 with `Retry-After: 2` is honoured (and checked) without the
 * suite sleeping for two seconds.
 */
import type { Clock } from '../../packages/core/src/clock/index.ts';

export class SkippingClock implements Clock {
  readonly waits: number[] = [];
  #now = Date.UTC(2025, 0, 1);

  now(): number {
    return this.#now;
  }

  async sleep(ms: number): Promise<void> {
    this.waits.push(ms);
    this.#now += ms;
  }
}
