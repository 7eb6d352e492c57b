/**
 * Runtime: runs agents (and tools as agents) as sandboxed components under
 * the agent OS primitives. It wires the ProcessManager (lifecycle, budgets),
 * the scheduling policy (who runs, for how much fuel), the capability gate
 * (entitlement → policy → audit) and the approval queue to the sandbox: each
 * process's guest runs one long export call, cut into slices at the Store's
 * `yield` hook and parked (JSPI) between them — see sandbox.ts.
 */
import { AgentOsError, isAgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { Component, Engine } from '../../../sandbox/src/index.ts';
import { realClock, type Clock } from '../clock/index.ts';
import { ProcessManager, type AgentProcess, type Budget } from '../process/index.ts';
import { createPolicy, type SchedulingPolicy } from '../scheduler/index.ts';
import type { SignedManifest } from '../trust/index.ts';
import { ApprovalQueue, type ApprovalRequest, type ApprovalVote } from './approvals.ts';
import { BusLink } from './bus-link.ts';
import { abandonInFlight } from './delivery.ts';
import { endedStatus, instanceState, type Checkpoint, type Durability, type InstanceState, type RuntimeRecord } from './durability.ts';
import { CapabilityGate } from './gate.ts';
import type { HostServices } from './guarded-call.ts';
import { ASYNC_IMPORTS } from './host-imports.ts';
import { launch, type LaunchHost } from './launch.ts';
import { RuntimeObserver } from './observer.ts';
import type { AuditSink, RuntimeOptions, ToolDescription, TrustOptions } from './options.ts';
import { evict, exportAgent, importAgent, recoverAgents, type RecoveryHost } from './recovery.ts';
import { AgentSandbox, type AgentResult } from './sandbox.ts';
import { admitTool } from './signed-tools.ts';
import type { AgentStatus, SpawnRequest, StepReport } from './status.ts';
import { ToolRegistry } from './tools.ts';
import { runtimeAudit, runtimeDurability, runtimeImplementations } from './wiring.ts';

interface AgentType {
  component: Component;
  entry: 'run' | 'invoke';
}

const DEFAULT_CHECK_EVERY = 100_000n;
/** The agent type `spawn` uses when the request names none (and brings no component). */
export const DEFAULT_AGENT_TYPE = 'generic';

export class Runtime {
  readonly processes: ProcessManager;
  readonly approvals: ApprovalQueue;
  readonly tools: ToolRegistry;
  readonly #engine: Engine;
  readonly #clock: Clock;
  readonly #audit: AuditSink;
  readonly #services: HostServices;
  readonly #checkEvery: bigint;
  readonly #concurrency: number;
  readonly #maxMemoryBytes: number | undefined;
  readonly #types = new Map<string, AgentType>();
  readonly #sandboxes = new Map<string, AgentSandbox>();
  readonly #results = new Map<string, AgentResult>();
  readonly #durable: Durability | undefined;
  /** Durable agents that had ended before this runtime recovered them (their records, for `status`). */
  readonly #finished = new Map<string, RuntimeRecord>();
  /** Where each durable agent's guest stood at its last slice end (kept in its record). */
  readonly #checkpoints = new Map<string, Checkpoint>();
  readonly #observer: RuntimeObserver;
  readonly #trust: TrustOptions | undefined;
  readonly #capabilities: RuntimeOptions['capabilities'];
  readonly #bus: BusLink | undefined;
  /** The id the next submit gets (a recovered agent keeps its id). */
  #forcedId: string | undefined;
  readonly #defaultAgentType: string;
  /** Agents that stay on the bus after `run` returned (SpawnRequest.resident). */
  readonly #resident = new Set<string>();
  /** Wakes `run`'s loop when a process became ready from outside a slice (a message, an approval). */
  #kick: (() => void) | undefined;

  /** @throws AgentOsError 'invalid-argument' for a bad scheduler spec, concurrency or checkEvery. */
  constructor(options: RuntimeOptions) {
    this.#engine = options.engine;
    this.#clock = options.clock ?? realClock;
    const now = () => this.#clock.now();
    this.#observer = new RuntimeObserver({ ...options.observer, now, policyId: () => options.policy.current.id });
    this.#audit = runtimeAudit(options, this.#observer);
    this.#trust = options.trust;
    this.#capabilities = options.capabilities;
    this.#checkEvery = options.checkEvery ?? DEFAULT_CHECK_EVERY;
    this.#concurrency = options.concurrency ?? 8;
    if (this.#checkEvery <= 0n || !(this.#concurrency >= 1)) {
      throw new AgentOsError('invalid-argument', 'checkEvery must be > 0 fuel and concurrency >= 1.', { details: { concurrency: this.#concurrency } });
    }
    this.#maxMemoryBytes = options.maxMemoryBytes;
    const scheduler = options.scheduler ?? { kind: 'fcfs' };
    const policy: SchedulingPolicy<AgentProcess> = 'kind' in scheduler ? createPolicy<AgentProcess>(scheduler) : scheduler;
    this.#durable = runtimeDurability(options);
    const newId = options.newId ?? (() => crypto.randomUUID());
    this.processes = new ProcessManager({
      policy, admission: options.admission, clock: this.#clock,
      newId: () => this.#forcedId ?? newId(),
      onTransition: (record) => {
        this.#audit({ kind: 'process.transition', data: { ...record } });
        this.#observer.transition(record, this.processes.find(record.agentId));
        this.#persist(record.agentId);
      },
    });
    this.approvals = new ApprovalQueue({ now, onChange: this.#durable && ((request) => this.#durable?.persistApproval(request)) });
    this.tools = new ToolRegistry({ engine: this.#engine, fuel: options.toolFuel ?? 1_000_000_000n, maxMemoryBytes: options.maxMemoryBytes });
    this.#services = {
      gate: new CapabilityGate({ capabilities: options.capabilities, policy: options.policy, audit: this.#audit, now }),
      approvals: this.approvals,
      tools: this.tools,
      capabilities: options.capabilities,
      implementations: runtimeImplementations(options, now),
      clock: this.#clock,
      audit: this.#audit,
      approvalTimeoutMs: options.approvalTimeoutMs ?? Infinity,
      observer: this.#observer,
    };
    this.#bus = this.#services.implementations.bus instanceof BusLink ? this.#services.implementations.bus : undefined;
    this.#bus?.listen((id) => this.#onArrival(id));
    this.#defaultAgentType = options.defaultAgentType ?? DEFAULT_AGENT_TYPE;
  }

  /**
   * Registers a tool component: callable by agents through `tools.call`, and spawnable as a type.
   * With `manifest` (a signed manifest) the tool is admitted by the trust store first and gets
   * the capabilities policy grants it (see signed-tools.ts).
   * @throws the ToolRegistry's errors (bad name, not a tool component, load failures); with trust,
   *   'signature-invalid' (also: unsigned under `requireSigned`), 'hash-mismatch', 'key-changed',
   *   'manifest-changed', 'invalid-argument' (manifest without `trust`, or for another name).
   */
  async registerTool(name: string, bytes: Uint8Array, options: { manifest?: SignedManifest } = {}): Promise<ToolDescription> {
    const granted = await admitTool({ trust: this.#trust, capabilities: this.#capabilities, name, bytes, manifest: options.manifest });
    const description = await this.tools.register(name, bytes, { granted });
    const component = await this.#load(bytes);
    await this.#durable?.agents.putComponent(bytes, component.hash);
    this.#types.set(name, { component, entry: 'invoke' });
    return description;
  }

  /**
   * Registers an agent type: a component of the `agent` world (export `run`) or a tool (`invoke`).
   * @throws AgentOsError 'invalid-component' when it exports neither; the engine's load errors.
   */
  async registerAgent(type: string, bytes: Uint8Array): Promise<void> {
    const agentType = await this.#agentType(bytes);
    await this.#durable?.agents.putComponent(bytes, agentType.component.hash);
    this.#types.set(type, agentType);
  }

  /**
   * Submits an agent through admission control and readies its sandbox; the
   * guest is instantiated when it is first dispatched. Without `type` and
   * `component` the agent is of the default type (`RuntimeOptions.defaultAgentType`,
   * 'generic': register examples/agents/generic under that name).
   * @throws AgentOsError 'not-found' for an unknown type (also: no default type registered);
   *   'limit-exceeded' when admission refuses (details.code says why); 'invalid-argument' for a bad request.
   */
  async spawn(request: SpawnRequest): Promise<string> {
    const type = request.type ?? (request.component ? 'component' : this.#defaultAgentType);
    const agentType = request.component ? await this.#agentType(request.component) : this.#types.get(type);
    if (request.component && agentType) await this.#durable?.agents.putComponent(request.component, agentType.component.hash);
    if (!agentType) {
      const hint = request.type === undefined && !request.component
        ? `No type was given and the default agent type ${type} is not registered: registerAgent('${type}', <component of examples/agents/generic>) first, or pass type or component.`
        : `No agent type or tool named ${type}; register it first or pass its component.`;
      throw new AgentOsError('not-found', hint, { details: { type } });
    }
    const submitted = this.processes.submit({ goal: request.goal, type, tenant: request.tenant, budget: request.budget, priority: request.priority, workspaceId: request.workspaceId });
    if (!submitted.ok) {
      throw new AgentOsError('limit-exceeded', `Admission refused the agent: ${submitted.reason}`, { details: { code: submitted.code, tenant: request.tenant } });
    }
    const { id } = submitted;
    if (request.resident) this.#resident.add(id);
    this.#durable?.identify(id, { entry: agentType.entry, componentHash: agentType.component.hash, resident: request.resident === true });
    this.processes.initialize(id);
    this.#sandboxes.set(id, new AgentSandbox({ component: agentType.component, entry: agentType.entry, checkEvery: this.#checkEvery }));
    this.processes.markReady(id, { workspaceId: request.workspaceId ?? id });
    this.#bus?.join(id);
    this.#observer.queue(this.processes.queued);
    // A durable agent exists once spawn returns: its record is in the store.
    await this.flush();
    return id;
  }

  /** Dispatches the next process and runs its slice; undefined when nothing may run. */
  async step(): Promise<StepReport | undefined> {
    this.expireApprovals();
    const dispatched = this.processes.dispatch();
    return dispatched && this.#slice(dispatched.process, dispatched.sliceFuel);
  }

  /**
   * Runs slices (up to `concurrency` at once) until nothing may run: every
   * process has finished or waits (for an approval, more budget, a resume).
   * @returns the slices run.
   */
  async run(): Promise<StepReport[]> {
    this.expireApprovals();
    const reports: StepReport[] = [];
    const active = new Set<Promise<void>>();
    for (;;) {
      while (active.size < this.#concurrency) {
        const dispatched = this.processes.dispatch();
        if (!dispatched) break;
        const slice: Promise<void> = this.#slice(dispatched.process, dispatched.sliceFuel).then((report) => {
          reports.push(report);
          active.delete(slice);
        });
        active.add(slice);
      }
      if (active.size === 0) return reports;
      await Promise.race([...active, new Promise<void>((resolve) => (this.#kick = resolve))]);
      this.#kick = undefined;
    }
  }

  /** @throws AgentOsError 'not-found' for an unknown id. */
  status(id: string): AgentStatus {
    const ended = this.processes.find(id) === undefined ? this.#finished.get(id) : undefined;
    if (ended) return endedStatus(ended);
    const process = this.processes.get(id);
    return {
      id, type: process.type, status: process.status, suspendReason: process.suspendReason, budget: process.budget, spent: process.spent,
      result: this.#results.get(id), pendingApprovals: this.approvals.pending({ agentId: id }),
      memoryBytes: this.#sandboxes.get(id)?.instance ? this.#sandboxes.get(id)!.store.sampleMemory() : 0,
    };
  }

  /** Operator pause: a running guest parks at its next look. @throws ProcessManager's 'not-found'/'illegal-state'. */
  pause(id: string, reason = 'operator'): void {
    this.processes.pause(id, reason);
    const sandbox = this.#sandboxes.get(id);
    if (sandbox) sandbox.yieldSoon = true;
  }

  /** @throws ProcessManager's 'not-found'/'illegal-state'. */
  resume(id: string, reason = 'operator'): void {
    this.processes.resume(id, reason);
    this.#onArrival(id);
  }

  /** Ends the process for good and stops its guest; its pending approvals are denied. @throws 'not-found'/'illegal-state'. */
  terminate(id: string, reason = 'operator'): void {
    this.processes.terminate(id, reason);
    this.approvals.cancel(id, `terminated: ${reason}`);
    const sandbox = this.#sandboxes.get(id);
    if (sandbox) {
      sandbox.stop(new AgentOsError('illegal-state', `Process ${id} was terminated: ${reason}.`, { details: { id } }));
      if (!sandbox.inSlice) this.#release(id);
    }
  }

  /**
   * Adds budget; a process suspended for budget runs again once there is room.
   * @returns the ProcessManager's result (`ok: false` when admission refuses).
   */
  extendBudget(id: string, extra: Partial<Budget>): ReturnType<ProcessManager['extendBudget']> {
    return this.processes.extendBudget(id, extra);
  }

  /**
   * An operator's vote on an approval request. Once the request is decided the
   * agent is woken and continues exactly where it asked (approved: the call
   * goes ahead; denied: it gets `policy-denied` as data).
   * @throws the ApprovalQueue's errors: 'not-found', 'illegal-state' (already decided),
   *   'policy-denied' (this approver may not decide it).
   */
  approve(requestId: string, vote: ApprovalVote): ApprovalRequest {
    const request = this.approvals.vote(requestId, vote);
    this.#audit({
      kind: 'approval.vote',
      data: { requestId, agentId: request.agentId, capability: request.capability, ruleId: request.ruleId, approver: vote.approver, role: vote.role ?? null, approved: vote.approved, status: request.status },
    });
    if (request.status !== 'pending') this.#wakeIfWaiting(request.agentId);
    return request;
  }

  /**
   * Denies (as `timeout`) every approval request past its deadline, by the runtime's clock, and
   * wakes the agents that waited on them. `run` and `step` call it first; a host with agents
   * waiting and nothing to run calls it from a timer or alarm (`approvals.nextDeadline()` says when).
   */
  expireApprovals(): void {
    for (const request of this.approvals.expire()) {
      this.#audit({ kind: 'approval.timeout', data: { requestId: request.id, agentId: request.agentId, capability: request.capability, ruleId: request.ruleId } });
      this.#wakeIfWaiting(request.agentId);
    }
  }

  /**
   * Durable agents: resolves once every record, approval and journal entry written so far is
   * in the store (an operator's pause, resume, terminate or vote is durable after this).
   * @throws the Store's errors.
   */
  async flush(): Promise<void> {
    await this.#durable?.flush();
  }

  /**
   * Durable agents: rebuilds, from the store, every agent this runtime does not hold (after a
   * restart). Live ones are queued and re-created by replay when they run; paused ones stay paused;
   * ones waiting on an approval wait again without an instance; ended ones answer `status`.
   * @returns the ids restored.
   * @throws AgentOsError 'illegal-state' without `durable`; the store's errors; for one agent,
   *   'not-found'/'hash-mismatch' when its component is missing or damaged (that agent is skipped
   *   and reported in `failed`).
   */
  async recover(): Promise<{ restored: string[]; failed: { id: string; error: AgentOsError }[] }> {
    return recoverAgents(this.#recovery('recover'));
  }

  /**
   * The state of an agent's live instance: fuel used and SHA-256 over its linear memories
   * (in instantiation order). Two runs that agree here are in the same state.
   * @throws AgentOsError 'illegal-state' when the agent has no live instance.
   */
  async inspect(id: string): Promise<InstanceState> {
    const sandbox = this.#sandboxes.get(id);
    if (!sandbox?.instance) throw new AgentOsError('illegal-state', `Agent ${id} has no live instance to inspect.`, { details: { id } });
    return instanceState(sandbox);
  }

  /**
   * Durable agents: exports an agent as a signed bundle (its record, journal, latest snapshot,
   * approvals and components) that `importAgent` on another host resumes. Take it while the agent
   * is not in a slice (between `run`s); the agent keeps running here unless you terminate it.
   * @throws AgentOsError 'illegal-state' without `durable` or a signer, or mid-slice; 'not-found'.
   */
  async exportAgent(id: string): Promise<Uint8Array> {
    return exportAgent(this.#recovery('exportAgent'), id);
  }

  /**
   * Durable agents: verifies a bundle from `exportAgent` (signature by one of `trustedKeys`, the
   * SHA-256 of every component and of the snapshot), writes it into this runtime's store and
   * restores the agent — from the bundle's snapshot plus the entries after it, or by full replay.
   * @returns the agent's id.
   * @throws AgentOsError 'signature-invalid', 'hash-mismatch', 'invalid-argument' (not a bundle),
   *   'illegal-state' when this runtime already holds the agent or is not durable; 'replay-divergence'
   *   when its snapshot is unusable here and its journal was compacted (see recovery.ts).
   */
  async importAgent(bundle: Uint8Array, options: { trustedKeys: readonly Uint8Array[] }): Promise<string> {
    return importAgent(this.#recovery('importAgent'), bundle, options);
  }

  /** What recovery.ts works on: this runtime's state, lent. @throws AgentOsError 'illegal-state' without `durable`. */
  #recovery(what: string): RecoveryHost {
    const durable = this.#requireDurable(what);
    return {
      durable, processes: this.processes, approvals: this.approvals, audit: this.#audit, bus: this.#bus, checkEvery: this.#checkEvery,
      sandboxes: this.#sandboxes, finished: this.#finished, checkpoints: this.#checkpoints, resident: this.#resident,
      registered: (type) => this.#types.get(type)?.component,
      load: (bytes) => this.#load(bytes),
      withId: (id, submit) => {
        this.#forcedId = id;
        try {
          return submit();
        } finally {
          this.#forcedId = undefined;
        }
      },
      persist: (id) => this.#persist(id),
      flush: () => this.flush(),
    };
  }

  #persist(id: string): void {
    const durable = this.#durable;
    if (!durable?.identity(id)) return;
    durable.persist(() => {
      const process = this.processes.find(id);
      return process && durable.record(process, this.#results.get(id), this.#checkpoints.get(id));
    });
  }

  #requireDurable(what: string): Durability {
    if (!this.#durable) throw new AgentOsError('illegal-state', `${what} needs a durable runtime: pass durable: { store } to the Runtime.`);
    return this.#durable;
  }

  async #slice(process: AgentProcess, sliceFuel: number): Promise<StepReport> {
    const { id } = process;
    const sandbox = this.#sandboxes.get(id);
    if (!sandbox) throw new AgentOsError('internal', `Process ${id} was dispatched without a sandbox.`, { details: { id } });
    const parked = sandbox.beginSlice(sliceFuel);
    if (sandbox.started) sandbox.continue();
    else if (sandbox.awaitingApproval && this.approvals.pending({ agentId: id }).length > 0) {
      // A recovered agent still waiting: back to waiting, without an instance or any guest work.
      sandbox.idle({ outcome: 'await-approval', reason: 'approval still pending' });
    } else launch(this.#launchHost(), process, sandbox);
    const park = await parked;
    // Sync calls' entries (log, clock, random) become durable at the latest here, before the slice is acknowledged.
    if (this.#durable) {
      const journal = await this.#durable.journal(id);
      await journal.flush();
      const fuel = sandbox.store.fuel.used > sandbox.fuelCredit ? sandbox.store.fuel.used : sandbox.fuelCredit;
      this.#checkpoints.set(id, { instanceFuel: fuel.toString(), journalLength: journal.length });
    }
    const end = this.processes.endSlice(id, {
      fuelUsed: park.fuelUsed, tokensUsed: park.tokensUsed, calls: park.calls, outcome: park.outcome, reason: park.reason, faulted: park.faulted,
    });
    this.#observer.slice(process, { fuel: park.fuelUsed, tokens: park.tokensUsed });
    this.#observer.queue(this.processes.queued);
    if (park.outcome === 'completed' || park.outcome === 'failed' || end.status === 'terminated') this.#release(id);
    else if (sandbox.waitingForMessages) this.#onArrival(id); // messages that came while the slice was ending
    else if (park.outcome === 'await-approval') {
      // Durable agents wait for humans without an instance: their snapshot and replay bring them back to the call that asked.
      if (this.#durable && sandbox.started) await this.#evict(sandbox, id);
      this.#wakeIfWaiting(id);
    }
    this.#persist(id);
    await this.#durable?.agents.flush();
    // The record now holds this slice's checkpoint: the entries before the agent's snapshot can go.
    const checkpoint = this.#checkpoints.get(id);
    if (this.#durable && checkpoint) await this.#durable.discard(id, checkpoint);
    return { id, outcome: park.outcome, status: end.status, fuelUsed: park.fuelUsed, tokensUsed: park.tokensUsed };
  }

  /** What launch.ts works on to start a guest: this runtime's state, lent. */
  #launchHost(): LaunchHost {
    return {
      services: this.#services, durable: this.#durable, bus: this.#bus, audit: this.#audit,
      process: (id) => this.processes.get(id),
      resident: (id) => this.#resident.has(id),
      keepResult: (id, result) => this.#results.set(id, result),
    };
  }

  /**
   * A message waits for an agent: a resident agent idle between messages is woken
   * (its next slice delivers it); any other agent gets it at its next idle point.
   */
  #onArrival(id: string): void {
    const sandbox = this.#sandboxes.get(id);
    const process = this.processes.find(id);
    if (!sandbox?.waitingForMessages || sandbox.inSlice || !process || process.suspendReason !== 'policy') return;
    if (process.status !== 'suspended' && process.status !== 'paused') return;
    if (this.#bus?.inbox(id).length) {
      this.processes.wake(id, 'message');
      this.#kick?.();
    }
  }

  /** Wakes a process suspended on an approval once none of its requests is pending. */
  #wakeIfWaiting(id: string): void {
    const process = this.processes.find(id);
    if (!process || process.suspendReason !== 'approval' || this.approvals.pending({ agentId: id }).length > 0) return;
    if (process.status === 'suspended' || process.status === 'paused') {
      this.processes.wake(id, 'approval decided');
      this.#kick?.();
    }
  }

  /**
   * Drops a parked agent's instance (recovery.ts). An agent that could not be rebuilt later (its
   * snapshot unusable, its journal compacted) keeps its live instance instead.
   */
  async #evict(sandbox: AgentSandbox, id: string): Promise<void> {
    try {
      await evict(this.#recovery('evict'), sandbox, id);
    } catch (error) {
      if (!isAgentOsError(error) || error.code !== 'replay-divergence') throw error;
      this.#audit({ kind: 'agent.evict-refused', data: { agentId: id, code: error.code, reason: error.message } });
    }
  }

  #release(id: string): void {
    this.#resident.delete(id);
    this.#durable?.forget(id);
    this.#bus?.leave(id);
    const sandbox = this.#sandboxes.get(id);
    if (sandbox) abandonInFlight(sandbox, id);
    sandbox?.release();
    this.#sandboxes.delete(id);
    this.approvals.forget(id);
  }

  async #agentType(bytes: Uint8Array): Promise<AgentType> {
    const component = await this.#load(bytes);
    const names = new Set(component.functions.map((f) => f.path));
    const entry = names.has('run') ? 'run' : names.has('invoke') ? 'invoke' : undefined;
    if (!entry) {
      throw new AgentOsError('invalid-component', `An agent component exports run (agent world) or invoke (tool world); this one exports ${[...names].join(', ') || 'nothing'}.`);
    }
    return { component, entry };
  }

  /** Durable agents load through the durable engine (state exports, for snapshots). */
  #load(bytes: Uint8Array): Promise<Component> {
    return (this.#durable?.engine ?? this.#engine).load(bytes, { preemptible: true, asyncImports: [...ASYNC_IMPORTS], maxMemoryBytes: this.#maxMemoryBytes });
  }
}
