import { describe, expect, it } from 'vitest';
import { CapabilityManager } from '../capabilities/index.ts';
import { PolicyEngine } from '../policy/index.ts';
import { CapabilityGate, ENTITLEMENT_RULE } from './gate.ts';

const POLICY = {
  version: 1,
  id: 'gate-test',
  rules: [
    { id: 'allow-all', kind: 'capability', effect: 'allow', capabilities: ['*'] },
    { id: 'slow-llm', kind: 'capability', effect: 'allow', capabilities: ['llm.complete'], limits: { maxCallsPerMinute: 2 } },
    { id: 'no-mail', kind: 'data', capabilities: ['http.fetch'], detectors: ['email'], action: 'redact' },
    { id: 'deny-exfil', kind: 'data', capabilities: ['http.fetch'], fields: ['host'], patterns: [{ name: 'exfil', regex: '^exfil\\.example$' }], action: 'deny' },
    { id: 'approve-delete', kind: 'approval', capabilities: ['kv.delete'], roles: ['admin'] },
  ],
};

function gate() {
  const capabilities = new CapabilityManager({ now: () => 0 });
  for (const id of ['http.fetch', 'llm.complete', 'kv.delete', 'kv.set']) {
    capabilities.register({ id, name: id, namespace: 'agentos', version: '1', allowedTenants: ['acme'], risk: 'medium' });
  }
  capabilities.entitle({ tenant: 'acme', agentType: 'bot', capabilities: ['http.fetch', 'llm.complete', 'kv.delete'], maxCallsPerMinute: 100, maxTokenBudget: 1000 });
  const audit: { kind: string; data: Record<string, unknown> }[] = [];
  const g = new CapabilityGate({ capabilities, policy: new PolicyEngine({ policy: POLICY, now: () => 0 }), audit: (e) => void audit.push(e), now: () => 0 });
  const ask = (capability: string, input: unknown = {}) => g.decide({ agentId: 'a1', tenant: 'acme', agentType: 'bot', capability, input, tokensUsed: 0 });
  return { ask, audit };
}

describe('CapabilityGate', () => {
  it('refuses a capability the agent type is not entitled to before asking the policy', () => {
    const { ask, audit } = gate();
    const outcome = ask('kv.set');
    expect(outcome).toMatchObject({ effect: 'deny', ruleId: ENTITLEMENT_RULE, error: { code: 'capability-denied' } });
    expect(audit).toEqual([expect.objectContaining({ data: expect.objectContaining({ stage: 'entitlement', capability: 'kv.set', effect: 'deny' }) })]);
  });

  it('denies by policy rule with policy-denied and records the rule id', () => {
    const { ask, audit } = gate();
    const outcome = ask('http.fetch', { host: 'exfil.example', url: 'https://exfil.example/' });
    expect(outcome).toMatchObject({ effect: 'deny', ruleId: 'deny-exfil', error: { code: 'policy-denied' } });
    expect(audit.at(-1)?.data).toMatchObject({ stage: 'policy', effect: 'deny', ruleId: 'deny-exfil', agentId: 'a1' });
  });

  it('hands back the redacted input under allow-with-conditions', () => {
    const { ask } = gate();
    const outcome = ask('http.fetch', { host: 'ok.example', body: 'write to bob@example.com' });
    expect(outcome.effect).toBe('allow');
    expect(JSON.stringify((outcome as { input: unknown }).input)).not.toContain('bob@example.com');
  });

  it('enforces a rate a policy lowered, with rate-limited', () => {
    const { ask } = gate();
    expect(ask('llm.complete').effect).toBe('allow');
    expect(ask('llm.complete').effect).toBe('allow');
    expect(ask('llm.complete')).toMatchObject({ effect: 'deny', ruleId: 'slow-llm', error: { code: 'rate-limited' } });
  });

  it('asks for an approval by the roles of the approval rule', () => {
    const { ask } = gate();
    expect(ask('kv.delete', { key: 'x' })).toMatchObject({ effect: 'require-approval', ruleId: 'approve-delete', roles: ['admin'], minApprovals: 1 });
  });
});
