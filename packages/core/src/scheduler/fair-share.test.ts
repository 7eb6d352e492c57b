import { describe, expect, it } from 'vitest';
import { FairSharePolicy } from './fair-share.ts';
import { randomInt, seededRandom, testProcess, type TestProcess } from './testing.ts';

describe('FairSharePolicy', () => {
  it('splits fuel within 5 % of the tenant weights over long random runs, with parallel slices', () => {
    for (let seed = 1; seed <= 12; seed++) {
      const random = seededRandom(seed);
      const slice = 1000;
      const tenantCount = randomInt(random, 2, 6);
      const weights: Record<string, number> = {};
      for (let t = 0; t < tenantCount; t++) weights[`t${t}`] = randomInt(random, 1, 8);
      const policy = new FairSharePolicy<TestProcess>({ sliceFuel: slice, weights });
      const used: Record<string, number> = {};
      const parallel = randomInt(random, 1, 3);
      let id = 0;
      for (const tenant of Object.keys(weights)) {
        used[tenant] = 0;
        // Each tenant can fill every slot; otherwise its share is capped by its own demand, not the policy.
        for (let i = randomInt(random, parallel, parallel + 3); i > 0; i--) policy.enqueue(testProcess(id++, { tenant }));
      }
      const running: TestProcess[] = [];
      for (let step = 0; step < 20_000; step++) {
        while (running.length < parallel) running.push((policy.dequeue() as { proc: TestProcess }).proc);
        const p = running.splice(randomInt(random, 0, running.length - 1), 1)[0];
        const fuel = randomInt(random, 1, slice);
        used[p.tenant] += fuel;
        policy.onSliceEnd(p, { fuelUsed: fuel, exhausted: fuel === slice, failed: false });
        policy.enqueue(p);
      }
      const totalWeight = Object.values(weights).reduce((a, b) => a + b, 0);
      const totalFuel = Object.values(used).reduce((a, b) => a + b, 0);
      for (const [tenant, weight] of Object.entries(weights)) {
        const share = used[tenant] / totalFuel;
        const expected = weight / totalWeight;
        expect(Math.abs(share / expected - 1), `seed ${seed} tenant ${tenant} weight ${weight}`).toBeLessThan(0.05);
      }
    }
  });

  it('does not let a tenant bank credit while idle', () => {
    const policy = new FairSharePolicy<TestProcess>({ sliceFuel: 10 });
    const busy = testProcess('busy', { tenant: 'a' });
    const sleeper = testProcess('sleeper', { tenant: 'b' });
    const runSlice = (): string => {
      const d = policy.dequeue();
      if (!d) throw new Error('empty');
      policy.onSliceEnd(d.proc, { fuelUsed: 10, exhausted: true, failed: false });
      return d.proc.tenant;
    };
    // b runs once, then waits (not queued) while a runs alone for a long time.
    policy.enqueue(sleeper);
    runSlice();
    policy.enqueue(busy);
    for (let i = 0; i < 1000; i++) {
      runSlice();
      policy.enqueue(busy);
    }
    policy.enqueue(sleeper);
    const picks: string[] = [];
    for (let i = 0; i < 10; i++) {
      const tenant = runSlice();
      picks.push(tenant);
      policy.enqueue(tenant === 'a' ? busy : sleeper);
    }
    // Equal weights from here on: they alternate instead of b running ~1000 slices in a row.
    expect(picks.filter((t) => t === 'b').length).toBe(5);
  });

  it('refunds fuel a slice did not use, so a tenant that yields early is not overcharged', () => {
    const policy = new FairSharePolicy<TestProcess>({ sliceFuel: 100 });
    const p = testProcess('p', { tenant: 'a' });
    policy.enqueue(p);
    policy.dequeue();
    expect(policy.passOf('a')).toBe(100);
    policy.onSliceEnd(p, { fuelUsed: 30, exhausted: false, failed: false });
    expect(policy.passOf('a')).toBe(30);
  });

  it('rejects a weight that is not a positive number', () => {
    expect(() => new FairSharePolicy({ weights: { a: 0 } })).toThrowError(expect.objectContaining({ code: 'invalid-argument' }));
  });
});
