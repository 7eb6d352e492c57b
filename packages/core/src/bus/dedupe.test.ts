import { describe, expect, it } from 'vitest';
import { BUSY, DONE, SeenMessages } from './dedupe.ts';

describe('SeenMessages', () => {
  it('remembers states per origin and sequence number', () => {
    const seen = new SeenMessages({ windowMs: 1000, now: 0 });
    seen.set('a', 5, DONE);
    seen.set('a', 5000, BUSY);
    expect([seen.get('a', 5), seen.get('a', 5000), seen.get('a', 6), seen.get('b', 5)]).toEqual([DONE, BUSY, 0, 0]);
    seen.set('a', 5, 0);
    expect(seen.get('a', 5)).toBe(0);
  });

  it('keeps an id for at least one window and forgets it after two', () => {
    const seen = new SeenMessages({ windowMs: 1000, now: 0 });
    seen.set('a', 1, DONE);
    seen.tick(999);
    expect(seen.get('a', 1)).toBe(DONE);
    seen.set('a', 9000, DONE); // touches another chunk later
    seen.tick(1500);
    expect(seen.get('a', 1)).toBe(0);
    expect(seen.get('a', 9000)).toBe(DONE);
    seen.tick(3000);
    expect(seen.chunks).toBe(0);
  });
});
