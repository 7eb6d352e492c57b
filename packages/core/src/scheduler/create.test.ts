import { describe, expect, it } from 'vitest';
import { createPolicy } from './create.ts';
import type { PolicySpec } from './create.ts';

describe('createPolicy', () => {
  it('builds each kind with its options applied', () => {
    const specs: PolicySpec[] = [
      { kind: 'fcfs', sliceFuel: 7 },
      { kind: 'priority', sliceFuel: 7 },
      { kind: 'mlfq', baseSliceFuel: 7 },
      { kind: 'token-budget', budgetTokens: 10, sliceFuel: 7 },
      { kind: 'fair-share', sliceFuel: 7 },
    ];
    for (const spec of specs) {
      const policy = createPolicy(spec);
      expect(policy.name).toBe(spec.kind);
      policy.enqueue({ id: 'p', tenant: 't', priority: 0 });
      expect(policy.dequeue()?.sliceFuel).toBe(7);
    }
  });

  it('throws invalid-argument for an unknown kind', () => {
    expect(() => createPolicy({ kind: 'lottery' } as unknown as PolicySpec)).toThrowError(
      expect.objectContaining({ code: 'invalid-argument', message: expect.stringContaining('lottery') }),
    );
  });
});
