import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../sandbox/src/index.ts';
import { buildAgent } from '../../../../test/e2e/agents.ts';
import { POLICY, ScriptedModel, TENANT, worldCapabilities } from '../../../../test/e2e/world.ts';
import { AuditLog, generateAuditSigner, type AuditSigner } from '../audit/index.ts';
import { Bus } from '../bus/index.ts';
import { CapabilityManager } from '../capabilities/index.ts';
import { readSnapshot } from '../durable/index.ts';
import { PolicyEngine } from '../policy/index.ts';
import { listAll, MemoryStore, type Store } from '../store/index.ts';
import { MemoryKv, Runtime } from './index.ts';

const engine = new Engine();
const budget = { fuel: 5_000_000_000, tokens: 10_000 };
let echoBytes: Uint8Array;
let signer: AuditSigner;

beforeAll(async () => {
  signer = (await generateAuditSigner()).signer;
  echoBytes = await buildAgent('echo');
});

/** One host over `store`: a second one over the same store is the host after a crash. */
async function host(store: Store, compactEvery: number, options: { discard?: boolean } = {}) {
  const audit = new AuditLog({ signer });
  const capabilities = worldCapabilities();
  const bus = new Bus();
  const runtime = new Runtime({
    engine, audit, capabilities, policy: new PolicyEngine({ policy: POLICY }), bus,
    scheduler: { kind: 'fcfs', sliceFuel: 300_000 }, checkEvery: 50_000n,
    implementations: { llm: new ScriptedModel(), kv: new MemoryKv() },
    durable: { store, compactEvery, ...options },
  });
  await runtime.registerAgent('echo', echoBytes);
  const events = (kind: string) => Array.from({ length: audit.length }, (_, i) => audit.entry(i + 1) as unknown as { kind: string; data: Record<string, unknown> })
    .filter((e) => e.kind === kind).map((e) => e.data);
  return { runtime, bus, events };
}

/** Sends `payload` to `to` as a request from a host service and runs the runtime until it is answered. */
async function ask(world: Awaited<ReturnType<typeof host>>, to: string, payload: unknown): Promise<{ count: number; history: unknown[] }> {
  const service = world.bus.attach(`desk-${Math.random()}`);
  const reply = service.request(to, payload, { timeoutMs: 3000 });
  world.bus.flush();
  await world.runtime.run();
  return (await reply) as { count: number; history: unknown[] };
}

/** What a run spends deterministically (wall time is the host's). */
function usage({ fuel, tokens, calls }: { fuel: number; tokens: number; calls: number }) {
  return { fuel, tokens, calls };
}

describe('compaction of durable resident agents', () => {
  it('snapshots between deliveries, deletes the entries before the snapshot, and recovers from it in the state of an uninterrupted run', async () => {
    const store = new MemoryStore();
    const before = await host(store, 4);
    const echo = await before.runtime.spawn({ type: 'echo', goal: 'hi', tenant: TENANT, budget, resident: true });
    await before.runtime.run();
    // Each message journals two entries (the delivery and the agent's log call): the snapshot comes after the second.
    for (let n = 1; n <= 3; n++) expect(await ask(before, echo, { n })).toMatchObject({ count: n });
    expect(before.events('agent.snapshot')).toEqual([{ agentId: echo, seq: 4, bytes: expect.any(Number) }]);
    const state = await before.runtime.inspect(echo);
    const spent = before.runtime.status(echo).spent;
    await before.runtime.flush();
    // Positions 0-3 are gone; the journal says it starts at 4 and keeps 4 and 5.
    expect((await listAll(store, `agents/${echo}/journal/`)).map((k) => Number(k.key.slice(-12)))).toEqual([4, 5]);
    expect(JSON.parse(new TextDecoder().decode((await store.get(`agents/${echo}/journal-start`))!.value))).toEqual({ first: 4 });
    const journalLength = 6;
    expect(readSnapshot((await store.get(`agents/${echo}/snapshot`))!.value)).toMatchObject({ seq: 4, meta: { result: { ok: true, value: 'hi: ready' } } });

    // The host crashes: a new runtime over the same store restores the snapshot and replays the third delivery only.
    const after = await host(store, 4);
    expect((await after.runtime.recover()).restored).toEqual([echo]);
    await after.runtime.run();
    expect(after.events('agent.resume')).toEqual([{ agentId: echo, from: 4, journalLength }]);
    expect(await after.runtime.inspect(echo)).toEqual(state);
    expect(after.runtime.status(echo)).toMatchObject({ status: 'suspended', suspendReason: 'policy', result: { ok: true, value: 'hi: ready' } });
    expect(usage(after.runtime.status(echo).spent)).toEqual(usage(spent));
    expect(after.events('bus.delivery')).toEqual([]);

    // The next reply shows the instance's memory carried every message, including those before the snapshot.
    expect(await ask(after, echo, { n: 4 })).toMatchObject({ count: 4, history: [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }] });
    expect(after.runtime.status(echo).spent.fuel).toBeGreaterThan(spent.fuel);
  });

  it('keeps every entry with durable.discard false', async () => {
    const store = new MemoryStore();
    const world = await host(store, 4, { discard: false });
    const echo = await world.runtime.spawn({ type: 'echo', goal: 'hi', tenant: TENANT, budget, resident: true });
    await world.runtime.run();
    for (let n = 1; n <= 3; n++) await ask(world, echo, { n });
    expect(world.events('agent.snapshot').map((e) => e.seq)).toEqual([4]);
    await world.runtime.flush();
    expect(await listAll(store, `agents/${echo}/journal/`)).toHaveLength(6);
    expect(await store.get(`agents/${echo}/journal-start`)).toBeUndefined();
  });

  it('recovers from a snapshot taken at the journal’s end with nothing left to replay', async () => {
    const store = new MemoryStore();
    const before = await host(store, 1);
    const echo = await before.runtime.spawn({ type: 'echo', goal: 'yo', tenant: TENANT, budget, resident: true });
    await before.runtime.run();
    await ask(before, echo, 'a');
    await ask(before, echo, 'b');
    expect(before.events('agent.snapshot').map((e) => e.seq)).toEqual([2, 4]);
    const state = await before.runtime.inspect(echo);
    await before.runtime.flush();
    // Nothing is retained: the journal is its start marker alone.
    expect(await listAll(store, `agents/${echo}/journal/`)).toEqual([]);

    const after = await host(store, 1);
    await after.runtime.recover();
    await after.runtime.run();
    expect(after.events('agent.resume')).toEqual([{ agentId: echo, from: 4, journalLength: 4 }]);
    expect(await after.runtime.inspect(echo)).toEqual(state);
    expect(await ask(after, echo, 'c')).toMatchObject({ count: 3, history: ['a', 'b', 'c'] });
  });

  it('takes no snapshot while the journal has grown by fewer than compactEvery entries, and then replays from the start', async () => {
    const store = new MemoryStore();
    const before = await host(store, Infinity);
    const echo = await before.runtime.spawn({ type: 'echo', goal: 'x', tenant: TENANT, budget, resident: true });
    await before.runtime.run();
    await ask(before, echo, 1);
    const state = await before.runtime.inspect(echo);
    await before.runtime.flush();
    expect(await store.get(`agents/${echo}/snapshot`)).toBeUndefined();

    const after = await host(store, Infinity);
    await after.runtime.recover();
    await after.runtime.run();
    expect(after.events('agent.resume')).toEqual([]);
    expect(await after.runtime.inspect(echo)).toEqual(state);
  });

  it('refuses a compactEvery below one entry', () => {
    expect(() => new Runtime({
      engine, audit: () => {}, capabilities: new CapabilityManager(), policy: new PolicyEngine({ policy: POLICY }), durable: { store: new MemoryStore(), compactEvery: 0 },
    })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });
});
