/**
 * The lean payer (examples/agents/lean-payer): the payer's job done by a
 * hand-written core module instead of a QuickJS program, driven by the same
 * Runtime through the same gate, approval and kv as the JS agents.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, generateAuditSigner, PolicyEngine } from '../../packages/core/src/index.ts';
import { MemoryKv, Runtime } from '../../packages/core/src/runtime/index.ts';
import { Engine } from '../../packages/sandbox/src/index.ts';
import { buildAgent } from './agents.ts';
import { LocalInternet, POLICY, TENANT, worldCapabilities } from './world.ts';

const engine = new Engine();
let lean: Uint8Array;

beforeAll(async () => {
  lean = await buildAgent('lean-payer');
});

/** The e2e policy with the payment approval rule applied to the lean payer too; `withoutKv` drops the kv grant. */
function policy(options: { withoutKv?: boolean } = {}) {
  const rules = POLICY.rules.map((rule) => {
    if (rule.id === 'approve-payments') return { ...rule, agentTypes: ['lean-payer'] };
    if (rule.id === 'allow-basics' && options.withoutKv) return { ...rule, capabilities: (rule.capabilities as string[]).filter((c) => c !== 'kv.*') };
    return rule;
  });
  return new PolicyEngine({ policy: { ...POLICY, rules } });
}

async function setup(options: { withoutKv?: boolean } = {}) {
  const { signer } = await generateAuditSigner();
  const capabilities = worldCapabilities({ entitled: false });
  capabilities.entitle({ tenant: TENANT, agentType: 'lean-payer', capabilities: ['*'], maxCallsPerMinute: 10_000, maxTokenBudget: 1_000 });
  const internet = new LocalInternet();
  const kv = new MemoryKv();
  const runtime = new Runtime({
    engine, capabilities, policy: policy(options), audit: new AuditLog({ signer }),
    implementations: { http: internet, kv, random: (n) => new Uint8Array(n).fill(3) },
  });
  await runtime.registerAgent('lean-payer', lean);
  return { runtime, internet, kv };
}

describe('lean payer (a WAT agent)', () => {
  it('parks inside its payment call with one page of memory, and once approved reports the status and the nonce it kept in kv', async () => {
    const { runtime, internet, kv } = await setup();
    const id = await runtime.spawn({ type: 'lean-payer', goal: 'invoice 42', tenant: TENANT, budget: { fuel: 10_000_000 } });
    await runtime.run();
    const waiting = runtime.status(id);
    expect(waiting).toMatchObject({ status: 'suspended', suspendReason: 'approval', memoryBytes: 65_536 });
    expect(waiting.pendingApprovals).toHaveLength(1);
    expect(internet.requests).toEqual([]);

    runtime.approve(waiting.pendingApprovals[0].id, { approver: 'alice', role: 'finance', approved: true });
    await runtime.run();
    // random filled with 3s: 0x0303030303030303 % 1_000_000
    const nonce = String(0x0303030303030303n % 1_000_000n);
    expect(new TextDecoder().decode(kv.get(id, 'nonce'))).toBe(nonce);
    expect(runtime.status(id)).toMatchObject({ status: 'completed', result: { ok: true, value: `paid 201 (nonce ${nonce})` } });
    expect(internet.requests).toEqual([{ agentId: id, method: 'post', url: 'https://payments.example/pay' }]);
    expect(runtime.status(id).spent.fuel).toBeGreaterThan(0);
  });

  it('hands a denied approval back as the http-error case and message', async () => {
    const { runtime, internet } = await setup();
    const id = await runtime.spawn({ type: 'lean-payer', goal: 'invoice 7', tenant: TENANT, budget: {} });
    await runtime.run();
    runtime.approve(runtime.status(id).pendingApprovals[0].id, { approver: 'bob', role: 'finance', approved: false });
    await runtime.run();
    expect(runtime.status(id).result).toMatchObject({ ok: true, value: expect.stringMatching(/^not paid: denied: .*approve-payments.*bob denied it.* \(nonce \d+\)$/) });
    expect(internet.requests).toEqual([]);
  });

  it('ends with an agent error carrying the capability error when kv refuses the nonce', async () => {
    const { runtime, internet } = await setup({ withoutKv: true });
    const id = await runtime.spawn({ type: 'lean-payer', goal: 'invoice 9', tenant: TENANT, budget: {} });
    await runtime.run();
    const status = runtime.status(id);
    expect(status.result).toMatchObject({
      ok: false, code: 'agent-error',
      value: { tag: 'capability', val: { tag: 'policy-denied', val: expect.stringMatching(/kv\.set/) } },
    });
    expect(status.pendingApprovals).toEqual([]);
    expect(internet.requests).toEqual([]);
  });

  it('runs many agents side by side, each parked with its own instance until approved', async () => {
    const { runtime } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(await runtime.spawn({ type: 'lean-payer', goal: `invoice ${i}`, tenant: TENANT, budget: {} }));
    await runtime.run();
    expect(ids.every((id) => runtime.status(id).suspendReason === 'approval')).toBe(true);
    for (const id of ids) runtime.approve(runtime.status(id).pendingApprovals[0].id, { approver: 'alice', role: 'finance', approved: true });
    await runtime.run();
    expect(ids.map((id) => runtime.status(id).result)).toEqual(ids.map(() => expect.objectContaining({ ok: true, value: expect.stringMatching(/^paid 201 \(nonce \d+\)$/) })));
  });
});
