import { describe, expect, it } from 'vitest';
import { TokenBucket } from './token-bucket.ts';

describe('TokenBucket', () => {
  it('allows a burst up to capacity, then refuses with the wait until the next token', () => {
    let now = 0;
    const bucket = new TokenBucket({ capacity: 3, perMs: 60_000, now: () => now });
    expect([bucket.take(), bucket.take(), bucket.take()].every((r) => r.ok)).toBe(true);
    expect(bucket.take()).toEqual({ ok: false, retryAfterMs: 20_000 });
    now = 19_999;
    expect(bucket.take().ok).toBe(false);
    now = 20_000;
    expect(bucket.take().ok).toBe(true);
  });

  it('refills continuously but never beyond capacity, and ignores a clock going backwards', () => {
    let now = 0;
    const bucket = new TokenBucket({ capacity: 2, perMs: 1000, now: () => now });
    bucket.take();
    bucket.take();
    now = 250;
    expect(bucket.available).toBeCloseTo(0.5);
    now = 10_000;
    expect(bucket.available).toBe(2);
    bucket.take();
    now = 0;
    expect(bucket.available).toBe(1);
  });
});
