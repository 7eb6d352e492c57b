import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit.ts';

describe('RateLimiter', () => {
  it('allows a burst of capacity, then refills fractionally with time', () => {
    const limiter = new RateLimiter({ capacity: 2, refillPerSecond: 4 });
    limiter.take('a', 0);
    limiter.take('a', 0);
    expect(() => limiter.take('a', 0)).toThrow(expect.objectContaining({ code: 'rate-limited', details: expect.objectContaining({ retryAfterMs: 250 }) }));
    expect(() => limiter.take('a', 125)).toThrow(expect.objectContaining({ details: expect.objectContaining({ retryAfterMs: 125 }) }));
    limiter.take('a', 250);
    // Idle time refills up to capacity and no further.
    limiter.take('a', 100_000);
    limiter.take('a', 100_000);
    expect(() => limiter.take('a', 100_000)).toThrow(expect.objectContaining({ code: 'rate-limited' }));
  });

  it('never refills with a zero rate, and says so', () => {
    const limiter = new RateLimiter({ capacity: 1, refillPerSecond: 0 });
    limiter.take('a', 0);
    expect(() => limiter.take('a', 1e9)).toThrow(expect.objectContaining({ details: expect.objectContaining({ retryAfterMs: null }) }));
  });

  it('refuses malformed limits with invalid-argument', () => {
    expect(() => new RateLimiter({ capacity: 0, refillPerSecond: 1 })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => new RateLimiter({ capacity: 1, refillPerSecond: Infinity })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    const perAgent = new RateLimiter(() => ({ capacity: -1, refillPerSecond: 1 }));
    expect(() => perAgent.take('a', 0)).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });
});
