import { describe, expect, it } from 'vitest';
import { PriorityPolicy } from './priority.ts';
import { randomInt, seededRandom, testProcess, type TestProcess } from './testing.ts';

describe('PriorityPolicy', () => {
  it('runs higher priorities first and equal priorities in arrival order', () => {
    const policy = new PriorityPolicy<TestProcess>();
    const procs = [testProcess('low', { priority: 1 }), testProcess('high', { priority: 5 }), testProcess('high2', { priority: 5 })];
    for (const proc of procs) policy.enqueue(proc);
    expect([policy.dequeue(), policy.dequeue(), policy.dequeue()].map((d) => d?.proc.id)).toEqual(['high', 'high2', 'low']);
    expect(policy.dequeue()).toBeUndefined();
  });

  it('ages a waiting low-priority process past a stream of fresh higher-priority arrivals', () => {
    const agingTicks = 4;
    const policy = new PriorityPolicy<TestProcess>({ agingTicks });
    const low = testProcess('low', { priority: 0 });
    policy.enqueue(low);
    let waited = 0;
    for (let i = 0; ; i++) {
      policy.enqueue(testProcess(`hot${i}`, { priority: 3 }));
      if (policy.dequeue()?.proc === low) break;
      waited++;
      expect(waited).toBeLessThan(100);
    }
    // It gains a level every 4 decisions, so it beats priority 3 after 3 levels (12 decisions), not never.
    expect(waited).toBe(3 * agingTicks);
  });

  it('never starves: every wait is within N + (pMax - pMin) * agingTicks decisions over many random runs', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const random = seededRandom(seed);
      const agingTicks = randomInt(random, 1, 16);
      const count = randomInt(random, 2, 40);
      const policy = new PriorityPolicy<TestProcess>({ agingTicks });
      const enqueuedAt = new Map<string, number>();
      const procs = Array.from({ length: count }, (_, i) => testProcess(i, { priority: randomInt(random, 0, 10) }));
      const spread = Math.max(...procs.map((p) => p.priority)) - Math.min(...procs.map((p) => p.priority));
      for (const proc of procs) {
        policy.enqueue(proc);
        enqueuedAt.set(proc.id, policy.tick);
      }
      const bound = count + spread * agingTicks;
      let maxWait = 0;
      for (let decision = 0; decision < 3000; decision++) {
        const picked = policy.dequeue();
        if (picked === undefined) throw new Error('queue ran dry');
        const wait = policy.tick - 1 - (enqueuedAt.get(picked.proc.id) as number);
        maxWait = Math.max(maxWait, wait);
        policy.onSliceEnd(picked.proc, { fuelUsed: 1, exhausted: true, failed: false });
        policy.enqueue(picked.proc);
        enqueuedAt.set(picked.proc.id, policy.tick);
      }
      expect(maxWait, `seed ${seed}`).toBeLessThanOrEqual(bound);
    }
  });

  it('removes a queued process so it is never dequeued', () => {
    const policy = new PriorityPolicy<TestProcess>();
    const a = testProcess('a', { priority: 9 });
    const b = testProcess('b');
    policy.enqueue(a);
    policy.enqueue(b);
    expect(policy.remove(a)).toBe(true);
    expect(policy.remove(a)).toBe(false);
    expect(policy.dequeue()?.proc).toBe(b);
    expect(policy.size).toBe(0);
  });

  it('rejects a priority that is not a finite number', () => {
    const policy = new PriorityPolicy<TestProcess>();
    expect(() => policy.enqueue(testProcess('x', { priority: Number.NaN }))).toThrowError(
      expect.objectContaining({ code: 'invalid-argument' }),
    );
  });
});
