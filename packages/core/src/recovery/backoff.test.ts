import { describe, expect, it } from 'vitest';
import { seededRandom as seeded } from '../scheduler/testing.ts';
import { Backoff, type Jitter } from './backoff.ts';

const take = (backoff: Backoff, n: number): number[] => Array.from({ length: n }, () => backoff.next());

describe('Backoff', () => {
  it('doubles from base up to the cap without jitter', () => {
    expect(take(new Backoff({ baseMs: 100, capMs: 1000, jitter: 'none' }), 6)).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('full jitter draws uniformly below the exponential delay', () => {
    expect(take(new Backoff({ baseMs: 100, capMs: 1000, jitter: 'full', random: () => 0.5 }), 5)).toEqual([50, 100, 200, 400, 500]);
    const backoff = new Backoff({ baseMs: 10, capMs: 5000, jitter: 'full', random: seeded(1) });
    for (let n = 0; n < 2000; n++) {
      const delay = backoff.next();
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(Math.min(5000, 10 * 2 ** n));
    }
  });

  it('equal jitter stays between half and all of the exponential delay', () => {
    const backoff = new Backoff({ baseMs: 100, capMs: 10_000, jitter: 'equal', random: seeded(2) });
    for (let n = 0; n < 500; n++) {
      const ceiling = Math.min(10_000, 100 * 2 ** n);
      const delay = backoff.next();
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });

  it('decorrelated jitter stays between base and three times the previous delay, capped', () => {
    const backoff = new Backoff({ baseMs: 50, capMs: 3000, jitter: 'decorrelated', random: seeded(3) });
    let previous = 50;
    let reachedCapRegion = false;
    for (let n = 0; n < 500; n++) {
      const delay = backoff.next();
      expect(delay).toBeGreaterThanOrEqual(50);
      expect(delay).toBeLessThanOrEqual(Math.min(3000, previous * 3));
      if (delay > 1500) reachedCapRegion = true;
      previous = delay;
    }
    expect(reachedCapRegion).toBe(true);
  });

  it('gives the same delays for the same seed, and starts over after reset', () => {
    for (const jitter of ['full', 'equal', 'decorrelated'] as Jitter[]) {
      const a = take(new Backoff({ jitter, random: seeded(42) }), 8);
      const b = take(new Backoff({ jitter, random: seeded(42) }), 8);
      expect(a).toEqual(b);
      expect(new Set(a).size).toBeGreaterThan(1);
    }
    const backoff = new Backoff({ baseMs: 10, jitter: 'none' });
    take(backoff, 4);
    backoff.reset();
    expect(backoff.next()).toBe(10);
  });

  it('stays finite after very many attempts', () => {
    const backoff = new Backoff({ baseMs: 1, capMs: 100, jitter: 'none' });
    take(backoff, 2000);
    expect(backoff.next()).toBe(100);
  });

  it('refuses a cap below the base, a non-positive base and an unknown jitter', () => {
    expect(() => new Backoff({ baseMs: 100, capMs: 50 })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => new Backoff({ baseMs: 0 })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => new Backoff({ jitter: 'random' as Jitter })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });
});
