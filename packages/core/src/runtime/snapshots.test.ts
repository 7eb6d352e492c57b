import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { contentKey } from '../../../sandbox/src/build/index.ts';
import { Engine } from '../../../sandbox/src/index.ts';
import { buildComponent } from '../../../sandbox/src/node/index.ts';
import { buildAgent } from '../../../../test/e2e/agents.ts';
import { LocalInternet, POLICY, ScriptedModel, TENANT, worldCapabilities } from '../../../../test/e2e/world.ts';
import { AuditLog, generateAuditSigner, type AuditSigner } from '../audit/index.ts';
import { Bus } from '../bus/index.ts';
import { VirtualClock } from '../clock/index.ts';
import { captureSnapshot, readSnapshot } from '../durable/index.ts';
import { decodeValue, Journal, type JournalEntry } from '../journal/index.ts';
import { PolicyEngine } from '../policy/index.ts';
import { decodeJson, listAll, MemoryStore, type Store } from '../store/index.ts';
import { DELIVERY_INTERFACE, MemoryKv, Runtime } from './index.ts';

const engine = new Engine();
const budget = { fuel: 5_000_000_000, tokens: 10_000 };
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
let echoBytes: Uint8Array;
let gatedBytes: Uint8Array;
let requesterBytes: Uint8Array;
let signer: AuditSigner;

/** testdata/gated-echo built for the agent world, cached in .cache/agents/ by a key over its source, the WIT and the toolchain. */
async function buildGatedEcho(): Promise<Uint8Array> {
  const entry = fileURLToPath(new URL('./testdata/gated-echo/index.ts', import.meta.url));
  const wit = join(ROOT, 'wit');
  const witFiles = (await readdir(wit, { recursive: true })).filter((f) => f.endsWith('.wit')).sort();
  const version = (createRequire(import.meta.url)('componentize-qjs/package.json') as { version: string }).version;
  const key = await contentKey([
    { label: 'source', content: new Uint8Array(await readFile(entry)) },
    { label: 'componentize-qjs', content: version },
    ...(await Promise.all(witFiles.map(async (f) => ({ label: `wit:${f}`, content: new Uint8Array(await readFile(join(wit, f))) })))),
  ]);
  const path = join(ROOT, '.cache/agents', `gated-echo-${key.slice(0, 16)}.wasm`);
  try {
    return new Uint8Array(await readFile(path));
  } catch {
    // not built yet
  }
  const built = await buildComponent({ entry, witPath: wit, world: 'agent' });
  await mkdir(join(ROOT, '.cache/agents'), { recursive: true });
  await writeFile(`${path}.${process.pid}.tmp`, built.bytes);
  await rename(`${path}.${process.pid}.tmp`, path);
  return built.bytes;
}

beforeAll(async () => {
  signer = (await generateAuditSigner()).signer;
  [echoBytes, gatedBytes, requesterBytes] = await Promise.all([buildAgent('echo'), buildGatedEcho(), buildAgent('requester')]);
}, 120_000);

/**
 * One host over `store`. Every host's bus has the same id and its clock the same time, so a message
 * sent as the n-th envelope of any of them reaches the guest as the same bytes (id, sentAt).
 */
async function host(store: Store, compactEvery: number, options: { discard?: boolean } = {}) {
  const audit = new AuditLog({ signer });
  const clock = new VirtualClock({ start: 1_000_000 });
  const bus = new Bus({ id: 'hub', clock });
  const internet = new LocalInternet();
  const runtime = new Runtime({
    engine, audit, capabilities: worldCapabilities(), policy: new PolicyEngine({ policy: POLICY }), bus, clock,
    scheduler: { kind: 'fcfs', sliceFuel: 300_000 }, checkEvery: 50_000n,
    implementations: { llm: new ScriptedModel(), kv: new MemoryKv(), http: internet },
    durable: { store, compactEvery, signer, ...options },
  });
  await runtime.registerAgent('echo', echoBytes);
  // The test policy sends payer's http.fetch for approval: gated-echo runs under that type.
  await runtime.registerAgent('payer', gatedBytes);
  await runtime.registerAgent('requester', requesterBytes);
  const events = (kind: string) => Array.from({ length: audit.length }, (_, i) => audit.entry(i + 1) as unknown as { kind: string; data: Record<string, unknown> })
    .filter((e) => e.kind === kind).map((e) => e.data);
  const desk = bus.attach('desk');
  bus.attach('sink');
  return { runtime, bus, desk, events, internet, store };
}
type Host = Awaited<ReturnType<typeof host>>;

/** Sends `payload` to `to` as a request from the desk; runs the runtime until it is answered. */
async function ask(world: Host, to: string, payload: unknown): Promise<{ count: number; history: unknown[]; status?: string }> {
  const reply = world.desk.request(to, payload, { timeoutMs: 3000 });
  world.bus.flush();
  await world.runtime.run();
  return (await reply) as { count: number; history: unknown[] };
}

/** Sends throwaway envelopes until `world`'s bus has sent as many as `like`'s: their next messages then carry the same id. */
function alignBus(world: Host, like: Host): void {
  while (world.bus.stats.sent < like.bus.stats.sent) world.desk.send('sink', null);
  world.bus.flush();
}

/**
 * A resident echo agent that answered three messages, with a snapshot after the second (journal: 6 positions,
 * snapshot at 4; the entries before it are deleted unless `discard` is false).
 */
async function snapshottedEcho(store: Store, options: { discard?: boolean } = {}) {
  const world = await host(store, 4, options);
  const id = await world.runtime.spawn({ type: 'echo', goal: 'hi', tenant: TENANT, budget, resident: true });
  await world.runtime.run();
  for (let n = 1; n <= 3; n++) await ask(world, id, { n });
  expect(world.events('agent.snapshot')).toEqual([{ agentId: id, seq: 4, bytes: expect.any(Number) }]);
  await world.runtime.flush();
  return { world, id, state: await world.runtime.inspect(id) };
}

/** The same snapshot with its note replaced (memories and globals copied as they are). */
function withMeta(bytes: Uint8Array, meta: unknown): Uint8Array {
  const state = readSnapshot(bytes);
  const memories = state.memories.map((m) => {
    const memory = new WebAssembly.Memory({ initial: m.length / 65536 });
    new Uint8Array(memory.buffer).set(m);
    return memory;
  });
  const globals = state.globals.map(({ type, value }) => ({
    type, global: typeof value === 'bigint' ? new WebAssembly.Global({ value: 'i64', mutable: true }, value) : new WebAssembly.Global({ value: 'f64', mutable: true }, value),
  }));
  return captureSnapshot({ seq: state.seq, fuelUsed: state.fuelUsed, memories, globals, meta });
}

describe('snapshots in migration bundles', () => {
  it('carries the latest snapshot: the importer restores it, replays only later entries, and goes on exactly like the source', async () => {
    const { world: source, id, state } = await snapshottedEcho(new MemoryStore());
    const bundle = await source.runtime.exportAgent(id);
    const { body } = JSON.parse(new TextDecoder().decode(bundle));
    expect(body.manifest.snapshot).toMatchObject({ seq: 4, size: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    // The agent was compacted: the bundle holds the entries from the snapshot on, and says where they start.
    expect(body.journalStart).toBe(4);
    expect(body.journal.map((e: JournalEntry) => e.seq)).toEqual([4, 5]);

    const target = await host(new MemoryStore(), 4);
    expect(await target.runtime.importAgent(bundle, { trustedKeys: [signer.publicKey] })).toBe(id);
    const imported = await Journal.open(target.store, id);
    expect([imported.first, imported.length]).toEqual([4, 6]);
    await target.runtime.run();
    expect(target.events('agent.resume')).toEqual([{ agentId: id, from: 4, journalLength: 6 }]);
    expect(target.events('bus.delivery')).toEqual([]);
    expect(await target.runtime.inspect(id)).toEqual(state);

    // The source goes on uninterrupted; the imported copy gets the same message and must end in the same state.
    alignBus(target, source);
    const here = await ask(source, id, { n: 4 });
    const there = await ask(target, id, { n: 4 });
    expect(there).toEqual(here);
    expect(there).toMatchObject({ count: 4, history: [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }] });
    expect(await target.runtime.inspect(id)).toEqual(await source.runtime.inspect(id));
  });

  it('imports a bundle whose agent has no snapshot by full replay', async () => {
    const source = await host(new MemoryStore(), Infinity);
    const id = await source.runtime.spawn({ type: 'echo', goal: 'hi', tenant: TENANT, budget, resident: true });
    await source.runtime.run();
    await ask(source, id, 'a');
    const bundle = await source.runtime.exportAgent(id);
    expect(JSON.parse(new TextDecoder().decode(bundle)).body.manifest.snapshot).toBeUndefined();

    const target = await host(new MemoryStore(), Infinity);
    await target.runtime.importAgent(bundle, { trustedKeys: [signer.publicKey] });
    await target.runtime.run();
    expect(target.events('agent.resume')).toEqual([]);
    expect(await target.runtime.inspect(id)).toEqual(await source.runtime.inspect(id));
  });
});

describe('compacted agents after a restart', () => {
  it('recover from the snapshot alone and go on exactly like an uninterrupted run (output, memory hash, fuel, spend)', async () => {
    const uninterrupted = await snapshottedEcho(new MemoryStore());
    const { id, world: crashed } = uninterrupted;
    // The crashed host's disk: what the store held when it died (the uninterrupted host goes on with its own).
    const store = new MemoryStore();
    for (const { key } of await listAll(crashed.store)) await store.put(key, (await crashed.store.get(key))!.value);
    expect((await Journal.open(store, id)).first).toBe(4);

    const after = await host(store, 4);
    expect((await after.runtime.recover()).restored).toEqual([id]);
    await after.runtime.run();
    expect(after.events('agent.resume')).toEqual([{ agentId: id, from: 4, journalLength: 6 }]);
    expect(await after.runtime.inspect(id)).toEqual(uninterrupted.state);

    alignBus(after, crashed);
    const here = await ask(uninterrupted.world, id, { n: 4 });
    expect(await ask(after, id, { n: 4 })).toEqual(here);
    expect(await after.runtime.inspect(id)).toEqual(await uninterrupted.world.runtime.inspect(id));
    const spend = (world: Host) => {
      const { fuel, tokens, calls } = world.runtime.status(id).spent;
      return { fuel, tokens, calls };
    };
    expect(spend(after)).toEqual(spend(uninterrupted.world));
  });

  it('fail with replay-divergence (snapshot-unusable) when the snapshot of a compacted journal is missing', async () => {
    const store = new MemoryStore();
    const { id } = await snapshottedEcho(store);
    await store.delete(`agents/${id}/snapshot`);
    const after = await host(store, 4);
    const { restored, failed } = await after.runtime.recover();
    expect(restored).toEqual([]);
    expect(failed).toEqual([{ id, error: expect.objectContaining({ code: 'replay-divergence', details: expect.objectContaining({ reason: 'snapshot-unusable', journalFirst: 4, code: 'not-found' }) }) }]);
  });
});

describe('agents parked on an approval', () => {
  it('are rebuilt from their latest snapshot plus the entries after it, not from the start of the journal', async () => {
    const world = await host(new MemoryStore(), 2);
    const id = await world.runtime.spawn({ type: 'payer', goal: 'till', tenant: TENANT, budget, resident: true });
    await world.runtime.run();
    for (let n = 1; n <= 3; n++) expect(await ask(world, id, { n })).toMatchObject({ count: n, status: 'none' });
    // One entry per message (the delivery): a snapshot after the second; the third is journal only.
    expect(world.events('agent.snapshot').map((e) => e.seq)).toEqual([2]);

    // The request in flight when the instance is dropped is answered by the delivery replayed after the approval.
    const paid = world.desk.request(id, { pay: true }, { timeoutMs: 60_000 });
    world.bus.flush();
    await world.runtime.run();
    const waiting = world.runtime.status(id);
    expect(waiting).toMatchObject({ status: 'suspended', suspendReason: 'approval', memoryBytes: 0 });
    // Waiting, the agent keeps only what its rebuild needs: the snapshot at 2 and the entries from there.
    await world.runtime.flush();
    const kept = await Journal.open(world.store, id);
    expect([kept.first, kept.length]).toEqual([2, 5]);

    world.runtime.approve(waiting.pendingApprovals[0].id, { approver: 'alice', role: 'finance', approved: true });
    await world.runtime.run();
    // Rebuilt from the snapshot at 2: only the third delivery, the paying one and its call were replayed.
    expect(world.events('agent.resume')).toEqual([{ agentId: id, from: 2, journalLength: 5 }]);
    expect(world.internet.requests).toHaveLength(1);
    expect(await paid).toMatchObject({ count: 4, status: '201' });
    // The instance holds every message, those before the snapshot included, and the payment went through.
    expect(await ask(world, id, { n: 5 })).toEqual({ greeting: 'till', count: 5, status: 'none', history: [{ n: 1 }, { n: 2 }, { n: 3 }, { pay: true }, { n: 5 }] });
    expect(world.internet.requests).toHaveLength(1);
  });
});

describe('a request in flight when its agent is evicted', () => {
  /**
   * A requester agent asks the resident gated-echo to pay: the payment needs a human, so gated-echo's
   * slice ends inside `handle-message` and its instance is dropped, while the requester's slice waits
   * in `bus.request` (the virtual clock never times it out: a lost reply would hang, so tests wait boundedly).
   */
  async function evictedMidRequest(world: Host, pay: true | number = true) {
    const payer = await world.runtime.spawn({ type: 'payer', goal: 'till', tenant: TENANT, budget, resident: true });
    await world.runtime.run();
    const asker = await world.runtime.spawn({ type: 'requester', goal: JSON.stringify({ to: payer, payload: { pay }, timeoutMs: 60_000 }), tenant: TENANT, budget });
    const running = world.runtime.run();
    const approval = await evicted(world, payer);
    expect(world.runtime.status(asker).status).toBe('running');
    return { payer, asker, running, approval };
  }

  /** Waits until `id` waits for a human without an instance; @returns the request it waits on. */
  async function evicted(world: Host, id: string, after?: string) {
    await vi.waitFor(() => {
      expect(world.runtime.status(id)).toMatchObject({ status: 'suspended', suspendReason: 'approval', memoryBytes: 0 });
      expect(world.runtime.status(id).pendingApprovals.map((a) => a.id)).not.toContain(after);
    }, { timeout: 10_000 });
    return world.runtime.status(id).pendingApprovals[0];
  }

  /** The requester's result once it has one (bounded: a request nobody answers never completes it). */
  async function outcomeOf(world: Host, asker: string, running: Promise<unknown>): Promise<string> {
    await vi.waitFor(() => expect(world.runtime.status(asker).status).toBe('completed'), { timeout: 10_000 });
    await running;
    return (world.runtime.status(asker).result as { value: string }).value;
  }

  async function deliveries(world: Host, id: string): Promise<JournalEntry[]> {
    await world.runtime.flush();
    return (await Journal.open(world.store, id)).entries.filter((e) => e.interface === DELIVERY_INTERFACE);
  }

  it('answers the request exactly once, with the reply of the delivery replayed after the approval', async () => {
    const world = await host(new MemoryStore(), Infinity);
    const { payer, asker, running, approval } = await evictedMidRequest(world);
    expect(await deliveries(world, payer)).toEqual([expect.objectContaining({ state: 'started' })]);

    world.runtime.approve(approval.id, { approver: 'alice', role: 'finance', approved: true });
    const value = await outcomeOf(world, asker, running);
    const reply = { greeting: 'till', count: 1, status: '201', history: [{ pay: true }] };
    expect(value.startsWith('reply: ')).toBe(true);
    expect(JSON.parse(value.slice('reply: '.length))).toEqual(reply);
    expect(world.internet.requests).toHaveLength(1);
    // One delivery in the audit log and in the journal: the one that was cut short, completed by the replay.
    expect(world.events('bus.delivery')).toEqual([{ agentId: payer, messageId: expect.any(String), from: asker, topic: null, request: true, ok: true }]);
    const [delivery] = await deliveries(world, payer);
    expect(delivery).toMatchObject({ state: 'completed' });
    expect(JSON.parse(decodeValue(delivery.result!) as string)).toEqual(reply);
    expect(await deliveries(world, payer)).toHaveLength(1);

    // The rebuilt instance handled the message once: the next one finds exactly one before it.
    expect(world.runtime.status(payer)).toMatchObject({ status: 'suspended', suspendReason: 'policy' });
    expect(await ask(world, payer, { n: 2 })).toMatchObject({ count: 2, history: [{ pay: true }, { n: 2 }] });
    expect(world.events('bus.delivery')).toHaveLength(2);
  });

  it('carries the request over every eviction of the same delivery and answers it once at the end', async () => {
    const world = await host(new MemoryStore(), Infinity);
    const { payer, asker, running, approval } = await evictedMidRequest(world, 2);
    world.runtime.approve(approval.id, { approver: 'alice', role: 'finance', approved: true });
    // Rebuilt, the replayed delivery makes the first payment and asks again for the second: evicted once more.
    const second = await evicted(world, payer, approval.id);
    expect(world.internet.requests).toHaveLength(1);
    expect(world.runtime.status(asker).status).toBe('running');
    world.runtime.approve(second.id, { approver: 'alice', role: 'finance', approved: true });
    const value = await outcomeOf(world, asker, running);
    expect(JSON.parse(value.slice('reply: '.length))).toEqual({ greeting: 'till', count: 1, status: '201,201', history: [{ pay: 2 }] });
    expect(world.internet.requests).toHaveLength(2);
    expect(world.events('bus.delivery')).toEqual([expect.objectContaining({ agentId: payer, from: asker, ok: true })]);
    expect(await deliveries(world, payer)).toEqual([expect.objectContaining({ state: 'completed' })]);
  });

  it('answers a request delivered before run, when the agent was evicted inside it', async () => {
    const world = await host(new MemoryStore(), Infinity);
    const payer = await world.runtime.spawn({ type: 'payer', goal: 'till', tenant: TENANT, budget, resident: true });
    let reply: unknown;
    void world.desk.request(payer, { pay: true }, { timeoutMs: 60_000 }).then((value) => (reply = value));
    world.bus.flush();
    await world.runtime.run();
    const approval = await evicted(world, payer);
    world.runtime.approve(approval.id, { approver: 'alice', role: 'finance', approved: true });
    await world.runtime.run();
    // Delivered at the idle point before `run`: the greeting is still the default one.
    await vi.waitFor(() => expect(reply).toEqual({ greeting: 'gated', count: 1, status: '201', history: [{ pay: true }] }), { timeout: 10_000 });
    expect(world.runtime.status(payer)).toMatchObject({ status: 'suspended', suspendReason: 'policy', result: { ok: true, value: 'till: ready' } });
    expect(world.events('bus.delivery')).toHaveLength(1);
    expect(world.internet.requests).toHaveLength(1);
  });

  it('answers the request when the approval is denied: the replayed delivery replies with the refusal the guest saw', async () => {
    const world = await host(new MemoryStore(), Infinity);
    const { payer, asker, running, approval } = await evictedMidRequest(world);
    world.runtime.approve(approval.id, { approver: 'bob', role: 'finance', approved: false });
    const value = await outcomeOf(world, asker, running);
    expect(JSON.parse(value.slice('reply: '.length))).toMatchObject({ count: 1, status: expect.stringMatching(/^refused/) });
    expect(world.internet.requests).toHaveLength(0);
    expect(world.events('bus.delivery')).toEqual([expect.objectContaining({ agentId: payer, from: asker, ok: true })]);
  });

  it('fails the request with not-found when the agent is terminated before it was rebuilt', async () => {
    const world = await host(new MemoryStore(), Infinity);
    const { payer, asker, running } = await evictedMidRequest(world);
    world.runtime.terminate(payer);
    expect(await outcomeOf(world, asker, running)).toMatch(/^no reply: not-found/);
    expect(world.internet.requests).toHaveLength(0);
    expect(world.events('bus.delivery')).toEqual([]);
  });
});

describe('a snapshot the agent cannot use', () => {
  const cases: [string, (snapshot: Uint8Array, componentHash: string) => Uint8Array, { when: string; code: string }][] = [
    ['unreadable bytes', (s) => s.subarray(0, 40), { when: 'opening', code: 'invalid-argument' }],
    ['taken from another component', (s) => withMeta(s, { result: { ok: true, value: 'hi: ready' }, componentHash: 'f'.repeat(64) }), { when: 'opening', code: 'illegal-state' }],
    ['of another memory layout', (s, hash) => captureSnapshot({
      seq: readSnapshot(s).seq, fuelUsed: readSnapshot(s).fuelUsed, memories: [new WebAssembly.Memory({ initial: 1 })], meta: { result: { ok: true, value: 'hi: ready' }, componentHash: hash },
    }), { when: 'restoring', code: 'illegal-state' }],
  ];

  it.each(cases)('(%s) falls back to a full replay of the journal, says so in the audit log and drops it', async (_, damage, expected) => {
    const store = new MemoryStore();
    // Full replay is possible only while the journal keeps every entry.
    const { id, state } = await snapshottedEcho(store, { discard: false });
    const record = decodeJson<{ componentHash: string }>((await store.get(`agents/${id}/record`))!.value, 'record');
    await store.put(`agents/${id}/snapshot`, damage((await store.get(`agents/${id}/snapshot`))!.value, record.componentHash));

    const after = await host(store, 4);
    expect((await after.runtime.recover()).restored).toEqual([id]);
    await after.runtime.run();
    expect(after.events('agent.snapshot-fallback')).toEqual([{ agentId: id, from: expected.when === 'opening' && expected.code === 'invalid-argument' ? null : 4, journalLength: 6, reason: expect.any(String), ...expected }]);
    expect(await after.runtime.inspect(id)).toEqual(state);
    expect(after.runtime.status(id)).toMatchObject({ status: 'suspended', result: { ok: true, value: 'hi: ready' } });
    expect(await store.get(`agents/${id}/snapshot`)).toBeUndefined();
    expect(await ask(after, id, { n: 4 })).toMatchObject({ count: 4 });
  });

  it('fails the agent with replay-divergence when the journal before it was compacted away', async () => {
    const store = new MemoryStore();
    const { id } = await snapshottedEcho(store);
    expect((await Journal.open(store, id)).first).toBe(4);
    await store.put(`agents/${id}/snapshot`, new Uint8Array([1, 2, 3]));

    const after = await host(store, 4);
    const { restored, failed } = await after.runtime.recover();
    expect(restored).toEqual([]);
    expect(failed).toEqual([{ id, error: expect.objectContaining({ code: 'replay-divergence', details: expect.objectContaining({ reason: 'snapshot-unusable', journalFirst: 4 }) }) }]);
    expect(() => after.runtime.status(id)).toThrow(expect.objectContaining({ code: 'not-found' }));
    expect(after.events('agent.snapshot-fallback')).toEqual([]);
  });
});
