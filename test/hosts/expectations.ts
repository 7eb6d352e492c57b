/**
 * What each scenario must report on every host, independent of the others:
 * the fuel trap stops at its budget, the memory cap refuses growth, a call's
 * fuel is positive and repeatable. Cross-host equality is checked separately
 * (./harness.ts); these keep a host that is "equally wrong" from passing.
 */
import { expect } from 'vitest';
import { MEMORY_CAP_PAGES } from './fixtures/index.ts';
import { ALLOC_CAP_BYTES, SPIN_COMPONENT_FUEL, SPIN_FUEL } from './scenarios/index.ts';

/** The most one metered block may overshoot the budget by before the check point catches it. */
const MAX_OVERSHOOT = 64;
/** The same for QuickJS, whose interpreter loop has long straight-line blocks. */
const MAX_COMPONENT_OVERSHOOT = 4096;

const EXPECTATIONS: Record<string, (result: any) => void> = {
  'core fuel trap'(result) {
    expect(result.whole.threw).toBe('out-of-fuel');
    // The budget is overrun by the cost of the block that crossed zero, and no more.
    expect(result.whole.fuelUsed).toBeGreaterThan(SPIN_FUEL);
    expect(result.whole.fuelUsed).toBeLessThanOrEqual(SPIN_FUEL + MAX_OVERSHOOT);
    expect(result.whole.counter).toBe(SPIN_FUEL - result.whole.fuelUsed);
    expect(result.sliced).toEqual(result.whole);
  },
  'core metered call'(result) {
    expect(result.first.returned).toBe(500500);
    // At least one unit per loop iteration: the loop body is metered, not just the entry.
    expect(result.first.fuelUsed).toBeGreaterThan(1000);
    expect(result.second).toEqual(result.first);
  },
  'core memory cap'(result) {
    expect(result.steps).toEqual([
      { delta: 1, returned: 1, pages: MEMORY_CAP_PAGES },
      { delta: 1, returned: -1, pages: MEMORY_CAP_PAGES },
      { delta: 1000, returned: -1, pages: MEMORY_CAP_PAGES },
    ]);
    expect(result.fuelUsed).toBeGreaterThan(0);
  },
  'component call'(result) {
    expect(result.first.outcome).toEqual({ returned: 3 });
    expect(result.other.outcome).toEqual({ returned: 42 });
    expect(result.first.fuelUsed).toBeGreaterThan(0);
    expect(result.second).toEqual(result.first);
    // Nothing spends fuel between calls: the store's total is the sum of the calls.
    expect(result.totalFuel).toBe(result.first.fuelUsed + result.second.fuelUsed + result.other.fuelUsed);
  },
  'component fuel trap'(result) {
    expect(result.whole.outcome).toEqual({ threw: 'out-of-fuel' });
    const spent = result.whole.instantiateFuel + result.whole.fuelUsed;
    expect(spent).toBeGreaterThan(SPIN_COMPONENT_FUEL);
    expect(spent).toBeLessThanOrEqual(SPIN_COMPONENT_FUEL + MAX_COMPONENT_OVERSHOOT);
    expect(result.sliced).toEqual(result.whole);
  },
  'component memory cap'(result) {
    expect(result.within.outcome).toEqual({ returned: JSON.stringify({ mb: 2 }) });
    expect(result.within.memoryPeakBytes).toBeLessThan(ALLOC_CAP_BYTES);
    expect(result.beyond.outcome).toEqual({ threw: 'memory-limit' });
    // It stopped at the cap, not before it and not past it.
    expect(result.beyond.memoryPeakBytes).toBeLessThanOrEqual(ALLOC_CAP_BYTES);
    expect(result.beyond.memoryPeakBytes).toBeGreaterThan(ALLOC_CAP_BYTES - 2 * 1024 * 1024);
    expect(result.beyond.fuelUsed).toBeGreaterThan(result.within.fuelUsed);
  },
};

/** Asserts what `scenario` must report on any host. Throws (fails the test) for a scenario without expectations. */
export function expectScenario(scenario: string, result: unknown): void {
  const check = EXPECTATIONS[scenario];
  if (!check) throw new Error(`no expectations written for scenario '${scenario}'`);
  check(result);
}
