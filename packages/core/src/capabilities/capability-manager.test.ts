import { describe, expect, it } from 'vitest';
import { CapabilityManager, type CapabilityCheckRecord } from './capability-manager.ts';

function setup() {
  let now = 1_000_000;
  const records: CapabilityCheckRecord[] = [];
  const manager = new CapabilityManager({ now: () => now, audit: (r) => records.push(r) });
  manager.register({
    id: 'web.fetch', name: 'fetch', namespace: 'web', version: '1.0.0', risk: 'medium', allowedTenants: ['acme', 'globex'],
    inputSchema: { type: 'object', required: ['url'], properties: { url: { type: 'string', pattern: '^https://' } } },
  });
  manager.register({ id: 'shell.exec', name: 'exec', namespace: 'shell', version: '1', risk: 'critical', allowedTenants: ['*'] });
  manager.entitle({ tenant: 'acme', agentType: 'researcher', capabilities: ['web.*'], maxCallsPerMinute: 2, maxTokenBudget: 1000 });
  return { manager, records, advance: (ms: number) => (now += ms) };
}

const call = { tenant: 'acme', agentType: 'researcher', capability: 'web.fetch', input: { url: 'https://example.com' } };

describe('CapabilityManager', () => {
  it('grants an entitled call with valid input and reports what is left', () => {
    const { manager } = setup();
    const grant = manager.check({ ...call, tokens: 100 });
    expect(grant.capability.risk).toBe('medium');
    expect(grant.tokensLeft).toBe(900);
  });

  it('denies unknown capabilities, other tenants and agent types without an entitlement', () => {
    const { manager } = setup();
    const code = (c: Partial<typeof call>) => {
      const r = manager.tryCheck({ ...call, ...c });
      return r.ok ? 'granted' : [r.error.code, r.error.details?.reason];
    };
    expect(code({ capability: 'web.nope' })).toEqual(['capability-denied', 'unknown-capability']);
    expect(code({ tenant: 'initech' })).toEqual(['capability-denied', 'tenant-not-allowed']);
    expect(code({ tenant: 'globex' })).toEqual(['capability-denied', 'not-entitled']);
    expect(code({ capability: 'shell.exec', input: undefined })).toEqual(['capability-denied', 'not-entitled']);
  });

  it('refuses input that does not match the capability schema', () => {
    const { manager } = setup();
    expect(() => manager.check({ ...call, input: { url: 'http://plain' } })).toThrow(
      expect.objectContaining({ code: 'invalid-argument', details: expect.objectContaining({ errors: [expect.objectContaining({ path: '/url' })] }) }),
    );
  });

  it('rate-limits per entitlement with a retry hint, and recovers as time passes', () => {
    const { manager, advance } = setup();
    manager.check(call);
    manager.check(call);
    expect(() => manager.check(call)).toThrow(expect.objectContaining({ code: 'rate-limited', details: expect.objectContaining({ retryAfterMs: 30_000 }) }));
    advance(30_000);
    expect(() => manager.check(call)).not.toThrow();
  });

  it('applies a lower rate from the policy without spending tokens on refused calls', () => {
    const { manager } = setup();
    const limited = { ...call, limits: { maxCallsPerMinute: 1 } };
    manager.check(limited);
    expect(manager.tryCheck(limited)).toMatchObject({ ok: false, error: { code: 'rate-limited' } });
    // The refused call took nothing from the entitlement bucket (capacity 2), so one more plain call passes.
    expect(manager.tryCheck(call).ok).toBe(true);
  });

  it('refuses calls over the token budget, counting recorded usage and policy limits', () => {
    const { manager } = setup();
    manager.recordUsage({ tenant: 'acme', agentType: 'researcher', tokens: 950 });
    expect(manager.tryCheck({ ...call, tokens: 50 }).ok).toBe(true);
    expect(manager.tryCheck({ ...call, tokens: 51 })).toMatchObject({ ok: false, error: { code: 'budget-exceeded' } });
    expect(manager.tryCheck({ ...call, limits: { maxTokens: 900 } })).toMatchObject({ ok: false, error: { code: 'budget-exceeded' } });
  });

  it('denies after an entitlement is revoked and audits every outcome', () => {
    const { manager, records } = setup();
    manager.check(call);
    expect(manager.revoke({ tenant: 'acme', agentType: 'researcher' })).toBe(true);
    expect(manager.tryCheck(call).ok).toBe(false);
    expect(records.map((r) => r.outcome)).toEqual(['granted', 'capability-denied']);
  });

  it('validates definitions at registration', () => {
    const { manager } = setup();
    expect(() => manager.register({ id: 'x', name: 'x', namespace: 'x', version: '1', risk: 'extreme', allowedTenants: [] })).toThrow(
      expect.objectContaining({ code: 'invalid-argument', details: { issues: expect.arrayContaining([expect.objectContaining({ path: '/risk' })]) } }),
    );
    expect(() => manager.register({ id: 'y', name: 'y', namespace: 'y', version: '1', risk: 'low', allowedTenants: ['*'], inputSchema: { anyOf: [] } })).toThrow(
      expect.objectContaining({ code: 'invalid-argument' }),
    );
    expect(() => manager.entitle({ tenant: 'a', agentType: 'b', capabilities: ['*'], maxCallsPerMinute: 0, maxTokenBudget: 1 })).toThrow(
      expect.objectContaining({ code: 'invalid-argument' }),
    );
    expect(() => manager.recordUsage({ tenant: 'nobody', agentType: 'x', tokens: 1 })).toThrow(expect.objectContaining({ code: 'not-found' }));
  });
});
