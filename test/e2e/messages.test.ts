/**
 * Agent messages end to end: two real agent components under the Runtime
 * with the core Bus — `requester` sends a `bus.request` to `echo`, the
 * runtime delivers it into echo's `handle-message` while echo's instance is
 * idle, and the reply comes back into the requester's call. Plus the durable
 * variant (a delivered message survives a crash: replay re-delivers it from
 * the journal) and the default agent type.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, generateAuditSigner, PolicyEngine, type AuditSigner } from '../../packages/core/src/index.ts';
import { Bus } from '../../packages/core/src/bus/index.ts';
import { DELIVERY_INTERFACE, MemoryKv, Runtime } from '../../packages/core/src/runtime/index.ts';
import { listAll, MemoryStore, decodeJson, type Store } from '../../packages/core/src/store/index.ts';
import { Engine } from '../../packages/sandbox/src/index.ts';
import { buildAgent } from './agents.ts';
import { buildGenericAgent } from './generic.ts';
import { POLICY, ScriptedModel, TENANT, worldCapabilities } from './world.ts';

const engine = new Engine();
const bytes: Record<string, Uint8Array> = {};
const budget = { fuel: 5_000_000_000, tokens: 10_000 };
let signer: AuditSigner;

beforeAll(async () => {
  signer = (await generateAuditSigner()).signer;
  bytes.echo = await buildAgent('echo');
  bytes.requester = await buildAgent('requester');
  bytes.generic = await buildGenericAgent();
});

async function host(options: { store?: Store; defaultAgentType?: string; newId?: () => string } = {}) {
  const audit = new AuditLog({ signer });
  const capabilities = worldCapabilities();
  const bus = new Bus();
  const kv = new MemoryKv();
  const runtime = new Runtime({
    engine, audit, capabilities, policy: new PolicyEngine({ policy: POLICY }), bus,
    scheduler: { kind: 'fcfs', sliceFuel: 300_000 }, checkEvery: 50_000n,
    implementations: { llm: new ScriptedModel(), kv, random: (n) => new Uint8Array(n).fill(7) },
    durable: options.store && { store: options.store },
    defaultAgentType: options.defaultAgentType, newId: options.newId,
  });
  await runtime.registerAgent('echo', bytes.echo);
  await runtime.registerAgent('requester', bytes.requester);
  return { runtime, audit, bus, kv };
}

const ask = (to: string, payload: unknown) => JSON.stringify({ to, payload, timeoutMs: 3000 });

function replyOf(runtime: Runtime, id: string): Record<string, unknown> {
  const status = runtime.status(id);
  expect(status).toMatchObject({ status: 'completed', result: { ok: true } });
  const value = (status.result as { value: string }).value;
  expect(value.startsWith('reply: ')).toBe(true);
  return JSON.parse(value.slice('reply: '.length));
}

describe('handle-message delivery', () => {
  it('delivers a request to an idle resident agent and hands its reply to the requesting agent', async () => {
    const { runtime, audit, kv } = await host();
    const echo = await runtime.spawn({ type: 'echo', goal: 'hello', tenant: TENANT, budget, resident: true });
    const first = await runtime.spawn({ type: 'requester', goal: ask(echo, { q: 'ping' }), tenant: TENANT, budget });
    await runtime.run();

    expect(replyOf(runtime, first)).toEqual({ greeting: 'hello', echo: { q: 'ping' }, from: first, topic: null, count: 1, history: [{ q: 'ping' }] });
    expect(new TextDecoder().decode(await kv.get(first, 'reply'))).toContain('"count":1');
    // The echo agent's goal is done, and it waits (no instance call in flight) for the next message.
    expect(runtime.status(echo)).toMatchObject({ status: 'suspended', suspendReason: 'policy', result: { ok: true, value: 'hello: ready' } });

    // The same instance handles the next message: its memory kept the first one.
    const second = await runtime.spawn({ type: 'requester', goal: ask(echo, 'again'), tenant: TENANT, budget });
    await runtime.run();
    expect(replyOf(runtime, second)).toMatchObject({ echo: 'again', from: second, count: 2, history: [{ q: 'ping' }, 'again'] });
    expect(runtime.status(echo).spent.fuel).toBeGreaterThan(0);

    const kinds = Array.from({ length: audit.length }, (_, i) => audit.entry(i + 1) as unknown as { kind: string; data: Record<string, unknown> });
    expect(kinds.filter((e) => e.kind === 'bus.delivery').map((e) => e.data)).toEqual([
      expect.objectContaining({ agentId: echo, from: first, request: true, ok: true }),
      expect.objectContaining({ agentId: echo, from: second, request: true, ok: true }),
    ]);

    runtime.terminate(echo);
    expect(runtime.status(echo)).toMatchObject({ status: 'terminated', result: { ok: true, value: 'hello: ready' } });
    const late = await runtime.spawn({ type: 'requester', goal: ask(echo, 'anyone?'), tenant: TENANT, budget });
    await runtime.run();
    expect(runtime.status(late).result).toMatchObject({ ok: true, value: expect.stringMatching(/^no reply: not-found/) });
  });

  it('delivers messages that arrived before an agent started ahead of its run, then lets it complete', async () => {
    const { runtime, bus } = await host();
    const echo = await runtime.spawn({ type: 'echo', goal: 'early', tenant: TENANT, budget });
    // A host service on the same bus talks to the agent before it was ever dispatched.
    const service = bus.attach('front-desk');
    service.send(echo, { note: 'first' });
    const reply = service.request(echo, { q: 'second' }, { timeoutMs: 3000 });
    bus.flush();
    expect(runtime.processes.get(echo).status).toBe('ready');
    await runtime.run();
    // Delivered before `run` set the greeting, in arrival order; then the goal ran and the agent completed.
    expect(await reply).toEqual({ greeting: 'echo', echo: { q: 'second' }, from: 'front-desk', topic: null, count: 2, history: [{ note: 'first' }, { q: 'second' }] });
    expect(runtime.status(echo)).toMatchObject({ status: 'completed', result: { ok: true, value: 'early: ready' } });
    await expect(service.request(echo, 'late', { timeoutMs: 3000 })).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('handle-message delivery of durable agents', () => {
  it('journals a delivered message and re-delivers it by replay after a crash, restoring the agent exactly', async () => {
    const store = new MemoryStore();
    const before = await host({ store });
    const echo = await before.runtime.spawn({ type: 'echo', goal: 'durable', tenant: TENANT, budget, resident: true });
    const first = await before.runtime.spawn({ type: 'requester', goal: ask(echo, { n: 1 }), tenant: TENANT, budget });
    await before.runtime.run();
    expect(replyOf(before.runtime, first)).toMatchObject({ echo: { n: 1 }, count: 1 });
    const state = await before.runtime.inspect(echo);
    await before.runtime.flush();

    const journal = (await listAll(store, `agents/${echo}/journal/`)).map((k) => k.key);
    const entries = await Promise.all(journal.map(async (key) => decodeJson<{ interface: string; function: string; state: string }>((await store.get(key))!.value, key)));
    expect(entries.filter((e) => e.interface === DELIVERY_INTERFACE)).toEqual([expect.objectContaining({ function: 'handle-message', state: 'completed' })]);

    // The host "crashes": a new runtime (new bus, new kv) over the same store.
    const after = await host({ store });
    const { restored } = await after.runtime.recover();
    expect(restored).toContain(echo);
    await after.runtime.run();
    // Replay re-ran `run` and re-delivered the journaled message: same memory, same fuel, nothing charged twice.
    expect(await after.runtime.inspect(echo)).toEqual(state);
    expect(after.runtime.status(echo)).toMatchObject({ status: 'suspended', suspendReason: 'policy' });

    const second = await after.runtime.spawn({ type: 'requester', goal: ask(echo, { n: 2 }), tenant: TENANT, budget });
    await after.runtime.run();
    expect(replyOf(after.runtime, second)).toMatchObject({ greeting: 'durable', count: 2, history: [{ n: 1 }, { n: 2 }] });
  });
});

describe('the default agent type', () => {
  it('spawns the generic agent when a request names no type, and says what to register when it is missing', async () => {
    const { runtime } = await host();
    await expect(runtime.spawn({ goal: 'hi', tenant: TENANT, budget })).rejects.toMatchObject({ code: 'not-found', message: expect.stringContaining("registerAgent('generic'") });
    await runtime.registerAgent('generic', bytes.generic);
    const id = await runtime.spawn({ goal: 'summarize nothing', tenant: TENANT, budget });
    await runtime.run();
    expect(runtime.status(id)).toMatchObject({ type: 'generic', status: 'completed', result: { ok: true, value: 'echo: summarize nothing' } });
  });

  it('uses the type named by defaultAgentType', async () => {
    const { runtime } = await host({ defaultAgentType: 'echo' });
    const id = await runtime.spawn({ goal: 'plain', tenant: TENANT, budget });
    await runtime.run();
    expect(runtime.status(id)).toMatchObject({ type: 'echo', status: 'completed', result: { ok: true, value: 'plain: ready' } });
  });
});
