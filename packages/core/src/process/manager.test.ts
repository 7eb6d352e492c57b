import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/index.ts';
import { FcfsPolicy, MlfqPolicy } from '../scheduler/index.ts';
import type { AdmissionOptions, SchedulingPolicy } from '../scheduler/index.ts';
import { ProcessManager, type AgentProcess, type SubmitRequest, type TransitionRecord } from './index.ts';

function setup(options: { admission?: AdmissionOptions; policy?: SchedulingPolicy<AgentProcess<string>> } = {}) {
  const clock = new VirtualClock({ start: 1_000 });
  const records: TransitionRecord[] = [];
  let next = 0;
  const manager = new ProcessManager<string>({
    policy: options.policy ?? new FcfsPolicy<AgentProcess<string>>({ sliceFuel: 100 }),
    admission: options.admission,
    clock,
    onTransition: (record) => records.push(record),
    newId: () => `p${next++}`,
  });
  return { manager, clock, records };
}

const request = (fields: Partial<SubmitRequest> = {}): SubmitRequest => ({
  goal: 'triage issues', type: 'researcher', tenant: 'acme', budget: { fuel: 1_000, tokens: 50 }, ...fields,
});

/** Submits and brings a process to ready (queued). */
function started(manager: ProcessManager<string>, fields: Partial<SubmitRequest> = {}): string {
  const submitted = manager.submit(request(fields));
  if (!submitted.ok) throw new Error(submitted.reason);
  manager.initialize(submitted.id);
  manager.markReady(submitted.id, { sandbox: `sandbox-${submitted.id}` });
  return submitted.id;
}

describe('ProcessManager', () => {
  it('creates a record with the request’s fields, unlimited missing budgets and clock time stamps', () => {
    const { manager, records } = setup();
    const result = manager.submit(request({ priority: 3, capabilities: ['http:fetch'], workspaceId: 'ws1' }));
    expect(result).toEqual({ ok: true, id: 'p0' });
    const process = manager.get('p0');
    expect(process).toMatchObject({
      id: 'p0', type: 'researcher', tenant: 'acme', goal: 'triage issues', status: 'created', priority: 3,
      capabilities: ['http:fetch'], workspaceId: 'ws1', failureCount: 0, createdAt: 1_000, updatedAt: 1_000,
    });
    expect(process.budget).toEqual({ fuel: 1_000, tokens: 50, wallMs: Infinity, calls: Infinity });
    expect(process.spent).toEqual({ fuel: 0, tokens: 0, wallMs: 0, calls: 0 });
    expect(records).toEqual([{ action: 'submit', agentId: 'p0', from: null, to: 'created', reason: 'researcher for acme', at: 1_000 }]);
  });

  it('refuses with a reason when admission control says no, and admits again once a process ends', () => {
    const { manager } = setup({ admission: { maxConcurrent: 1 } });
    const first = started(manager);
    const refused = manager.submit(request());
    expect(refused).toMatchObject({ ok: false, code: 'max-concurrent' });
    expect(!refused.ok && refused.reason).toMatch(/limit is 1/);
    manager.terminate(first, 'operator');
    expect(manager.submit(request()).ok).toBe(true);
  });

  it('throws invalid-argument for an empty goal or a negative budget', () => {
    const { manager } = setup();
    expect(() => manager.submit(request({ goal: '' }))).toThrowError(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => manager.submit(request({ budget: { tokens: -1 } }))).toThrowError(expect.objectContaining({ code: 'invalid-argument' }));
    expect(manager.size).toBe(0);
  });

  it('walks a process through its whole life and reports every move in order', () => {
    const { manager, records, clock } = setup();
    const id = started(manager);
    expect(manager.get(id).sandbox).toBe(`sandbox-${id}`);
    const first = manager.dispatch();
    expect(first?.process.id).toBe(id);
    expect(first?.sliceFuel).toBe(100);
    clock.advance(5);
    expect(manager.endSlice(id, { fuelUsed: 100, tokensUsed: 10, calls: 1, outcome: 'continue' }).status).toBe('suspended');
    expect(manager.get(id).suspendReason).toBe('slice');
    manager.dispatch();
    clock.advance(2);
    expect(manager.endSlice(id, { fuelUsed: 40, outcome: 'completed' }).status).toBe('completed');
    expect(manager.terminate(id, 'done').status).toBe('terminated');
    expect(manager.get(id).spent).toEqual({ fuel: 140, tokens: 10, wallMs: 7, calls: 1 });
    expect(records.map((r) => `${r.action}:${r.from}→${r.to}`)).toEqual([
      'submit:null→created', 'initialize:created→initializing', 'ready:initializing→ready', 'dispatch:ready→running',
      'preempt:running→suspended', 'dispatch:suspended→running', 'complete:running→completed', 'terminate:completed→terminated',
    ]);
    manager.reap(id);
    expect(() => manager.get(id)).toThrowError(expect.objectContaining({ code: 'not-found' }));
  });

  it('throws illegal-state naming from and to for a transition the lifecycle forbids, and changes nothing', () => {
    const { manager, records } = setup();
    const submitted = manager.submit(request());
    if (!submitted.ok) throw new Error('refused');
    const before = records.length;
    expect(() => manager.markReady(submitted.id)).toThrowError(
      expect.objectContaining({ code: 'illegal-state', message: expect.stringContaining('from created to ready') }),
    );
    expect(() => manager.resume(submitted.id)).toThrowError(expect.objectContaining({ code: 'illegal-state' }));
    manager.terminate(submitted.id, 'x');
    expect(() => manager.terminate(submitted.id, 'again')).toThrowError(
      expect.objectContaining({ code: 'illegal-state', message: expect.stringContaining('from terminated to terminated') }),
    );
    expect(records.length).toBe(before + 1);
    expect(manager.get(submitted.id).status).toBe('terminated');
  });

  it('throws illegal-state when a slice ends that was never dispatched', () => {
    const { manager } = setup();
    const id = started(manager);
    expect(() => manager.endSlice(id, { fuelUsed: 1, outcome: 'continue' })).toThrowError(expect.objectContaining({ code: 'illegal-state' }));
  });

  it('never hands out more fuel than the budget has left, and suspends for budget when it is spent', () => {
    const { manager, records } = setup({ policy: new FcfsPolicy<AgentProcess<string>>({ sliceFuel: 700 }) });
    const id = started(manager, { budget: { fuel: 1_000 } });
    manager.dispatch();
    manager.endSlice(id, { fuelUsed: 700, outcome: 'continue' });
    expect(manager.dispatch()?.sliceFuel).toBe(300);
    const ended = manager.endSlice(id, { fuelUsed: 300, outcome: 'continue' });
    expect(ended.status).toBe('suspended');
    expect(ended.record).toMatchObject({ action: 'exhaust-budget', reason: 'fuel budget spent' });
    expect(manager.get(id).suspendReason).toBe('budget');
    expect(manager.dispatch()).toBeUndefined();

    const extended = manager.extendBudget(id, { fuel: 500 });
    expect(extended).toMatchObject({ ok: true, status: 'ready', record: { action: 'extend-budget', from: 'suspended', to: 'ready' } });
    expect(manager.dispatch()?.sliceFuel).toBe(500);
    expect(records.at(-1)?.action).toBe('dispatch');
  });

  it('suspends for budget when tokens run out, whatever the guest asked to do next', () => {
    const { manager } = setup();
    const id = started(manager, { budget: { tokens: 10 } });
    manager.dispatch();
    manager.endSlice(id, { fuelUsed: 1, tokensUsed: 10, outcome: 'await-approval' });
    expect(manager.get(id)).toMatchObject({ status: 'suspended', suspendReason: 'budget' });
  });

  it('refuses a budget extension past the tenant limit without changing the budget', () => {
    const { manager } = setup({ admission: { tenantBudget: { tokens: 60 } } });
    const id = started(manager, { budget: { tokens: 50 } });
    expect(manager.extendBudget(id, { tokens: 20 })).toMatchObject({ ok: false, code: 'tenant-budget' });
    expect(manager.get(id).budget.tokens).toBe(50);
  });

  it('parks a process waiting on an approval outside the queue until it is woken', () => {
    const { manager } = setup();
    const waiting = started(manager);
    const other = started(manager);
    manager.dispatch();
    const ended = manager.endSlice(waiting, { fuelUsed: 10, outcome: 'await-approval' });
    expect(ended.record).toMatchObject({ action: 'block', from: 'running', to: 'suspended', reason: 'approval' });
    expect(manager.dispatch()?.process.id).toBe(other);
    expect(manager.dispatch()).toBeUndefined();
    expect(manager.wake(waiting, 'approved by alice')).toMatchObject({ status: 'ready', record: { reason: 'approved by alice' } });
    expect(manager.dispatch()?.process.id).toBe(waiting);
    expect(() => manager.wake(waiting)).toThrowError(expect.objectContaining({ code: 'illegal-state' }));
  });

  it('pauses a queued process out of the queue and resumes it into the queue', () => {
    const { manager } = setup();
    const id = started(manager);
    expect(manager.pause(id, 'investigating')).toMatchObject({
      status: 'paused', record: { action: 'pause', agentId: id, from: 'ready', to: 'paused', reason: 'investigating', at: 1_000 },
    });
    expect(manager.queued).toBe(0);
    expect(manager.dispatch()).toBeUndefined();
    expect(manager.resume(id)).toMatchObject({ status: 'ready', record: { from: 'paused', to: 'ready' } });
    expect(manager.dispatch()?.process.id).toBe(id);
  });

  it('keeps a process paused mid-slice paused when the slice ends, remembering what it waits for', () => {
    const { manager } = setup();
    const id = started(manager);
    manager.dispatch();
    expect(manager.pause(id).status).toBe('paused');
    expect(manager.endSlice(id, { fuelUsed: 50, outcome: 'await-approval' })).toEqual({ status: 'paused', record: undefined });
    expect(manager.get(id).spent.fuel).toBe(50);
    expect(manager.resume(id)).toMatchObject({ status: 'suspended', record: { to: 'suspended' } });
    expect(manager.wake(id).status).toBe('ready');
  });

  it('resumes a process paused mid-slice straight back to running while its slice is in flight', () => {
    const { manager } = setup();
    const id = started(manager);
    manager.dispatch();
    manager.pause(id);
    expect(manager.resume(id).status).toBe('running');
    expect(manager.endSlice(id, { fuelUsed: 1, outcome: 'completed' }).status).toBe('completed');
  });

  it('counts the spend of a slice that ends after its process was terminated, without moving it', () => {
    const { manager, records } = setup();
    const id = started(manager);
    manager.dispatch();
    manager.terminate(id, 'runaway');
    const before = records.length;
    expect(manager.endSlice(id, { fuelUsed: 80, outcome: 'continue' })).toEqual({ status: 'terminated', record: undefined });
    expect(manager.get(id).spent.fuel).toBe(80);
    expect(records.length).toBe(before);
    expect(manager.running).toBe(0);
  });

  it('counts faulted slices and feeds them to the policy as failures', () => {
    const policy = new MlfqPolicy<AgentProcess<string>>({ levels: 8, baseSliceFuel: 10, boostEveryFuel: Infinity });
    const { manager } = setup({ policy });
    const id = started(manager);
    for (let i = 0; i < 2; i++) {
      manager.dispatch();
      manager.endSlice(id, { fuelUsed: 1, outcome: 'continue', faulted: true });
    }
    expect(manager.get(id).failureCount).toBe(2);
    expect(policy.levelOf(manager.get(id))).toBe(3);
  });

  it('fails a process that could not start and releases its admission slot', () => {
    const { manager } = setup({ admission: { maxConcurrent: 1 } });
    const submitted = manager.submit(request());
    if (!submitted.ok) throw new Error('refused');
    manager.initialize(submitted.id);
    expect(manager.fail(submitted.id, 'component did not validate')).toMatchObject({
      status: 'failed', record: { action: 'fail', from: 'initializing', reason: 'component did not validate' },
    });
    expect(manager.submit(request()).ok).toBe(true);
  });

  it('tells the runtime how much wall time is left, for the sandbox deadline', () => {
    const { manager, clock } = setup();
    const id = started(manager, { budget: { wallMs: 100 } });
    manager.dispatch();
    clock.advance(30);
    manager.endSlice(id, { fuelUsed: 1, outcome: 'continue' });
    expect(manager.dispatch()?.wallMsLeft).toBe(70);
  });

  it('makes random UUIDs for ids by default', () => {
    const manager = new ProcessManager({ policy: new FcfsPolicy<AgentProcess>() });
    const first = manager.submit(request());
    const second = manager.submit(request());
    expect(first.ok && first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first.ok && second.ok && first.id !== second.id).toBe(true);
  });

  it('replays identically: the same calls on a virtual clock give the same records', () => {
    const run = (): TransitionRecord[] => {
      const { manager, clock, records } = setup({ policy: new MlfqPolicy<AgentProcess<string>>({ baseSliceFuel: 10 }) });
      const ids = [started(manager), started(manager), started(manager)];
      for (let i = 0; i < 30; i++) {
        const next = manager.dispatch();
        if (!next) break;
        clock.advance(i % 3);
        manager.endSlice(next.process.id, { fuelUsed: (i * 7) % 11, outcome: i % 13 === 12 ? 'completed' : 'continue' });
      }
      expect(ids.length).toBe(3);
      return records;
    };
    const first = run();
    expect(first.length).toBeGreaterThan(40);
    expect(run()).toEqual(first);
  });

  it('lists processes by status and tenant', () => {
    const { manager } = setup();
    started(manager, { tenant: 'a' });
    started(manager, { tenant: 'b' });
    manager.submit(request({ tenant: 'a' }));
    expect([...manager.list({ tenant: 'a' })].map((p) => p.id)).toEqual(['p0', 'p2']);
    expect([...manager.list({ status: 'ready' })].map((p) => p.id)).toEqual(['p0', 'p1']);
  });

  it('restores a kept process under its id with its spend, so the next slice gets only the fuel left', () => {
    const { manager, records } = setup();
    const restored = manager.restore({ ...request(), id: 'kept-1', spent: { fuel: 950, tokens: 20, calls: 3, wallMs: 40 }, createdAt: 10 });
    expect(restored).toEqual({ ok: true, id: 'kept-1' });
    expect(manager.get('kept-1')).toMatchObject({ status: 'created', createdAt: 10, spent: { fuel: 950, tokens: 20, calls: 3, wallMs: 40 } });
    expect(records.at(-1)).toMatchObject({ action: 'restore', agentId: 'kept-1', from: null, to: 'created' });
    manager.initialize('kept-1');
    manager.markReady('kept-1');
    expect(manager.dispatch()).toMatchObject({ sliceFuel: 50 });
    expect(() => manager.restore({ ...request(), id: 'kept-1', spent: {} })).toThrowError(expect.objectContaining({ code: 'illegal-state' }));
    expect(() => manager.restore({ ...request(), id: 'kept-2', spent: { fuel: -1 } })).toThrowError(expect.objectContaining({ code: 'invalid-argument' }));
  });
});
