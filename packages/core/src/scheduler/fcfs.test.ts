import { describe, expect, it } from 'vitest';
import { FcfsPolicy } from './fcfs.ts';
import { randomInt, seededRandom, testProcess, type TestProcess } from './testing.ts';

describe('FcfsPolicy', () => {
  it('dequeues in arrival order, skipping removed processes, over many random runs', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const random = seededRandom(seed);
      const policy = new FcfsPolicy<TestProcess>();
      const arrivals: TestProcess[] = [];
      let next = 0;
      for (let step = 0; step < 500; step++) {
        const roll = random();
        if (roll < 0.5) {
          const proc = testProcess(next++, { priority: randomInt(random, 0, 9) });
          policy.enqueue(proc);
          arrivals.push(proc);
        } else if (roll < 0.8) {
          const expected = arrivals.shift();
          expect(policy.dequeue()?.proc).toBe(expected);
        } else if (arrivals.length > 0) {
          const victim = arrivals.splice(randomInt(random, 0, arrivals.length - 1), 1)[0];
          expect(policy.remove(victim)).toBe(true);
        }
        expect(policy.size).toBe(arrivals.length);
      }
    }
  });

  it('runs to completion by default and round-robins with a finite slice', () => {
    const a = testProcess('a');
    const b = testProcess('b');
    const unlimited = new FcfsPolicy<TestProcess>();
    unlimited.enqueue(a);
    expect(unlimited.dequeue()?.sliceFuel).toBe(Infinity);

    const roundRobin = new FcfsPolicy<TestProcess>({ sliceFuel: 100 });
    roundRobin.enqueue(a);
    roundRobin.enqueue(b);
    const first = roundRobin.dequeue();
    expect(first).toEqual({ proc: a, sliceFuel: 100 });
    roundRobin.onSliceEnd(a, { fuelUsed: 100, exhausted: true, failed: false });
    roundRobin.enqueue(a);
    expect(roundRobin.dequeue()?.proc).toBe(b);
    expect(roundRobin.dequeue()?.proc).toBe(a);
  });

  it('throws illegal-state when a queued process is enqueued again', () => {
    const policy = new FcfsPolicy<TestProcess>();
    const a = testProcess('a');
    policy.enqueue(a);
    expect(() => policy.enqueue(a)).toThrowError(expect.objectContaining({ code: 'illegal-state' }));
  });

  it('rejects a slice that is not a positive number', () => {
    expect(() => new FcfsPolicy({ sliceFuel: 0 })).toThrowError(expect.objectContaining({ code: 'invalid-argument' }));
  });
});
