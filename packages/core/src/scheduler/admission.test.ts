import { describe, expect, it } from 'vitest';
import { AdmissionControl } from './admission.ts';

const budget = (fuel: number, tokens = 100) => ({ fuel, tokens, wallMs: 1000, calls: 10 });

describe('AdmissionControl', () => {
  it('refuses past maxConcurrent live processes and admits again after a release', () => {
    const admission = new AdmissionControl({ maxConcurrent: 2 });
    expect(admission.admit('a', budget(1)).ok).toBe(true);
    expect(admission.admit('b', budget(1)).ok).toBe(true);
    const refused = admission.admit('c', budget(1));
    expect(refused).toMatchObject({ ok: false, code: 'max-concurrent' });
    admission.release('a', budget(1));
    expect(admission.admit('c', budget(1)).ok).toBe(true);
    expect(admission.live).toBe(2);
  });

  it('caps live processes per tenant without limiting other tenants', () => {
    const admission = new AdmissionControl({ maxPerTenant: 1 });
    expect(admission.admit('a', budget(1)).ok).toBe(true);
    expect(admission.admit('a', budget(1))).toMatchObject({ ok: false, code: 'tenant-concurrent' });
    expect(admission.admit('b', budget(1)).ok).toBe(true);
  });

  it('refuses a budget above the per-process ceiling, including an unlimited one', () => {
    const admission = new AdmissionControl({ maxBudget: { tokens: 500 } });
    expect(admission.admit('a', budget(1, 500)).ok).toBe(true);
    const refused = admission.admit('a', budget(1, 501));
    expect(refused).toMatchObject({ ok: false, code: 'budget-too-large' });
    expect(!refused.ok && refused.reason).toContain('tokens');
    expect(admission.admit('a', budget(1, Infinity))).toMatchObject({ ok: false, code: 'budget-too-large' });
  });

  it('refuses when a tenant’s live budgets would add up past its limit, and counts extensions', () => {
    const admission = new AdmissionControl({ tenantBudget: { fuel: 100 } });
    expect(admission.admit('a', budget(60)).ok).toBe(true);
    expect(admission.admit('a', budget(50))).toMatchObject({ ok: false, code: 'tenant-budget' });
    expect(admission.admit('b', budget(50)).ok).toBe(true);
    expect(admission.extend('a', budget(40)).ok).toBe(true);
    expect(admission.extend('a', budget(1))).toMatchObject({ ok: false, code: 'tenant-budget' });
    admission.release('a', budget(100));
    expect(admission.admit('a', budget(100)).ok).toBe(true);
  });

  it('check decides without reserving', () => {
    const admission = new AdmissionControl({ maxConcurrent: 1 });
    expect(admission.check('a', budget(1)).ok).toBe(true);
    expect(admission.check('a', budget(1)).ok).toBe(true);
    expect(admission.live).toBe(0);
  });

  it('throws internal when releasing a tenant it never admitted', () => {
    expect(() => new AdmissionControl().release('ghost', budget(1))).toThrowError(expect.objectContaining({ code: 'internal' }));
  });

  it('rejects a negative limit', () => {
    expect(() => new AdmissionControl({ maxConcurrent: -1 })).toThrowError(expect.objectContaining({ code: 'invalid-argument' }));
  });
});
