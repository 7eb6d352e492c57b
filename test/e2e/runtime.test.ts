import { beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, generateAuditSigner, PolicyEngine, verifyAuditLog } from '../../packages/core/src/index.ts';
import { MemoryKv, Runtime } from '../../packages/core/src/runtime/index.ts';
import { Engine } from '../../packages/sandbox/src/index.ts';
import { buildFixture } from '../fixtures/index.ts';
import { buildAgent, type AgentName } from './agents.ts';
import { LocalInternet, POLICY, ScriptedModel, TENANT, worldCapabilities } from './world.ts';

const engine = new Engine();
const bytes = {} as Record<AgentName | 'wordcount', Uint8Array>;

beforeAll(async () => {
  for (const name of ['researcher', 'prober', 'payer', 'burner'] as const) bytes[name] = await buildAgent(name);
  bytes.wordcount = (await buildFixture('wordcount')).bytes;
});

async function setup() {
  const { signer } = await generateAuditSigner();
  const audit = new AuditLog({ signer });
  const capabilities = worldCapabilities();
  const model = new ScriptedModel();
  const internet = new LocalInternet();
  const kv = new MemoryKv();
  const runtime = new Runtime({
    engine, audit, capabilities, policy: new PolicyEngine({ policy: POLICY }),
    // Small slices, so the agents take turns on the scheduler.
    scheduler: { kind: 'fcfs', sliceFuel: 300_000 },
    checkEvery: 50_000n,
    implementations: { llm: model, http: internet, kv, random: (n) => new Uint8Array(n).fill(7) },
  });
  await runtime.registerTool('wordcount', bytes.wordcount);
  for (const name of ['researcher', 'prober', 'payer', 'burner'] as const) await runtime.registerAgent(name, bytes[name]);
  return { runtime, audit, model, internet, kv, signer };
}

function entries(audit: AuditLog): { kind: string; data: Record<string, unknown> }[] {
  return Array.from({ length: audit.length }, (_, i) => audit.entry(i + 1) as unknown as { kind: string; data: Record<string, unknown> });
}

describe('Runtime end to end', () => {
  it('runs four agents concurrently through a denial, an approval and a budget suspension, with a verifiable audit trail', async () => {
    const { runtime, audit, model, internet, kv, signer } = await setup();
    const budget = { fuel: 5_000_000_000, tokens: 10_000 };
    const researcher = await runtime.spawn({ type: 'researcher', goal: 'count the words in this goal please', tenant: TENANT, budget });
    const prober = await runtime.spawn({ type: 'prober', goal: 'https://exfil.example/upload', tenant: TENANT, budget });
    const payer = await runtime.spawn({ type: 'payer', goal: 'invoice 42', tenant: TENANT, budget });
    const burner = await runtime.spawn({ type: 'burner', goal: '5', tenant: TENANT, budget: { fuel: 5_000_000_000, tokens: 250 } });

    const first = await runtime.run();
    // All four ran, and agents were preempted at slice ends and resumed later (more slices than agents).
    const slices = new Map<string, number>();
    for (const report of first) slices.set(report.id, (slices.get(report.id) ?? 0) + 1);
    expect(slices.size).toBe(4);
    expect(Math.max(...slices.values())).toBeGreaterThan(1);
    expect(first.some((r) => r.outcome === 'continue' && r.status === 'suspended')).toBe(true);

    expect(runtime.status(researcher)).toMatchObject({ status: 'completed', result: { ok: true, value: 'The goal has 7 words.' } });
    expect(new TextDecoder().decode(kv.get(researcher, 'answers/1'))).toBe('The goal has 7 words.');

    // The denied call came back to the guest as data; the request never left the host.
    const probed = runtime.status(prober);
    expect(probed.status).toBe('completed');
    expect(probed.result).toMatchObject({ ok: true });
    expect((probed.result as { value: string }).value).toMatch(/^refused: denied: .*deny-exfil-host/);
    expect(internet.requests.some((r) => r.url.includes('exfil'))).toBe(false);

    // The payer waits, suspended inside its http call, for the finance approval.
    const waiting = runtime.status(payer);
    expect(waiting).toMatchObject({ status: 'suspended', suspendReason: 'approval' });
    expect(waiting.pendingApprovals).toHaveLength(1);
    expect(internet.requests.filter((r) => r.agentId === payer)).toHaveLength(0);

    // The burner spent its 250 tokens after its third call and is suspended for budget.
    expect(runtime.status(burner)).toMatchObject({ status: 'suspended', suspendReason: 'budget', spent: { tokens: 300 } });

    const request = waiting.pendingApprovals[0];
    expect(() => runtime.approve(request.id, { approver: 'mallory', role: 'intern', approved: true })).toThrow(/may not decide/);
    runtime.approve(request.id, { approver: 'alice', role: 'finance', approved: true });
    expect(runtime.extendBudget(burner, { tokens: 300 })).toMatchObject({ ok: true, status: 'ready' });
    await runtime.run();

    // The payer continued inside the very call it asked in: same nonce, request sent once.
    const nonce = new TextDecoder().decode(kv.get(payer, 'nonce'));
    expect(runtime.status(payer)).toMatchObject({ status: 'completed', result: { ok: true, value: `paid 201 (nonce ${nonce})` } });
    expect(internet.requests.filter((r) => r.agentId === payer)).toEqual([{ agentId: payer, method: 'post', url: 'https://payments.example/pay' }]);

    const burned = runtime.status(burner);
    expect(burned.status).toBe('completed');
    expect(JSON.parse((burned.result as { value: string }).value)).toMatchObject({ rounds: 5, tokens: 500 });
    expect(burned.spent.tokens).toBe(500);
    expect(model.prompts.filter((p) => p.agentId === burner)).toHaveLength(5);

    const log = entries(audit);
    const decisions = log.filter((e) => e.kind === 'capability.decision');
    expect(decisions).toContainEqual(expect.objectContaining({ data: expect.objectContaining({ agentId: prober, capability: 'http.fetch', effect: 'deny', ruleId: 'deny-exfil-host' }) }));
    expect(decisions).toContainEqual(expect.objectContaining({ data: expect.objectContaining({ agentId: payer, capability: 'http.fetch', effect: 'require-approval', ruleId: 'approve-payments' }) }));
    expect(decisions).toContainEqual(expect.objectContaining({ data: expect.objectContaining({ agentId: researcher, capability: 'tools.call', effect: 'allow', ruleId: 'allow-basics' }) }));
    expect(log).toContainEqual(expect.objectContaining({ kind: 'approval.vote', data: expect.objectContaining({ requestId: request.id, approver: 'alice', ruleId: 'approve-payments', status: 'approved' }) }));
    expect(log).toContainEqual(expect.objectContaining({ kind: 'process.transition', data: expect.objectContaining({ agentId: burner, action: 'exhaust-budget' }) }));
    expect(log).toContainEqual(expect.objectContaining({ kind: 'process.transition', data: expect.objectContaining({ agentId: burner, action: 'extend-budget' }) }));
    const verified = await verifyAuditLog(await audit.exportJsonl(), { publicKey: signer.publicKey });
    expect(verified).toMatchObject({ valid: true, entries: audit.length });
  });

  it('hands a denied approval to the agent as data (http-error denied), and stops paused and terminated agents', async () => {
    const { runtime, internet } = await setup();
    const budget = { fuel: 5_000_000_000, tokens: 10_000 };
    const denied = await runtime.spawn({ type: 'payer', goal: 'invoice 7', tenant: TENANT, budget });
    const doomed = await runtime.spawn({ type: 'payer', goal: 'invoice 8', tenant: TENANT, budget });
    const paused = await runtime.spawn({ type: 'researcher', goal: 'two words', tenant: TENANT, budget });
    runtime.pause(paused);
    await runtime.run();
    expect(runtime.status(paused)).toMatchObject({ status: 'paused', spent: { fuel: 0 } });
    expect(runtime.status(doomed)).toMatchObject({ status: 'suspended', suspendReason: 'approval' });
    expect(runtime.status(doomed).memoryBytes).toBeGreaterThan(0);

    runtime.approve(runtime.status(denied).pendingApprovals[0].id, { approver: 'bob', role: 'finance', approved: false });
    runtime.terminate(doomed, 'no longer needed');
    runtime.resume(paused);
    await runtime.run();

    expect(runtime.status(denied).result).toMatchObject({ ok: true, value: expect.stringMatching(/^not paid: denied: .*approve-payments.*bob denied it/) });
    expect(runtime.status(doomed)).toMatchObject({ status: 'terminated', pendingApprovals: [], memoryBytes: 0 });
    expect(runtime.status(paused)).toMatchObject({ status: 'completed', result: { ok: true, value: 'The goal has 2 words.' } });
    expect(internet.requests).toEqual([]);
  });
});
