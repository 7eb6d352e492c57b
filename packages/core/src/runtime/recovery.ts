/**
 * Recovery: how the runtime rebuilds durable agents it does not hold — after a
 * restart (`recover`), from a signed bundle of another host (`importAgent`),
 * or after evicting one that waits for a human — and how it packs one to move
 * (`exportAgent`). The Runtime keeps the public methods and hands this module
 * a `RecoveryHost`: the few pieces of its state a rebuild touches.
 *
 * Every rebuild starts from the agent's latest snapshot when it has a usable
 * one (restore, then replay only the entries after it), else from the start
 * of its journal. A snapshot that cannot be used — unreadable, taken from
 * another component, refused by the fresh instance — is never run on: the
 * agent is rebuilt by full replay when its journal still holds every entry,
 * with an `agent.snapshot-fallback` audit event saying why; when compaction
 * has discarded the entries before it, the agent fails with 'replay-divergence'
 * (details.reason 'snapshot-unusable') rather than run on from a wrong state.
 */
import { AgentOsError, isAgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { Component } from '../../../sandbox/src/index.ts';
import { exportBundle, fromStoredBudget, openBundle, writeBundle } from '../durable/index.ts';
import type { Journal } from '../journal/index.ts';
import type { ProcessManager } from '../process/index.ts';
import type { ApprovalQueue, ApprovalRequest } from './approvals.ts';
import type { BusLink } from './bus-link.ts';
import { recordedSpend, type Checkpoint, type Durability, type RuntimeRecord } from './durability.ts';
import { evictedSandbox, replayableFromStart, replayingSandbox, restoredSandbox } from './rebuild.ts';
import type { AuditSink } from './options.ts';
import type { AgentSandbox, Resume } from './sandbox.ts';

/** What recovery needs of the Runtime (its private state, lent). */
export interface RecoveryHost {
  durable: Durability;
  processes: ProcessManager;
  approvals: ApprovalQueue;
  audit: AuditSink;
  bus: BusLink | undefined;
  checkEvery: bigint;
  sandboxes: Map<string, AgentSandbox>;
  /** Durable agents that had ended before this runtime recovered them (for `status`). */
  finished: Map<string, RuntimeRecord>;
  checkpoints: Map<string, Checkpoint>;
  resident: Set<string>;
  /** The component registered under an agent type, if any. */
  registered(type: string): Component | undefined;
  load(bytes: Uint8Array): Promise<Component>;
  /** Runs `submit` while the process manager hands out `id` (a rebuilt agent keeps its id). */
  withId<T>(id: string, submit: () => T): T;
  persist(id: string): void;
  flush(): Promise<void>;
}

/** Rebuilds every agent of the store the runtime does not hold; see `Runtime.recover`. */
export async function recoverAgents(host: RecoveryHost): Promise<{ restored: string[]; failed: { id: string; error: AgentOsError }[] }> {
  const restored: string[] = [];
  const failed: { id: string; error: AgentOsError }[] = [];
  for (const record of await host.durable.agents.records()) {
    if (host.processes.find(record.id) || host.finished.has(record.id)) continue;
    try {
      await restoreAgent(host, record);
      restored.push(record.id);
    } catch (error) {
      failed.push({ id: record.id, error: isAgentOsError(error) ? error : new AgentOsError('internal', String(error), { cause: error }) });
    }
  }
  return { restored, failed };
}

/** Packs an agent as a signed bundle (record, journal, latest snapshot, approvals, component); see `Runtime.exportAgent`. */
export async function exportAgent(host: RecoveryHost, id: string): Promise<Uint8Array> {
  const { durable } = host;
  if (!durable.signer) throw new AgentOsError('illegal-state', 'Exporting needs a signer: pass durable.signer to the Runtime.', { details: { id } });
  if (host.sandboxes.get(id)?.inSlice) throw new AgentOsError('illegal-state', `Agent ${id} is in a slice; export it between runs.`, { details: { id } });
  host.persist(id);
  await host.flush();
  return exportBundle({ agents: durable.agents, id, signer: durable.signer });
}

/** Verifies a bundle, writes it into the store and rebuilds its agent; see `Runtime.importAgent`. */
export async function importAgent(host: RecoveryHost, bundle: Uint8Array, options: { trustedKeys: readonly Uint8Array[] }): Promise<string> {
  const opened = await openBundle(bundle, options.trustedKeys);
  const { id } = opened.record;
  if (host.processes.find(id)) throw new AgentOsError('illegal-state', `Agent ${id} already runs here.`, { details: { id } });
  await writeBundle(host.durable.agents, opened);
  await restoreAgent(host, opened.record);
  return id;
}

/** Rebuilds one agent from its record: its process, approvals, and a sandbox that resumes where it stood. */
async function restoreAgent(host: RecoveryHost, record: RuntimeRecord): Promise<void> {
  const { durable, processes } = host;
  const registered = host.registered(record.type);
  const component = registered?.hash === record.componentHash ? registered : await host.load(await durable.agents.getComponent(record.componentHash));
  const ended = record.status === 'completed' || record.status === 'failed' || record.status === 'terminated';
  const journal = ended ? undefined : await durable.journal(record.id);
  // Decided before anything is restored: an agent that cannot be rebuilt is not left half restored.
  const resume = journal && await resumeFor(host, { id: record.id, componentHash: record.componentHash, journal });
  durable.identify(record.id, { entry: record.entry, componentHash: record.componentHash, resident: record.resident === true });
  if (record.resident) host.resident.add(record.id);
  for (const request of await durable.agents.approvals<ApprovalRequest>(record.id)) host.approvals.restore(request);
  if (!journal) {
    host.finished.set(record.id, record);
    return;
  }
  const submitted = host.withId(record.id, () => processes.restore({
    id: record.id, goal: record.goal, type: record.type, tenant: record.tenant, budget: fromStoredBudget(record.budget),
    priority: record.priority, workspaceId: record.workspaceId, spent: recordedSpend(record), createdAt: record.createdAt,
  }));
  if (!submitted.ok) throw new AgentOsError('limit-exceeded', `Admission refused the recovered agent ${record.id}: ${submitted.reason}`, { details: { id: record.id, code: submitted.code } });
  processes.initialize(record.id);
  host.sandboxes.set(record.id, restoredSandbox({ record, component, journal, checkEvery: host.checkEvery, resume }));
  if (record.checkpoint) host.checkpoints.set(record.id, record.checkpoint);
  processes.markReady(record.id, { workspaceId: record.workspaceId });
  host.bus?.join(record.id);
  if (record.status === 'paused') processes.pause(record.id, 'paused before the restart');
  host.persist(record.id);
  await host.flush();
}

/**
 * Drops the instance of an agent parked on an approval: it waits without one, and is rebuilt
 * from its latest snapshot (when it has one) plus the entries after it once the decision comes.
 * @throws as `resumeFor` (the agent then fails: see `Runtime`'s slice end).
 */
export async function evict(host: RecoveryHost, sandbox: AgentSandbox, id: string): Promise<void> {
  const journal = await host.durable.journal(id);
  const resume = await resumeFor(host, { id, componentHash: sandbox.component.hash, journal });
  host.sandboxes.set(id, evictedSandbox(sandbox, { checkEvery: host.checkEvery, resume }));
}

/**
 * Where a rebuilt agent resumes: its snapshot, wired to fall back to full replay if the fresh
 * instance refuses it, or undefined (from the start) — also after falling back from a snapshot
 * that cannot be used at all.
 * @throws AgentOsError 'replay-divergence' (details.reason 'snapshot-unusable') when the snapshot
 *   cannot be used and the journal before it was compacted away; the Store's errors.
 */
async function resumeFor(host: RecoveryHost, options: { id: string; componentHash: string; journal: Journal }): Promise<Resume | undefined> {
  const { id, journal } = options;
  const plan = await host.durable.plan(id, options.componentHash);
  if (plan.kind === 'start') {
    // No snapshot, yet the journal was compacted (a store that lost the snapshot key, or one written by hand).
    if (!replayableFromStart(journal)) throw unusable(id, { journal, from: undefined, error: new AgentOsError('not-found', `Agent ${id} has no snapshot.`) });
    return undefined;
  }
  if (plan.kind === 'refused') {
    await fallBack(host, { id, journal, from: plan.from, error: plan.error, when: 'opening' });
    return undefined;
  }
  const { resume } = plan;
  resume.refused = async (error) => {
    await fallBack(host, { id, journal, from: resume.from, error, when: 'restoring' });
    const sandbox = host.sandboxes.get(id);
    if (sandbox) host.sandboxes.set(id, replayingSandbox(sandbox, host.checkEvery));
  };
  return resume;
}

/**
 * Gives up a snapshot: checks the journal can replace it, says so in the audit log, and drops it
 * from the store (the next rebuild must not meet it again).
 * @throws AgentOsError 'replay-divergence' when the journal no longer starts at position 0.
 */
async function fallBack(host: RecoveryHost, options: { id: string; journal: Journal; from: number | undefined; error: unknown; when: 'opening' | 'restoring' }): Promise<void> {
  const { id, journal, from, error } = options;
  const code = isAgentOsError(error) ? error.code : 'internal';
  const reason = error instanceof Error ? error.message : String(error);
  if (!replayableFromStart(journal)) throw unusable(id, options);
  host.audit({ kind: 'agent.snapshot-fallback', data: { agentId: id, from: from ?? null, when: options.when, code, reason, journalLength: journal.length } });
  await host.durable.dropSnapshot(id);
}

/** The error of an agent that neither its snapshot nor its (compacted) journal can rebuild. */
function unusable(id: string, options: { journal: Journal; from: number | undefined; error: unknown }): AgentOsError {
  const { journal, from, error } = options;
  const code = isAgentOsError(error) ? error.code : 'internal';
  const reason = error instanceof Error ? error.message : String(error);
  return new AgentOsError('replay-divergence', `Agent ${id} cannot be resumed: its snapshot${from === undefined ? '' : ` at position ${from}`} is ${code === 'not-found' ? 'missing' : `unusable (${reason})`} and its journal before position ${journal.first} was compacted away, so neither can rebuild its state. Import it again from a bundle taken on its original host.`, {
    cause: error, details: { agentId: id, reason: 'snapshot-unusable', from: from ?? null, journalFirst: journal.first, code },
  });
}
