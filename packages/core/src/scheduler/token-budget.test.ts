import { describe, expect, it } from 'vitest';
import { TokenBudgetPolicy } from './token-budget.ts';
import { randomInt, seededRandom, testProcess, type TestProcess } from './testing.ts';

describe('TokenBudgetPolicy', () => {
  it('runs the cheapest expected spend first', () => {
    const costs: Record<string, number> = { a: 30, b: 10, c: 20 };
    const policy = new TokenBudgetPolicy<TestProcess>({ budgetTokens: 1000, estimate: (p) => costs[p.id] });
    for (const id of ['a', 'b', 'c']) policy.enqueue(testProcess(id));
    expect([policy.dequeue(), policy.dequeue(), policy.dequeue()].map((d) => d?.proc.id)).toEqual(['b', 'c', 'a']);
  });

  it('stops dispatching when the cheapest process no longer fits, and resumes after a refill', () => {
    const policy = new TokenBudgetPolicy<TestProcess>({ budgetTokens: 25, estimate: () => 10 });
    const procs = ['a', 'b', 'c'].map((id) => testProcess(id));
    for (const p of procs) policy.enqueue(p);
    const first = policy.dequeue();
    const second = policy.dequeue();
    expect(first && second).toBeTruthy();
    // 20 reserved, 5 left: a 10-token slice does not fit.
    expect(policy.dequeue()).toBeUndefined();
    expect(policy.remaining).toBe(5);
    policy.onSliceEnd(procs[0], { fuelUsed: 1, exhausted: false, failed: false, tokensUsed: 2 });
    expect(policy.remaining).toBe(13);
    expect(policy.dequeue()?.proc.id).toBe('c');
    policy.refill(100);
    policy.enqueue(procs[0]);
    expect(policy.dequeue()?.proc.id).toBe('a');
  });

  it('learns a process’s expected spend from what its slices used', () => {
    const policy = new TokenBudgetPolicy<TestProcess>({ budgetTokens: Infinity, estimate: () => 100, smoothing: 0.5 });
    const p = testProcess('p');
    policy.enqueue(p);
    policy.dequeue();
    policy.onSliceEnd(p, { fuelUsed: 1, exhausted: false, failed: false, tokensUsed: 20 });
    expect(policy.expectedCost(p)).toBe(60);
  });

  it('never spends past the budget and stops only when the cheapest no longer fits, over many random runs', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const random = seededRandom(seed);
      const budget = randomInt(random, 0, 2000);
      const cost = new Map<string, number>();
      const policy = new TokenBudgetPolicy<TestProcess>({ budgetTokens: budget, estimate: (p) => cost.get(p.id) as number });
      const queued = new Set<TestProcess>();
      const running: TestProcess[] = [];
      for (let i = 0; i < 30; i++) {
        const p = testProcess(i);
        cost.set(p.id, randomInt(random, 0, 100));
        policy.enqueue(p);
        queued.add(p);
      }
      for (let step = 0; step < 400; step++) {
        if (random() < 0.6) {
          const cheapest = Math.min(...[...queued].map((p) => cost.get(p.id) as number));
          const decision = policy.dequeue();
          if (decision === undefined) {
            expect(queued.size === 0 || cheapest > policy.remaining, `seed ${seed}`).toBe(true);
          } else {
            expect(cost.get(decision.proc.id), `seed ${seed}`).toBe(cheapest);
            queued.delete(decision.proc);
            running.push(decision.proc);
          }
        } else if (running.length > 0) {
          const p = running.splice(randomInt(random, 0, running.length - 1), 1)[0];
          // Slices spend exactly what was expected, so the estimate stays put.
          policy.onSliceEnd(p, { fuelUsed: 1, exhausted: false, failed: false, tokensUsed: cost.get(p.id) });
          policy.enqueue(p);
          queued.add(p);
        }
        expect(policy.spent, `seed ${seed}`).toBeLessThanOrEqual(budget);
        expect(policy.remaining).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it('gives back the reservation of a running process that is removed', () => {
    const policy = new TokenBudgetPolicy<TestProcess>({ budgetTokens: 10, estimate: () => 10 });
    const p = testProcess('p');
    policy.enqueue(p);
    policy.dequeue();
    expect(policy.remaining).toBe(0);
    policy.remove(p);
    expect(policy.remaining).toBe(10);
  });

  it('rejects a negative estimate', () => {
    const policy = new TokenBudgetPolicy<TestProcess>({ budgetTokens: 10, estimate: () => -1 });
    expect(() => policy.enqueue(testProcess('p'))).toThrowError(expect.objectContaining({ code: 'invalid-argument' }));
  });
});
