import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../sandbox/src/index.ts';
import { buildAgent } from '../../../../test/e2e/agents.ts';
import { LocalInternet, POLICY, ScriptedModel, TENANT, worldCapabilities } from '../../../../test/e2e/world.ts';
import { buildFixture } from '../../../../test/fixtures/index.ts';
import { AuditLog, generateAuditSigner, type AuditSigner } from '../audit/index.ts';
import { CapabilityManager } from '../capabilities/index.ts';
import { VirtualClock } from '../clock/index.ts';
import { entryKey } from '../journal/index.ts';
import { PolicyEngine } from '../policy/index.ts';
import { decodeJson, encodeJson, listAll, MemoryStore, type Store } from '../store/index.ts';
import { MemoryKv, Runtime, type CallContext, type Completion, type CompletionRequest, type LlmImplementation } from './index.ts';

const engine = new Engine();
const bytes: Record<string, Uint8Array> = {};
const budget = { fuel: 5_000_000_000, tokens: 10_000 };
let auditSigner: AuditSigner;

beforeAll(async () => {
  auditSigner = (await generateAuditSigner()).signer;
  for (const name of ['researcher', 'payer'] as const) bytes[name] = await buildAgent(name);
  bytes.wordcount = (await buildFixture('wordcount')).bytes;
});

interface World {
  store: Store;
  kv: MemoryKv;
  internet: LocalInternet;
  signer?: AuditSigner;
  clock?: VirtualClock;
  llm?: LlmImplementation;
  approvalTimeoutMs?: number;
}

/** One "host": a runtime over a store; a second one over the same store is the host after a restart. */
async function host(world: World): Promise<{ runtime: Runtime; audit: AuditLog }> {
  const audit = new AuditLog({ signer: auditSigner });
  const capabilities = worldCapabilities();
  const runtime = new Runtime({
    engine, audit, capabilities, policy: new PolicyEngine({ policy: POLICY }), clock: world.clock,
    scheduler: { kind: 'fcfs', sliceFuel: 300_000 }, checkEvery: 50_000n, approvalTimeoutMs: world.approvalTimeoutMs,
    implementations: { llm: world.llm ?? new ScriptedModel(), http: world.internet, kv: world.kv, random: (n) => new Uint8Array(n).fill(7) },
    durable: { store: world.store, signer: world.signer },
  });
  await runtime.registerTool('wordcount', bytes.wordcount);
  await runtime.registerAgent('researcher', bytes.researcher);
  await runtime.registerAgent('payer', bytes.payer);
  return { runtime, audit };
}

/** A model that, at its `at`-th call, reports the call (key, guest state) and never answers: the host "crashes" there. */
class CrashingModel implements LlmImplementation {
  readonly inner = new ScriptedModel();
  calls = 0;
  readonly crashed: Promise<{ key: string | undefined; state: Awaited<ReturnType<Runtime['inspect']>> }>;
  #report!: (value: Awaited<CrashingModel['crashed']>) => void;
  runtime!: Runtime;
  readonly at: number;

  constructor(at: number) {
    this.at = at;
    this.crashed = new Promise((resolve) => (this.#report = resolve));
  }

  complete(request: CompletionRequest, context: CallContext): Completion | Promise<Completion> {
    if (++this.calls < this.at) return this.inner.complete(request, context);
    void this.runtime.inspect(context.agentId).then((state) => this.#report({ key: context.idempotencyKey, state }));
    return new Promise(() => {});
  }
}

/** A model that reports the guest's state at each call and then answers. */
class WatchingModel implements LlmImplementation {
  readonly inner = new ScriptedModel();
  readonly seen: { key: string | undefined; state: Awaited<ReturnType<Runtime['inspect']>> }[] = [];
  runtime!: Runtime;

  async complete(request: CompletionRequest, context: CallContext): Promise<Completion> {
    this.seen.push({ key: context.idempotencyKey, state: await this.runtime.inspect(context.agentId) });
    return this.inner.complete(request, context);
  }
}

async function crashAtSecondCompletion(world: Omit<World, 'llm'>) {
  const model = new CrashingModel(2);
  const first = await host({ ...world, llm: model });
  model.runtime = first.runtime;
  const id = await first.runtime.spawn({ type: 'researcher', goal: 'count these five words please', tenant: TENANT, budget });
  void first.runtime.run();
  const crashed = await model.crashed;
  return { id, crashed };
}

describe('durable agents', () => {
  it('replays a crashed agent into a fresh instance with the same memory and fuel, and retries the unfinished effect with the same idempotency key', async () => {
    const world = { store: new MemoryStore(), kv: new MemoryKv(), internet: new LocalInternet() };
    const { id, crashed } = await crashAtSecondCompletion(world);
    expect(crashed.key).toMatch(/^[0-9a-f]{32}$/);

    const model = new WatchingModel();
    const { runtime } = await host({ ...world, llm: model });
    model.runtime = runtime;
    expect((await runtime.recover()).restored).toEqual([id]);
    await runtime.run();

    // Only the unfinished call reached the model again: the first completion and the tool call came from the journal.
    expect(model.seen).toHaveLength(1);
    expect(model.seen[0].key).toBe(crashed.key);
    expect(model.seen[0].state.fuelUsed).toBe(crashed.state.fuelUsed);
    expect(model.seen[0].state.memorySha256).toBe(crashed.state.memorySha256);
    expect(crashed.state.memoryBytes).toBeGreaterThan(1 << 20);
    expect(crashed.state.fuelUsed).toBeGreaterThan(100_000n);
    expect(runtime.status(id)).toMatchObject({ status: 'completed', result: { ok: true, value: 'The goal has 5 words.' }, spent: { tokens: 200 } });
    expect(new TextDecoder().decode(world.kv.get(id, 'answers/1'))).toBe('The goal has 5 words.');
  });

  it('shows a recovered agent with the spend its record kept (fuel, tokens, calls, wall time), not zeros', async () => {
    const world = { store: new MemoryStore(), kv: new MemoryKv(), internet: new LocalInternet(), clock: new VirtualClock({ start: 1_000 }) };
    const first = await host(world);
    const finished = await first.runtime.spawn({ type: 'researcher', goal: 'count these words', tenant: TENANT, budget });
    const waiting = await first.runtime.spawn({ type: 'payer', goal: 'invoice 3', tenant: TENANT, budget });
    await first.runtime.run();
    await first.runtime.flush();
    const before = { finished: first.runtime.status(finished).spent, waiting: first.runtime.status(waiting).spent };
    expect(before.finished.fuel).toBeGreaterThan(100_000);
    expect(before.finished).toMatchObject({ tokens: 200, calls: expect.any(Number) });
    expect(before.waiting.fuel).toBeGreaterThan(100_000);

    const { runtime } = await host(world);
    await runtime.recover();
    expect(runtime.status(finished).spent).toEqual(before.finished);
    expect(runtime.status(waiting)).toMatchObject({ status: 'ready', spent: before.waiting });
    // Replay re-runs the waiting agent to its approval without charging that work again.
    await runtime.run();
    expect(runtime.status(waiting)).toMatchObject({ status: 'suspended', suspendReason: 'approval' });
    expect(runtime.status(waiting).spent.fuel).toBe(before.waiting.fuel);
    expect(runtime.status(waiting).spent.calls).toBe(before.waiting.calls);
  });

  it('fails the replay with replay-divergence when a journaled argument was changed', async () => {
    const world = { store: new MemoryStore(), kv: new MemoryKv(), internet: new LocalInternet() };
    const { id } = await crashAtSecondCompletion(world);
    const entries = (await listAll(world.store, `agents/${id}/journal/`)).map((k) => k.key);
    const toolCall = await Promise.all(entries.map(async (key) => ({ key, entry: decodeJson<{ function: string; args: unknown[] }>((await world.store.get(key))!.value) })));
    const tampered = toolCall.find((e) => e.entry.function === 'call')!;
    await world.store.put(tampered.key, encodeJson({ ...tampered.entry, args: ['wordcount', '{"text":"forged"}'] }));

    const { runtime } = await host(world);
    await runtime.recover();
    await runtime.run();
    const status = runtime.status(id);
    expect(status.status).toBe('failed');
    expect(status.result).toMatchObject({ ok: false, code: 'replay-divergence' });
  });

  it('holds no instance while an approval is pending, survives a restart, and resumes inside the call that asked', async () => {
    const world = { store: new MemoryStore(), kv: new MemoryKv(), internet: new LocalInternet() };
    const first = await host(world);
    const id = await first.runtime.spawn({ type: 'payer', goal: 'invoice 9', tenant: TENANT, budget });
    await first.runtime.run();
    const waiting = first.runtime.status(id);
    expect(waiting).toMatchObject({ status: 'suspended', suspendReason: 'approval', memoryBytes: 0 });
    const requestId = waiting.pendingApprovals[0].id;
    expect(requestId).toMatch(new RegExp(`^${id}\\.\\d+$`));

    const { runtime, audit } = await host(world);
    await runtime.recover();
    expect(runtime.status(id)).toMatchObject({ status: 'ready', pendingApprovals: [{ id: requestId }] });
    await runtime.run();
    expect(runtime.status(id)).toMatchObject({ status: 'suspended', suspendReason: 'approval', memoryBytes: 0 });
    runtime.approve(requestId, { approver: 'alice', role: 'finance', approved: true, comment: 'ok' });
    await runtime.run();

    const nonce = new TextDecoder().decode(world.kv.get(id, 'nonce'));
    expect(runtime.status(id)).toMatchObject({ status: 'completed', result: { ok: true, value: `paid 201 (nonce ${nonce})` } });
    expect(world.internet.requests).toEqual([{ agentId: id, method: 'post', url: 'https://payments.example/pay' }]);
    const stored = decodeJson<{ status: string; votes: { approver: string; at: number }[] }>((await world.store.get(`agents/${id}/approvals/${requestId}`))!.value);
    expect(stored).toMatchObject({ status: 'approved', votes: [{ approver: 'alice', comment: 'ok' }] });
    expect(typeof stored.votes[0].at).toBe('number');
    expect(Array.from({ length: audit.length }, (_, i) => audit.entry(i + 1))).toContainEqual(expect.objectContaining({ kind: 'approval.vote', data: expect.objectContaining({ requestId, approver: 'alice' }) }));
  });

  it('denies an approval nobody decides before the timeout, by the injected clock', async () => {
    const clock = new VirtualClock({ start: 1_000_000 });
    const world = { store: new MemoryStore(), kv: new MemoryKv(), internet: new LocalInternet(), clock, approvalTimeoutMs: 60_000 };
    const { runtime } = await host(world);
    const id = await runtime.spawn({ type: 'payer', goal: 'invoice 10', tenant: TENANT, budget });
    await runtime.run();
    clock.advance(59_000);
    await runtime.run();
    expect(runtime.status(id).status).toBe('suspended');
    clock.advance(2_000);
    await runtime.run();
    expect(runtime.status(id)).toMatchObject({ status: 'completed', result: { ok: true, value: expect.stringMatching(/^not paid: denied: .*timeout denied it/) } });
    expect(world.internet.requests).toEqual([]);
  });

  it('keeps an operator pause taken mid-slice and a termination across a restart', async () => {
    const world = { store: new MemoryStore(), kv: new MemoryKv(), internet: new LocalInternet() };
    let pauseNow: (() => void) | undefined;
    const model = new ScriptedModel();
    const llm: LlmImplementation = { complete: (request, context) => (pauseNow?.(), model.complete(request, context)) };
    const first = await host({ ...world, llm });
    const paused = await first.runtime.spawn({ type: 'researcher', goal: 'three little words', tenant: TENANT, budget });
    const doomed = await first.runtime.spawn({ type: 'researcher', goal: 'never mind', tenant: TENANT, budget });
    first.runtime.terminate(doomed, 'not needed');
    pauseNow = () => {
      pauseNow = undefined;
      first.runtime.pause(paused, 'look at it');
    };
    await first.runtime.run();
    expect(first.runtime.status(paused).status).toBe('paused');
    await first.runtime.flush();

    const { runtime } = await host(world);
    await runtime.recover();
    expect(runtime.status(paused).status).toBe('paused');
    expect(runtime.status(doomed).status).toBe('terminated');
    await runtime.run();
    expect(runtime.status(paused).status).toBe('paused');
    runtime.resume(paused);
    await runtime.run();
    expect(runtime.status(paused)).toMatchObject({ status: 'completed', result: { ok: true, value: 'The goal has 3 words.' } });
  });

  it('moves an agent waiting for approval to another host through a signed bundle, and refuses altered or untrusted bundles', async () => {
    const { signer } = await generateAuditSigner();
    const source = { store: new MemoryStore(), kv: new MemoryKv(), internet: new LocalInternet(), signer };
    const from = await host(source);
    const id = await from.runtime.spawn({ type: 'payer', goal: 'invoice 11', tenant: TENANT, budget });
    await from.runtime.run();
    const bundle = await from.runtime.exportAgent(id);

    const target = { store: new MemoryStore(), kv: source.kv, internet: new LocalInternet() };
    const to = await host(target);
    const stranger = (await generateAuditSigner()).signer;
    await expect(to.runtime.importAgent(bundle, { trustedKeys: [stranger.publicKey] })).rejects.toMatchObject({ code: 'signature-invalid' });
    const altered = new TextEncoder().encode(new TextDecoder().decode(bundle).replace('invoice 11', 'invoice 99'));
    await expect(to.runtime.importAgent(altered, { trustedKeys: [signer.publicKey] })).rejects.toMatchObject({ code: 'signature-invalid' });

    expect(await to.runtime.importAgent(bundle, { trustedKeys: [signer.publicKey] })).toBe(id);
    await to.runtime.run();
    const [request] = to.runtime.status(id).pendingApprovals;
    to.runtime.approve(request.id, { approver: 'bob', role: 'finance', approved: true });
    await to.runtime.run();
    const nonce = new TextDecoder().decode(source.kv.get(id, 'nonce'));
    expect(to.runtime.status(id)).toMatchObject({ status: 'completed', result: { ok: true, value: `paid 201 (nonce ${nonce})` } });
    expect(target.internet.requests).toHaveLength(1);
    expect(await target.store.get(entryKey(id, 0))).toBeDefined();
  });
});
