import { describe, expect, it } from 'vitest';
import { RealClock, VirtualClock, realClock } from './index.ts';

describe('VirtualClock', () => {
  it('stays put until advanced, then moves by exactly the amount', () => {
    const clock = new VirtualClock({ start: 500 });
    expect(clock.now()).toBe(500);
    clock.advance(250);
    expect(clock.now()).toBe(750);
    clock.set(1_000);
    expect(clock.now()).toBe(1_000);
  });

  it('wakes sleepers in due order, ties in scheduling order, each seeing its own due time', async () => {
    const clock = new VirtualClock();
    const woke: string[] = [];
    const sleeper = (name: string, ms: number) => clock.sleep(ms).then(() => woke.push(`${name}@${clock.now()}`));
    const all = Promise.all([sleeper('c', 30), sleeper('a', 10), sleeper('b', 10), sleeper('late', 100)]);
    expect(clock.pending).toBe(4);
    await clock.advanceAsync(50);
    expect(woke).toEqual(['a@10', 'b@10', 'c@30']);
    expect(clock.pending).toBe(1);
    await clock.advanceAsync(50);
    await all;
    expect(woke.at(-1)).toBe('late@100');
  });

  it('rejects a sleep whose signal aborts, and forgets it', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(10, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(sleeping).rejects.toThrow('cancelled');
    expect(clock.pending).toBe(0);
  });

  it('refuses to run backwards or sleep a negative time', () => {
    const clock = new VirtualClock({ start: 10 });
    expect(() => clock.set(5)).toThrowError(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => clock.advance(-1)).toThrowError(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => clock.sleep(Number.NaN)).toThrowError(expect.objectContaining({ code: 'invalid-argument' }));
  });
});

describe('RealClock', () => {
  it('reads the host time and sleeps at least the asked time', async () => {
    const clock = new RealClock();
    const before = Date.now();
    expect(Math.abs(realClock.now() - before)).toBeLessThan(1_000);
    const start = clock.now();
    await clock.sleep(20);
    expect(clock.now() - start).toBeGreaterThanOrEqual(19);
  });

  it('rejects a sleep whose signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(new RealClock().sleep(1_000, controller.signal)).rejects.toThrow('stop');
  });
});
