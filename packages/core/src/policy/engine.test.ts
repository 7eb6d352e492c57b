import { describe, expect, it } from 'vitest';
import type { DecisionRecord } from './decision.ts';
import type { PolicyDocumentInput } from './document.ts';
import { PolicyEngine } from './engine.ts';

// 2024-06-05 is a Wednesday. 10:30 UTC = 12:30 in Paris, 06:30 in New York.
const WED_1030_UTC = Date.UTC(2024, 5, 5, 10, 30);
const base = { tenant: 'acme', agentType: 'researcher', capability: 'web.fetch', risk: 'low' as const, at: WED_1030_UTC };

function engine(rules: PolicyDocumentInput['rules'], extra: Partial<PolicyDocumentInput> = {}, audit?: (r: DecisionRecord) => void) {
  return new PolicyEngine({ policy: { version: 1, id: 'test', rules, ...extra }, audit });
}

describe('PolicyEngine: capability rules and defaults', () => {
  it('denies everything by default, before and after loading an empty policy', () => {
    expect(new PolicyEngine().evaluate(base)).toMatchObject({ effect: 'deny', ruleId: 'default-deny', revision: 0 });
    expect(engine([]).evaluate(base)).toMatchObject({ effect: 'deny', ruleId: 'default-deny', policyId: 'test', revision: 1 });
  });

  it('allows with wildcards on capability and agent type, naming the allowing rule', () => {
    const e = engine([{ id: 'web', kind: 'capability', effect: 'allow', agentTypes: ['research*'], capabilities: ['web.*'] }]);
    expect(e.evaluate(base)).toMatchObject({ effect: 'allow', ruleId: 'web' });
    expect(e.evaluate({ ...base, capability: 'web.search.news' })).toMatchObject({ effect: 'allow', ruleId: 'web' });
    expect(e.evaluate({ ...base, capability: 'fs.read' })).toMatchObject({ effect: 'deny', ruleId: 'default-deny' });
    expect(e.evaluate({ ...base, agentType: 'coder' })).toMatchObject({ effect: 'deny', ruleId: 'default-deny' });
  });

  it('lets a deny win over an earlier allow', () => {
    const e = engine([
      { id: 'all', kind: 'capability', effect: 'allow', capabilities: ['*'] },
      { id: 'no-shell', kind: 'capability', effect: 'deny', capabilities: ['shell.exec'], tenants: ['acme'] },
    ]);
    expect(e.evaluate({ ...base, capability: 'shell.exec' })).toMatchObject({ effect: 'deny', ruleId: 'no-shell' });
    expect(e.evaluate({ ...base, capability: 'shell.exec', tenant: 'globex' })).toMatchObject({ effect: 'allow', ruleId: 'all' });
  });

  it('applies risk selectors, counting a missing risk as critical', () => {
    const e = engine([
      { id: 'all', kind: 'capability', effect: 'allow' },
      { id: 'no-critical', kind: 'capability', effect: 'deny', risks: ['critical'] },
    ]);
    expect(e.evaluate(base)).toMatchObject({ effect: 'allow' });
    expect(e.evaluate({ ...base, risk: undefined })).toMatchObject({ effect: 'deny', ruleId: 'no-critical' });
  });

  it('lowers limits with allow-with-conditions, the lowest limit winning', () => {
    const e = engine([
      { id: 'a', kind: 'capability', effect: 'allow', limits: { maxCallsPerMinute: 30 } },
      { id: 'b', kind: 'capability', effect: 'allow', capabilities: ['web.fetch'], limits: { maxCallsPerMinute: 10, maxTokens: 500 } },
    ]);
    expect(e.evaluate(base)).toMatchObject({
      effect: 'allow-with-conditions', ruleId: 'a', ruleIds: ['a', 'b'],
      conditions: { limits: { maxCallsPerMinute: 10, maxTokens: 500 } },
    });
  });
});

describe('PolicyEngine: budget, time-window, approval', () => {
  it('suspends an agent over its token budget', () => {
    const e = engine([
      { id: 'all', kind: 'capability', effect: 'allow' },
      { id: 'budget', kind: 'budget', maxTokens: 1000 },
    ]);
    expect(e.evaluate({ ...base, tokensUsed: 1000 })).toMatchObject({ effect: 'allow' });
    expect(e.evaluate({ ...base, tokensUsed: 1001 })).toMatchObject({ effect: 'deny', ruleId: 'budget', suspend: true });
    expect(() => e.enforce({ ...base, tokensUsed: 5000 })).toThrow(
      expect.objectContaining({ code: 'budget-exceeded', details: expect.objectContaining({ ruleId: 'budget', suspend: true }) }),
    );
  });

  it('keeps high-risk work inside office hours in each tenant own time zone', () => {
    const e = engine(
      [
        { id: 'all', kind: 'capability', effect: 'allow' },
        { id: 'hours', kind: 'time-window', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '18:00' }] },
      ],
      { tenants: { paris: { timeZone: 'Europe/Paris' }, ny: { timeZone: 'America/New_York' } } },
    );
    const high = { ...base, risk: 'high' as const };
    expect(e.evaluate({ ...high, tenant: 'paris' })).toMatchObject({ effect: 'allow' });
    expect(e.evaluate({ ...high, tenant: 'ny' })).toMatchObject({ effect: 'deny', ruleId: 'hours' });
    expect(e.evaluate({ ...base, tenant: 'ny' })).toMatchObject({ effect: 'allow' }); // low risk: not covered
    const saturdayNoonParis = Date.UTC(2024, 5, 8, 10, 0);
    expect(e.evaluate({ ...high, tenant: 'paris', at: saturdayNoonParis })).toMatchObject({ effect: 'deny', ruleId: 'hours' });
  });

  it('supports windows that wrap past midnight', () => {
    const e = engine([
      { id: 'all', kind: 'capability', effect: 'allow' },
      { id: 'night', kind: 'time-window', risks: ['low'], windows: [{ start: '22:00', end: '06:00' }] },
    ]);
    expect(e.evaluate({ ...base, at: Date.UTC(2024, 5, 5, 23, 0) })).toMatchObject({ effect: 'allow' });
    expect(e.evaluate({ ...base, at: Date.UTC(2024, 5, 5, 5, 59) })).toMatchObject({ effect: 'allow' });
    expect(e.evaluate({ ...base, at: Date.UTC(2024, 5, 5, 6, 0) })).toMatchObject({ effect: 'deny', ruleId: 'night' });
  });

  it('requires approval by the union of roles and the highest count', () => {
    const e = engine([
      { id: 'all', kind: 'capability', effect: 'allow' },
      { id: 'pay', kind: 'approval', capabilities: ['payments.*'], roles: ['finance'] },
      { id: 'big', kind: 'approval', capabilities: ['payments.send'], roles: ['cfo'], minApprovals: 2 },
    ]);
    expect(e.evaluate({ ...base, capability: 'payments.send' })).toMatchObject({
      effect: 'require-approval', ruleId: 'pay', approvers: { roles: ['finance', 'cfo'], minApprovals: 2 }, ruleIds: ['pay', 'big'],
    });
  });

  it('never lets an approval rule grant what no rule allows', () => {
    const e = engine([{ id: 'pay', kind: 'approval', roles: ['finance'] }]);
    expect(e.evaluate(base)).toMatchObject({ effect: 'deny', ruleId: 'default-deny' });
  });

  it('ranks deny over require-approval over conditions over allow regardless of order', () => {
    const rules: PolicyDocumentInput['rules'] = [
      { id: 'approve', kind: 'approval', roles: ['lead'] },
      { id: 'allow', kind: 'capability', effect: 'allow' },
      { id: 'limit', kind: 'capability', effect: 'allow', limits: { maxTokens: 10 } },
      { id: 'deny', kind: 'capability', effect: 'deny', capabilities: ['x'] },
    ];
    expect(engine(rules).evaluate({ ...base, capability: 'x' })).toMatchObject({ effect: 'deny', ruleId: 'deny' });
    expect(engine(rules).evaluate(base)).toMatchObject({ effect: 'require-approval', ruleId: 'approve', conditions: { limits: { maxTokens: 10 } } });
    expect(engine(rules.slice(1)).evaluate(base)).toMatchObject({ effect: 'allow-with-conditions', ruleId: 'limit' });
    expect(engine(rules.slice(1, 2)).evaluate(base)).toMatchObject({ effect: 'allow', ruleId: 'allow' });
  });
});

describe('PolicyEngine: data rules', () => {
  const allow = { id: 'all', kind: 'capability' as const, effect: 'allow' as const };

  it('denies PII leaving through an outbound capability', () => {
    const e = engine([allow, { id: 'no-pii', kind: 'data', capabilities: ['web.*'], detectors: ['email', 'credit-card'], action: 'deny' }]);
    expect(e.evaluate({ ...base, input: { url: 'https://x.test/?q=rust' } })).toMatchObject({ effect: 'allow' });
    expect(e.evaluate({ ...base, input: { body: 'mail me: jane.doe@example.com' } })).toMatchObject({ effect: 'deny', ruleId: 'no-pii' });
    expect(e.evaluate({ ...base, input: ['card 4111 1111 1111 1111'] })).toMatchObject({ effect: 'deny', ruleId: 'no-pii' });
    // 16 digits failing Luhn are an order number, not a card.
    expect(e.evaluate({ ...base, input: ['order 4111 1111 1111 1112'] })).toMatchObject({ effect: 'allow' });
  });

  it('redacts API keys and custom patterns, pointing at each redacted field', () => {
    const e = engine([
      allow,
      {
        id: 'scrub', kind: 'data', action: 'redact', detectors: ['api-key'],
        patterns: [{ name: 'employee-id', regex: 'EMP-\\d{6}' }],
      },
    ]);
    const input = { headers: { auth: 'Bearer sk-proj-abcdefghijklmnopqrstuvwx' }, notes: ['for EMP-123456 only', 'fine'], n: 3 };
    const d = e.evaluate({ ...base, input });
    expect(d).toMatchObject({
      effect: 'allow-with-conditions', ruleId: 'scrub',
      conditions: {
        redactions: [{ path: '/headers/auth', detector: 'api-key' }, { path: '/notes/0', detector: 'employee-id' }],
        redactedInput: { headers: { auth: 'Bearer [REDACTED:api-key]' }, notes: ['for [REDACTED:employee-id] only', 'fine'], n: 3 },
      },
    });
    expect(input.headers.auth).toContain('sk-proj'); // the caller's object is left alone
  });

  it('scans only the listed fields when fields are given', () => {
    const e = engine([allow, { id: 'to', kind: 'data', fields: ['recipients.*'], detectors: ['email'], action: 'deny' }]);
    expect(e.evaluate({ ...base, input: { body: 'from a@b.io', recipients: ['team'] } })).toMatchObject({ effect: 'allow' });
    expect(e.evaluate({ ...base, input: { recipients: ['x', 'c@d.io'] } })).toMatchObject({ effect: 'deny', ruleId: 'to' });
  });
});

describe('PolicyEngine: reload and audit', () => {
  it('swaps policies atomically and keeps the old one when the new one is invalid', () => {
    const e = engine([{ id: 'v1', kind: 'capability', effect: 'allow' }]);
    expect(e.load({ version: 1, id: 'v2', rules: [{ id: 'v2', kind: 'capability', effect: 'deny' }] })).toEqual({ id: 'v2', revision: 2, rules: 1 });
    expect(e.evaluate(base)).toMatchObject({ effect: 'deny', ruleId: 'v2', revision: 2 });
    expect(() => e.load({ version: 1, id: 'v3', rules: [{ id: 'bad', kind: 'capability', effect: 'maybe' }] })).toThrow(
      expect.objectContaining({ code: 'invalid-policy' }),
    );
    expect(e.current).toEqual({ id: 'v2', revision: 2, rules: 1 });
  });

  it('finishes an evaluation on the policy it started with when a reload happens meanwhile', () => {
    const records: DecisionRecord[] = [];
    let e!: PolicyEngine;
    e = engine([{ id: 'old', kind: 'capability', effect: 'allow' }], {}, (r) => {
      records.push(r);
      if (records.length === 1) e.load({ version: 1, id: 'new', rules: [] });
    });
    expect(e.evaluate(base)).toMatchObject({ effect: 'allow', ruleId: 'old', revision: 1 });
    expect(e.evaluate(base)).toMatchObject({ effect: 'deny', ruleId: 'default-deny', revision: 2 });
  });

  it('hands every decision to the audit sink without the call input', () => {
    const records: DecisionRecord[] = [];
    const e = engine(
      [{ id: 'all', kind: 'capability', effect: 'allow' }, { id: 'scrub', kind: 'data', detectors: ['email'], action: 'redact' }],
      {},
      (r) => records.push(r),
    );
    e.evaluate({ ...base, input: { to: 'secret@example.com' } });
    e.evaluate({ ...base, capability: 'x', agentType: 'y', tenant: 'z', at: 1 });
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ effect: 'allow-with-conditions', ruleId: 'scrub', redactions: [{ path: '/to', detector: 'email' }] });
    expect(JSON.stringify(records)).not.toContain('secret@example.com');
    expect(records[1]).toMatchObject({ effect: 'allow', tenant: 'z', at: 1 });
  });

  it('fails closed when the audit sink throws', () => {
    const e = engine([{ id: 'all', kind: 'capability', effect: 'allow' }], {}, () => {
      throw new Error('disk full');
    });
    expect(() => e.evaluate(base)).toThrow('disk full');
  });

  it('throws policy-denied from enforce with the deciding rule', () => {
    expect(() => engine([]).enforce(base)).toThrow(expect.objectContaining({ code: 'policy-denied', details: expect.objectContaining({ ruleId: 'default-deny' }) }));
  });
});
