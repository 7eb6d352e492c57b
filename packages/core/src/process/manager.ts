/**
 * The process manager: owns every agent process record and moves it through
 * its lifecycle, driving the scheduling policy and admission control.
 *
 * The runtime's loop is: `submit` (or `restore` of a kept record) → `initialize` → (create the sandbox) →
 * `markReady` → then repeatedly `dispatch` (who runs, for how much fuel) → run
 * the guest → `endSlice` (what it used and what it does next). Operators
 * `pause`, `resume` and `terminate`; waits end with `wake`; spent budgets are
 * topped up with `extendBudget`. Every move is checked against the lifecycle
 * table and reported to `onTransition`.
 */

import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { realClock, type Clock } from '../clock/index.ts';
import { AdmissionControl, type SchedulingPolicy } from '../scheduler/index.ts';
import { addInto, exhaustedDimension, toBudget } from './budget.ts';
import { assertTransition, isLive } from './lifecycle.ts';
import { ProcessRecord, type AgentProcess, type Budget, type ProcessStatus, type SuspendReason } from './record.ts';
import type {
  DispatchResult, ExtendResult, ProcessManagerOptions, RestoreRequest, SliceEnd, SliceEndResult, SubmitRequest, SubmitResult,
} from './requests.ts';
import type { TransitionAction, TransitionRecord, TransitionResult, TransitionSink } from './transition.ts';

interface Flight {
  sliceFuel: number;
  startedAt: number;
}

export class ProcessManager<S = unknown> {
  readonly #policy: SchedulingPolicy<AgentProcess<S>>;
  readonly #admission: AdmissionControl;
  readonly #clock: Clock;
  readonly #sink: TransitionSink | undefined;
  readonly #newId: () => string;
  readonly #processes = new Map<string, ProcessRecord<S>>();
  /** Slices handed out by `dispatch` and not yet ended. */
  readonly #inFlight = new Map<string, Flight>();

  constructor(options: ProcessManagerOptions<S>) {
    this.#policy = options.policy;
    this.#admission = options.admission instanceof AdmissionControl ? options.admission : new AdmissionControl(options.admission);
    this.#clock = options.clock ?? realClock;
    this.#sink = options.onTransition;
    this.#newId = options.newId ?? (() => crypto.randomUUID());
  }

  /** Records held (including terminated ones not yet reaped). */
  get size(): number {
    return this.#processes.size;
  }

  /** Processes waiting in the run queue. */
  get queued(): number {
    return this.#policy.size;
  }

  /** Slices handed out and not yet ended. */
  get running(): number {
    return this.#inFlight.size;
  }

  /** @throws AgentOsError 'not-found' when no process has this id. */
  get(id: string): AgentProcess<S> {
    return this.#record(id);
  }

  find(id: string): AgentProcess<S> | undefined {
    return this.#processes.get(id);
  }

  *list(filter: { status?: ProcessStatus; tenant?: string } = {}): IterableIterator<AgentProcess<S>> {
    for (const process of this.#processes.values()) {
      if (filter.status !== undefined && process.status !== filter.status) continue;
      if (filter.tenant !== undefined && process.tenant !== filter.tenant) continue;
      yield process;
    }
  }

  /**
   * Creates a process in `created` if admission control lets it in.
   * @throws AgentOsError 'invalid-argument' for an empty goal, type or tenant, a bad budget or priority.
   */
  submit(request: SubmitRequest): SubmitResult {
    return this.#create(request, undefined);
  }

  /**
   * Re-creates a process kept elsewhere (a durable record after a restart, an imported
   * agent) under its own id, with what it had spent so far, in `created` — if admission
   * control lets it in. Continue with `initialize` and `markReady` as after `submit`.
   * @throws AgentOsError 'invalid-argument' as `submit`, or for a negative or non-numeric
   *   spend; 'illegal-state' when a process with this id exists.
   */
  restore(request: RestoreRequest): SubmitResult {
    if (this.#processes.has(request.id)) {
      throw new AgentOsError('illegal-state', `A process with id ${request.id} exists already; restore it only once.`, { details: { id: request.id } });
    }
    return this.#create(request, { id: request.id, spent: toBudget(request.spent, { missing: 0, what: 'spent' }), createdAt: request.createdAt });
  }

  #create(request: SubmitRequest, restored: { id: string; spent: Budget; createdAt: number | undefined } | undefined): SubmitResult {
    for (const field of ['goal', 'type', 'tenant'] as const) {
      if (typeof request[field] !== 'string' || request[field] === '') {
        throw new AgentOsError('invalid-argument', `submit needs a non-empty ${field}.`, { details: { field } });
      }
    }
    const priority = request.priority ?? 0;
    if (!Number.isFinite(priority)) {
      throw new AgentOsError('invalid-argument', `priority must be a finite number, got ${priority}.`, { details: { priority } });
    }
    const budget = toBudget(request.budget, { missing: Infinity, what: 'budget' });
    if (budget.fuel === 0) throw new AgentOsError('invalid-argument', 'budget.fuel must be > 0: a process with no fuel cannot run.');
    const decision = this.#admission.admit(request.tenant, budget);
    if (!decision.ok) return decision;
    const id = restored?.id ?? this.#newId();
    if (this.#processes.has(id)) {
      this.#admission.release(request.tenant, budget);
      throw new AgentOsError('internal', `The id generator returned ${id} twice.`, { details: { id } });
    }
    const now = this.#clock.now();
    const process = new ProcessRecord<S>({
      id, type: request.type, tenant: request.tenant, goal: request.goal, priority, budget,
      capabilities: request.capabilities, workspaceId: request.workspaceId, now: restored?.createdAt ?? now,
    });
    process.updatedAt = now;
    if (restored) addInto(process.spent, restored.spent);
    this.#processes.set(id, process);
    this.#emit(restored
      ? { action: 'restore', agentId: id, from: null, to: 'created', reason: `${request.type} for ${request.tenant}, restored`, at: now }
      : { action: 'submit', agentId: id, from: null, to: 'created', reason: `${request.type} for ${request.tenant}`, at: now });
    return { ok: true, id };
  }

  /** created → initializing (the runtime is building the sandbox). @throws 'not-found', 'illegal-state'. */
  initialize(id: string): TransitionResult {
    return this.#move(this.#record(id), 'initializing', 'initialize', 'building the sandbox');
  }

  /** initializing → ready, with the sandbox handle; joins the run queue. @throws 'not-found', 'illegal-state'. */
  markReady(id: string, options: { sandbox?: S; workspaceId?: string } = {}): TransitionResult {
    const process = this.#record(id);
    assertTransition(id, process.status, 'ready');
    process.sandbox = options.sandbox;
    if (options.workspaceId !== undefined) process.workspaceId = options.workspaceId;
    const result = this.#move(process, 'ready', 'ready', 'sandbox ready');
    this.#policy.enqueue(process);
    return result;
  }

  /**
   * Asks the policy who runs next and marks it running. Returns undefined when
   * nothing may run (empty queue, or the policy holds back, e.g. a spent token budget).
   */
  dispatch(): DispatchResult<S> | undefined {
    const decision = this.#policy.dequeue();
    if (decision === undefined) return undefined;
    const process = decision.proc as ProcessRecord<S>;
    const sliceFuel = Math.min(decision.sliceFuel, process.budget.fuel - process.spent.fuel);
    process.suspendReason = undefined;
    this.#move(process, 'running', 'dispatch', `slice of ${sliceFuel} fuel`);
    this.#inFlight.set(process.id, { sliceFuel, startedAt: this.#clock.now() });
    return { process, sliceFuel, wallMsLeft: process.budget.wallMs - process.spent.wallMs };
  }

  /**
   * Accounts a finished slice and moves the process on: back to the queue
   * (`continue`), into a wait (`await-*`), or to `completed`/`failed`. A process
   * whose budget is spent is suspended with reason `budget` instead of queued.
   * If an operator paused it meanwhile it stays paused (remembering the wait);
   * if it was terminated or failed meanwhile the spend is still counted.
   * @throws AgentOsError 'not-found' for an unknown id, 'illegal-state' when no slice is in flight,
   *   'invalid-argument' for negative or non-numeric usage.
   */
  endSlice(id: string, end: SliceEnd): SliceEndResult {
    const process = this.#record(id);
    const flight = this.#inFlight.get(id);
    if (flight === undefined) {
      throw new AgentOsError('illegal-state', `Process ${id} has no slice in flight (it is ${process.status}); call dispatch first.`, {
        details: { id, status: process.status },
      });
    }
    const used = toBudget(
      { fuel: end.fuelUsed, tokens: end.tokensUsed ?? 0, calls: end.calls ?? 0, wallMs: end.wallMs ?? this.#clock.now() - flight.startedAt },
      { missing: 0, what: 'slice usage' },
    );
    this.#inFlight.delete(id);
    addInto(process.spent, used);
    if (end.faulted) process.failureCount++;
    if (!isLive(process.status)) return { status: process.status, record: undefined };

    this.#policy.onSliceEnd(process, {
      fuelUsed: used.fuel,
      exhausted: used.fuel >= flight.sliceFuel,
      failed: end.faulted === true || end.outcome === 'failed',
      tokensUsed: used.tokens,
    });
    if (end.outcome === 'completed') return this.#finish(process, 'completed', 'complete', end.reason ?? 'goal reached');
    if (end.outcome === 'failed') return this.#finish(process, 'failed', 'fail', end.reason ?? 'the agent failed');

    const spentDimension = exhaustedDimension(process.budget, process.spent);
    const wait: SuspendReason | undefined = spentDimension !== undefined ? 'budget'
      : end.outcome === 'await-approval' ? 'approval'
      : end.outcome === 'await-policy' ? 'policy'
      : undefined;
    if (process.status === 'paused') {
      process.suspendReason = wait;
      return { status: 'paused', record: undefined };
    }
    if (wait === undefined) {
      process.suspendReason = 'slice';
      const record = this.#move(process, 'suspended', 'preempt', 'slice').record;
      this.#policy.enqueue(process);
      return { status: 'suspended', record };
    }
    process.suspendReason = wait;
    const reason = wait === 'budget' ? `${spentDimension} budget spent` : wait;
    return this.#move(process, 'suspended', wait === 'budget' ? 'exhaust-budget' : 'block', reason);
  }

  /**
   * Ends a wait for an approval or a policy decision: suspended → ready, queued
   * again. If an operator paused the process meanwhile it stays paused and
   * `resume` will queue it.
   * @throws AgentOsError 'not-found'; 'illegal-state' unless it waits on an approval or a policy.
   */
  wake(id: string, reason = 'wait over'): TransitionResult {
    const process = this.#record(id);
    const waiting = process.suspendReason === 'approval' || process.suspendReason === 'policy';
    if (!waiting || (process.status !== 'suspended' && process.status !== 'paused')) {
      throw new AgentOsError('illegal-state', `Process ${id} is ${describe(process)}, not waiting on an approval or a policy; nothing to wake.`, {
        details: { id, status: process.status, suspendReason: process.suspendReason },
      });
    }
    process.suspendReason = undefined;
    if (process.status === 'paused') return this.#stay(process, 'wake', reason);
    const result = this.#move(process, 'ready', 'wake', reason);
    this.#policy.enqueue(process);
    return result;
  }

  /**
   * Operator pause: out of the run queue until `resume`. A running slice is not
   * interrupted here (the runtime stops the sandbox); its `endSlice` keeps the process paused.
   * @throws AgentOsError 'not-found'; 'illegal-state' from any status but ready, running or suspended.
   */
  pause(id: string, reason = 'operator'): TransitionResult {
    const process = this.#record(id);
    assertTransition(id, process.status, 'paused');
    this.#policy.remove(process);
    if (process.suspendReason === 'slice') process.suspendReason = undefined;
    return this.#move(process, 'paused', 'pause', reason);
  }

  /**
   * Operator resume: back to where the pause found it: running (slice still in
   * flight), suspended (still waiting, or budget still spent) or ready (queued).
   * @throws AgentOsError 'not-found'; 'illegal-state' unless paused.
   */
  resume(id: string, reason = 'operator'): TransitionResult {
    const process = this.#record(id);
    if (process.status !== 'paused') {
      throw new AgentOsError('illegal-state', `Process ${id} is ${process.status}, not paused; only a paused process resumes.`, {
        details: { id, from: process.status, to: 'ready' },
      });
    }
    if (this.#inFlight.has(id)) return this.#move(process, 'running', 'resume', reason);
    if (process.suspendReason === 'budget' && exhaustedDimension(process.budget, process.spent) === undefined) {
      process.suspendReason = undefined;
    }
    if (process.suspendReason !== undefined) return this.#move(process, 'suspended', 'resume', `${reason}; still waiting: ${process.suspendReason}`);
    const result = this.#move(process, 'ready', 'resume', reason);
    this.#policy.enqueue(process);
    return result;
  }

  /**
   * Ends the process for good from any status but terminated, releasing its
   * admission slot if it held one. A slice in flight may still `endSlice` (its spend is counted).
   * @throws AgentOsError 'not-found'; 'illegal-state' when already terminated.
   */
  terminate(id: string, reason: string): TransitionResult {
    const process = this.#record(id);
    assertTransition(id, process.status, 'terminated');
    const wasLive = isLive(process.status);
    this.#policy.remove(process);
    process.suspendReason = undefined;
    const result = this.#move(process, 'terminated', 'terminate', reason);
    if (wasLive) this.#admission.release(process.tenant, process.budget);
    return result;
  }

  /**
   * Marks a live process failed from outside a slice (its sandbox could not be
   * built, it crashed while queued).
   * @throws AgentOsError 'not-found'; 'illegal-state' when it is already completed, failed or terminated.
   */
  fail(id: string, reason: string): TransitionResult {
    return this.#finish(this.#record(id), 'failed', 'fail', reason);
  }

  /**
   * Adds to a live process's budget, if the tenant's admission limit allows. A
   * process suspended for budget whose budget now has room is queued again.
   * @throws AgentOsError 'not-found'; 'illegal-state' when the process is not live; 'invalid-argument' for a negative delta.
   */
  extendBudget(id: string, extra: Partial<Budget>): ExtendResult {
    const process = this.#record(id);
    if (!isLive(process.status)) {
      throw new AgentOsError('illegal-state', `Process ${id} is ${process.status}; only a live process can get more budget.`, {
        details: { id, status: process.status },
      });
    }
    const delta = toBudget(extra, { missing: 0, what: 'extra budget' });
    const decision = this.#admission.extend(process.tenant, delta);
    if (!decision.ok) return decision;
    addInto(process.budget, delta);
    const room = exhaustedDimension(process.budget, process.spent) === undefined;
    if (process.status === 'suspended' && process.suspendReason === 'budget' && room) {
      process.suspendReason = undefined;
      const { status, record } = this.#move(process, 'ready', 'extend-budget', 'budget extended');
      this.#policy.enqueue(process);
      return { ok: true, status, record };
    }
    return { ok: true, status: process.status, record: undefined };
  }

  /** Replaces the capabilities granted to a live process. @throws 'not-found', 'illegal-state' when not live. */
  setCapabilities(id: string, capabilities: readonly string[]): void {
    const process = this.#record(id);
    if (!isLive(process.status)) {
      throw new AgentOsError('illegal-state', `Process ${id} is ${process.status}; capabilities of a finished process are fixed.`, {
        details: { id, status: process.status },
      });
    }
    process.capabilities = Object.freeze([...capabilities]);
    process.updatedAt = this.#clock.now();
  }

  /** Forgets a terminated process's record. @throws 'not-found'; 'illegal-state' unless terminated. */
  reap(id: string): void {
    const process = this.#record(id);
    if (process.status !== 'terminated') {
      throw new AgentOsError('illegal-state', `Process ${id} is ${process.status}; terminate it before reaping its record.`, {
        details: { id, status: process.status },
      });
    }
    this.#processes.delete(id);
    this.#inFlight.delete(id);
  }

  #finish(process: ProcessRecord<S>, to: 'completed' | 'failed', action: TransitionAction, reason: string): TransitionResult {
    assertTransition(process.id, process.status, to);
    this.#policy.remove(process);
    process.suspendReason = undefined;
    const result = this.#move(process, to, action, reason);
    this.#admission.release(process.tenant, process.budget);
    return result;
  }

  #move(process: ProcessRecord<S>, to: ProcessStatus, action: TransitionAction, reason: string): TransitionResult {
    const from = process.status;
    assertTransition(process.id, from, to);
    const at = this.#clock.now();
    process.status = to;
    process.updatedAt = at;
    const record: TransitionRecord = { action, agentId: process.id, from, to, reason, at };
    this.#emit(record);
    return { status: to, record };
  }

  /** A recorded event that leaves the status as it is (a wait ending while paused). */
  #stay(process: ProcessRecord<S>, action: TransitionAction, reason: string): TransitionResult {
    const at = this.#clock.now();
    process.updatedAt = at;
    const record: TransitionRecord = { action, agentId: process.id, from: process.status, to: process.status, reason, at };
    this.#emit(record);
    return { status: process.status, record };
  }

  #emit(record: TransitionRecord): void {
    this.#sink?.(record);
  }

  #record(id: string): ProcessRecord<S> {
    const process = this.#processes.get(id);
    if (process === undefined) {
      throw new AgentOsError('not-found', `No process has id ${id}; it was never submitted or has been reaped.`, { details: { id } });
    }
    return process;
  }
}

function describe(process: AgentProcess): string {
  return process.suspendReason === undefined ? process.status : `${process.status} (${process.suspendReason})`;
}
