import { describe, expect, it } from 'vitest';
import { PolicyEngine } from '../policy/index.ts';
import { AuditLog, generateAuditSigner, verifyAuditLog } from './index.ts';

describe('audit trail as the policy engine sink', () => {
  it('records every decision with its rule id in a log that verifies', async () => {
    const { signer } = await generateAuditSigner();
    const log = new AuditLog({ signer, checkpointEvery: 2 });
    const engine = new PolicyEngine({
      audit: (record) => void log.append({ kind: 'policy.decision', at: record.at, data: record }),
      policy: { version: 1, id: 'p', rules: [{ id: 'web', kind: 'capability', effect: 'allow', capabilities: ['web.*'] }] },
    });
    engine.evaluate({ tenant: 't', agentType: 'a', capability: 'web.fetch', risk: 'low', at: 1 });
    engine.evaluate({ tenant: 't', agentType: 'a', capability: 'shell.exec', risk: 'low', at: 2 });
    expect([log.entry(1).data, log.entry(2).data]).toMatchObject([
      { effect: 'allow', ruleId: 'web' },
      { effect: 'deny', ruleId: 'default-deny' },
    ]);
    expect(await verifyAuditLog(await log.exportJsonl(), { publicKey: signer.publicKey })).toMatchObject({ valid: true, entries: 2 });
  });
});
