/**
 * The generic agent end to end: built with `agentos build`, run by the
 * Runtime with the llm capability (createLlmCapability over the OpenAI
 * provider) against the local OpenAI-compatible test server, with the
 * wordcount tool component registered. The model's turns are scripted on
 * the server; everything between (the capability, the gate, the sandbox,
 * the agent's loop, the tool's own sandbox) is the real thing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, CapabilityManager, generateAuditSigner, PolicyEngine } from '../../packages/core/src/index.ts';
import { createLlmCapability, createOpenAiProvider } from '../../packages/core/src/llm/index.ts';
import { Runtime } from '../../packages/core/src/runtime/index.ts';
import { Engine } from '../../packages/sandbox/src/index.ts';
import { buildFixture } from '../fixtures/index.ts';
import { buildGenericAgent } from './generic.ts';
import { startOpenAiServer, type OpenAiTestServer, type RecordedRequest, type Turn } from '../llm/openai-server.ts';

const TENANT = 'acme';
const engine = new Engine();
let agentBytes: Uint8Array;
let wordcountBytes: Uint8Array;
let server: OpenAiTestServer;

beforeAll(async () => {
  [agentBytes, wordcountBytes, server] = await Promise.all([buildGenericAgent(), buildFixture('wordcount').then((f) => f.bytes), startOpenAiServer()]);
});
afterAll(async () => {
  await server?.close();
});

async function setup(options: { budgetRule?: number; approveTools?: boolean } = {}) {
  const { signer } = await generateAuditSigner();
  const audit = new AuditLog({ signer });
  const capabilities = new CapabilityManager();
  for (const [id, risk] of [['log', 'low'], ['tools.list', 'low'], ['tools.call', 'medium'], ['llm.complete', 'medium']] as const) {
    capabilities.register({ id, name: id, namespace: 'agentos', version: '0.1.0', allowedTenants: [TENANT], risk });
  }
  capabilities.entitle({ tenant: TENANT, agentType: 'generic', capabilities: ['*'], maxCallsPerMinute: 10_000, maxTokenBudget: 1_000_000 });
  const rules: unknown[] = [{ id: 'allow-all', kind: 'capability', effect: 'allow', capabilities: ['*'] }];
  if (options.approveTools) rules.push({ id: 'approve-tools', kind: 'approval', capabilities: ['tools.call'], roles: ['ops'] });
  if (options.budgetRule !== undefined) rules.unshift({ id: 'token-cap', kind: 'budget', capabilities: ['llm.complete'], maxTokens: options.budgetRule, action: 'suspend' });
  const usage: number[] = [];
  const llm = createLlmCapability({
    provider: createOpenAiProvider({ baseUrl: server.baseUrl, apiKey: 'sk-local', stream: true }),
    model: 'local-1',
    onUsage: (u) => void usage.push(u.inputTokens + u.outputTokens),
  });
  const runtime = new Runtime({
    engine, audit, capabilities, policy: new PolicyEngine({ policy: { version: 1, id: 'generic', rules } }),
    scheduler: { kind: 'fcfs', sliceFuel: 2_000_000 }, checkEvery: 100_000n,
    implementations: { llm },
  });
  await runtime.registerTool('wordcount', wordcountBytes);
  await runtime.registerAgent('generic', agentBytes);
  return { runtime, usage, audit };
}

/**
 * The scripted model: asked with a user message last, it calls wordcount on the
 * text after "count the words: "; asked with a tool result last, it answers
 * from it. Usage: 150 tokens for the first kind of turn, 192 for the second.
 */
function wordcountTurn(request: RecordedRequest): Turn {
  const last = request.body.messages.at(-1);
  if (last?.role === 'tool') {
    const { words } = JSON.parse(String(last.content)) as { words: number };
    return { reply: { content: `There are ${words} words.`, usage: { prompt: 180, completion: 12 } } };
  }
  const text = String(last?.content ?? '').replace(/^count the words: /, '');
  return { reply: { toolCalls: [{ id: 'call_1', name: 'wordcount', arguments: JSON.stringify({ text }) }], usage: { prompt: 120, completion: 30 } } };
}

/** One task's worth of model turns (two), in whatever order agents ask. */
function scriptWordcountTask(): void {
  server.script(wordcountTurn, wordcountTurn);
}

describe('generic agent end to end', () => {
  it('completes a task that needs a tool call, and its token usage lands in the process budget', async () => {
    server.reset();
    const { runtime, usage } = await setup();
    scriptWordcountTask();
    const id = await runtime.spawn({ type: 'generic', goal: 'count the words: the quick brown fox jumps', tenant: TENANT, budget: { fuel: 5_000_000_000, tokens: 10_000 } });
    await runtime.run();
    const status = runtime.status(id);
    expect(status).toMatchObject({ status: 'completed', result: { ok: true, value: 'There are 5 words.' } });
    expect(usage).toEqual([150, 192]);
    expect(status.spent.tokens).toBe(342);

    // What the agent sent the model: the registered tool offered, and the tool's output fed back as a tool message.
    const [first, second] = server.requests;
    expect(first.body.tools).toEqual([expect.objectContaining({ type: 'function', function: expect.objectContaining({ name: 'wordcount' }) })]);
    expect(first.headers['idempotency-key']).toBeTruthy();
    expect(second.body.messages.slice(-2)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'wordcount', arguments: '{"text":"the quick brown fox jumps"}' } }] },
      { role: 'tool', content: expect.stringContaining('"words":5'), tool_call_id: 'call_1' },
    ]);
  });

  it('stops cleanly with capability(budget-exceeded) when a budget rule refuses the next completion', async () => {
    server.reset();
    const { runtime } = await setup({ budgetRule: 100 });
    scriptWordcountTask();
    const id = await runtime.spawn({ type: 'generic', goal: 'count the words: one two three', tenant: TENANT, budget: { fuel: 5_000_000_000, tokens: 10_000 } });
    await runtime.run();
    const status = runtime.status(id);
    // The first completion (150 tokens) went through; the second was refused by the rule, as data,
    // and the agent ended with its own error (a failure of the goal, not a fault of the guest).
    expect(status.status).toBe('failed');
    expect(status.result).toMatchObject({ ok: false, code: 'agent-error', value: { tag: 'capability', val: { tag: 'budget-exceeded' } } });
    expect(status.result?.ok === false && status.result.error).toMatch(/^capability\(budget-exceeded: llm\.complete at step 2: /);
    expect(server.requests).toHaveLength(1);
    expect(status.spent.tokens).toBe(150);
  });

  it('is suspended for budget when the process token budget is spent, and finishes once it is extended', async () => {
    server.reset();
    const { runtime } = await setup();
    scriptWordcountTask();
    const id = await runtime.spawn({ type: 'generic', goal: 'count the words: a b', tenant: TENANT, budget: { fuel: 5_000_000_000, tokens: 100 } });
    await runtime.run();
    expect(runtime.status(id)).toMatchObject({ status: 'suspended', suspendReason: 'budget', spent: { tokens: 150 } });
    expect(server.requests).toHaveLength(1);
    expect(runtime.extendBudget(id, { tokens: 1_000 })).toMatchObject({ ok: true });
    await runtime.run();
    expect(runtime.status(id)).toMatchObject({ status: 'completed', result: { ok: true, value: 'There are 2 words.' }, spent: { tokens: 342 } });
  });

  it('waits for an approval of the tool call, and stops with capability(policy-denied) when it is denied', async () => {
    server.reset();
    const { runtime } = await setup({ approveTools: true });
    scriptWordcountTask();
    scriptWordcountTask();
    const budget = { fuel: 5_000_000_000, tokens: 10_000 };
    const approved = await runtime.spawn({ type: 'generic', goal: 'count the words: x y z', tenant: TENANT, budget });
    const denied = await runtime.spawn({ type: 'generic', goal: 'count the words: nope', tenant: TENANT, budget });
    await runtime.run();
    for (const id of [approved, denied]) expect(runtime.status(id)).toMatchObject({ status: 'suspended', suspendReason: 'approval' });
    runtime.approve(runtime.status(approved).pendingApprovals[0].id, { approver: 'ann', role: 'ops', approved: true });
    runtime.approve(runtime.status(denied).pendingApprovals[0].id, { approver: 'bob', role: 'ops', approved: false });
    await runtime.run();
    expect(runtime.status(approved)).toMatchObject({ status: 'completed', result: { ok: true, value: 'There are 3 words.' } });
    const stopped = runtime.status(denied);
    expect(stopped.result).toMatchObject({ ok: false, code: 'agent-error', value: { tag: 'capability', val: { tag: 'policy-denied' } } });
    expect(stopped.result?.ok === false && stopped.result.error).toMatch(/tools\.call wordcount at step 1: .*bob denied it/);
    // The denied agent asked the model once and never again: it did not work around the refusal.
    expect(server.requests).toHaveLength(3);
  });
});
