/**
 * Per-agent token buckets: each agent may burst up to `capacity` messages and
 * is refilled at `refillPerSecond`. Time comes from the bus clock, so tests
 * drive refills with a `VirtualClock`.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

export interface RateLimit {
  /** Most messages an agent may send in one burst. */
  capacity: number;
  /** Tokens added per second of clock time. */
  refillPerSecond: number;
}

interface Bucket {
  tokens: number;
  at: number;
  limit: RateLimit;
}

function checkLimit(limit: RateLimit): void {
  if (!(limit.capacity >= 1) || !(limit.refillPerSecond >= 0) || !Number.isFinite(limit.refillPerSecond)) {
    throw new AgentOsError('invalid-argument', 'A rate limit needs capacity >= 1 and a finite refillPerSecond >= 0.', {
      details: { capacity: limit.capacity, refillPerSecond: limit.refillPerSecond },
    });
  }
}

export class RateLimiter {
  #buckets = new Map<string, Bucket>();
  #limitFor: (agent: string) => RateLimit | undefined;

  /**
   * @param limit one limit for every agent, or a function choosing one per agent (undefined = unlimited).
   * @throws AgentOsError 'invalid-argument' when a fixed limit is malformed.
   */
  constructor(limit: RateLimit | ((agent: string) => RateLimit | undefined)) {
    if (typeof limit === 'function') {
      this.#limitFor = limit;
    } else {
      checkLimit(limit);
      this.#limitFor = () => limit;
    }
  }

  /**
   * Takes one token for `agent` at time `now` (ms).
   * @throws AgentOsError 'rate-limited' when the bucket is empty; `details.retryAfterMs` says when one token will be back.
   */
  take(agent: string, now: number): void {
    let bucket = this.#buckets.get(agent);
    if (bucket === undefined) {
      const limit = this.#limitFor(agent);
      if (limit === undefined) return;
      checkLimit(limit);
      bucket = { tokens: limit.capacity, at: now, limit };
      this.#buckets.set(agent, bucket);
    } else if (now > bucket.at) {
      bucket.tokens = Math.min(bucket.limit.capacity, bucket.tokens + ((now - bucket.at) * bucket.limit.refillPerSecond) / 1000);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    const rate = bucket.limit.refillPerSecond;
    const retryAfterMs = rate > 0 ? Math.ceil(((1 - bucket.tokens) * 1000) / rate) : null;
    throw new AgentOsError('rate-limited', `Agent "${agent}" is sending faster than its rate limit allows; retry ${retryAfterMs === null ? 'never (no refill)' : `after ${retryAfterMs} ms`}.`, {
      details: { agent, retryAfterMs, capacity: bucket.limit.capacity, refillPerSecond: rate },
    });
  }

  /** Forgets an agent's bucket (it starts full next time). */
  forget(agent: string): void {
    this.#buckets.delete(agent);
  }
}
