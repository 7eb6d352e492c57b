/**
 * The runtime's durable side (when `RuntimeOptions.durable` is set): journals
 * each process's capability calls, keeps agent records and approval requests
 * in the Store, and plans where an agent re-created by replay resumes — after
 * a restart (`recover`), after an import, or after it was evicted while waiting
 * for a human (its sandbox is built by rebuild.ts). The runtime calls in at
 * spawn, instantiation, slice end and on every transition; the storage formats
 * live in durable/.
 *
 * Compaction: a resident agent's journal grows with every message. At quiescent
 * points after `run` returned (no guest call on the stack) its instance is
 * snapshotted (durable/compaction.ts) once the journal has grown by
 * `compactEvery` entries; recovery restores the snapshot into a fresh instance
 * and replays only the entries after it. Components loaded through `engine`
 * (instrumented with `exportState`) can be snapshotted; one whose state JS
 * cannot copy stays journal-only. An agent evicted while it waits for a human
 * is rebuilt the same way: its latest snapshot, then the entries after it.
 *
 * Discarding (`durable.discard`, default on): once a snapshot at P is durable,
 * the journal entries before it are deleted — at the end of the slice that took
 * it, after the agent record of that slice is durable, and never past that
 * record's checkpoint. Why not at once: recovery charges a process what its
 * journal shows beyond the record's checkpoint (a crash mid-slice); deleting
 * those entries before the record moved past them would lose that spend.
 *
 * A snapshot the agent cannot use (unreadable, taken from another component,
 * refused by the fresh instance) is never run on: `plan` reports it, and the
 * runtime replays from the start when the journal still holds every entry
 * (recovery.ts), or fails the agent when compaction discarded them.
 */
import { AgentOsError, isAgentOsError } from '../../../sandbox/src/errors/index.ts';
import { Engine, instrument, type HostImports } from '../../../sandbox/src/index.ts';
import type { AuditSigner } from '../audit/index.ts';
import {
  AGENT_FORMAT, AgentStore, compact, fromStoredBudget, journalImports, openSnapshot, toStoredBudget,
  type AgentRecord, type JournaledImports, type OpenedSnapshot, type StoredBudget,
} from '../durable/index.ts';
import { decodeValue, Replay, toHexString, type Effect, type Journal, type JournalEntry } from '../journal/index.ts';
import type { AgentProcess, Budget } from '../process/index.ts';
import { ASYNC_IMPORTS } from './host-imports.ts';
import type { DurableOptions } from './options.ts';
import type { AgentStatus } from './status.ts';
import type { AgentResult, AgentSandbox, Resume } from './sandbox.ts';
import { isDelivery } from './delivery.ts';

/** Imports whose calls have effects outside the agent: journaled as started before they run, retried with their key. */
const EXTERNAL = new Set(['kv#set', 'kv#delete', 'http#fetch', 'llm#complete', 'bus#send', 'bus#publish', 'bus#subscribe', 'bus#request', 'approval#request', 'tools#call']);

/** `agentos:runtime/<iface>@0.1.0#<kebab>` → `agentos:runtime/<iface>#<camel>` (how the host object names it). */
const ASYNC_FUNCTIONS: ReadonlySet<string> = new Set(ASYNC_IMPORTS.map((name) => {
  const [iface, fn] = name.split('#');
  return `${iface.replace(/@[^@]*$/, '')}#${fn.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())}`;
}));

function effectOf(name: string): Effect {
  const [iface, fn] = name.split('#');
  const short = `${iface.slice(iface.lastIndexOf('/') + 1)}#${fn.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return EXTERNAL.has(short) ? 'external' : 'read';
}

/**
 * The agent record as the runtime writes it: the durable format plus what the
 * process had spent and where its guest stood when that spend was counted (both
 * optional: records written before they existed restore from the journal alone).
 */
export interface RuntimeRecord extends AgentRecord {
  spent?: StoredBudget;
  checkpoint?: Checkpoint;
  /** Stays on the bus after `run` returned (SpawnRequest.resident); absent = false. */
  resident?: boolean;
}

/** Where a guest stood at its last slice end: fuel of its instance (as replay counts it) and journal length. */
export interface Checkpoint {
  /** Decimal string (a bigint). */
  instanceFuel: string;
  journalLength: number;
}

/** What the runtime knows of a durable agent beyond its process record. */
export interface AgentIdentity {
  entry: 'run' | 'invoke';
  componentHash: string;
  resident?: boolean;
}

/**
 * Usage a journal shows: completed calls (a started one is charged when it is
 * retried), tokens of completed `llm.complete` calls, and the fuel used at the last call.
 */
export function journalUsage(entries: readonly JournalEntry[]): { calls: number; tokens: number; fuel: bigint } {
  let tokens = 0;
  let calls = 0;
  for (const entry of entries) {
    // A delivery is an input to the agent, not a call it made.
    if (entry.state === 'completed' && !isDelivery(entry)) calls++;
    if (entry.function !== 'complete' || entry.state !== 'completed' || entry.result === undefined) continue;
    const result = decodeValue(entry.result) as { tag?: string; val?: { usage?: { inputTokens?: number; outputTokens?: number } } };
    if (result?.tag === 'ok') tokens += (result.val?.usage?.inputTokens ?? 0) + (result.val?.usage?.outputTokens ?? 0);
  }
  const last = entries.at(-1);
  return { calls, tokens, fuel: last ? BigInt(last.fuelAtCall) : 0n };
}

const DEFAULT_COMPACT_EVERY = 16;

/** What the runtime notes with each snapshot: the export call's result it was taken after, and the component it ran. */
export interface SnapshotMeta {
  result: AgentResult;
  /** SHA-256 (hex) of the component; a snapshot never goes into another one. */
  componentHash: string;
}

/** Where a rebuilt agent resumes (`Durability.plan`). `from` is undefined when the snapshot is unreadable. */
export type ResumePlan =
  | { kind: 'start' }
  | { kind: 'snapshot'; resume: Resume }
  | { kind: 'refused'; from: number | undefined; error: AgentOsError };

/** Shared by every durable runtime without its own `durable.engine` (compiled code is cached by content). */
let stateEngine: Engine | undefined;

function defaultStateEngine(): Engine {
  stateEngine ??= new Engine({ instrument: (bytes, options) => instrument(bytes, { ...options, exportState: true }) });
  return stateEngine;
}

export class Durability {
  readonly agents: AgentStore;
  readonly signer: AuditSigner | undefined;
  /** Loads durable agents' components with state exports (a separate cache: the engine's key does not include them). */
  readonly engine: Engine;
  readonly #compactEvery: number;
  readonly #discard: boolean;
  /** Position of each agent's durable snapshot, as far as this runtime knows (taken, or opened by `plan`). */
  readonly #snapshots = new Map<string, number>();
  readonly #journals = new Map<string, Promise<Journal>>();
  readonly #identities = new Map<string, AgentIdentity>();

  /** @throws AgentOsError 'invalid-argument' when `compactEvery` is not a number >= 1. */
  constructor(options: DurableOptions) {
    this.agents = new AgentStore(options.store);
    this.signer = options.signer;
    this.engine = options.engine ?? defaultStateEngine();
    this.#compactEvery = options.compactEvery ?? DEFAULT_COMPACT_EVERY;
    this.#discard = options.discard ?? true;
    if (!(this.#compactEvery >= 1)) {
      throw new AgentOsError('invalid-argument', `durable.compactEvery must be >= 1 journal entries (Infinity turns compaction off); got ${this.#compactEvery}.`);
    }
  }

  identify(id: string, identity: AgentIdentity): void {
    this.#identities.set(id, identity);
  }

  identity(id: string): AgentIdentity | undefined {
    return this.#identities.get(id);
  }

  /** The agent's journal, opened once per runtime. */
  journal(id: string): Promise<Journal> {
    let journal = this.#journals.get(id);
    if (!journal) {
      journal = this.agents.openJournal(id);
      this.#journals.set(id, journal);
    }
    return journal;
  }

  /** Drops the cached journal of an agent that ended (after its last flush). */
  forget(id: string): void {
    const journal = this.#journals.get(id);
    this.#journals.delete(id);
    this.#snapshots.delete(id);
    if (journal) this.agents.enqueue(async () => (await journal).flush());
  }

  /**
   * Wraps a process's imports: calls already journaled are replayed, new ones journaled.
   * Also returns the replay, which serves the journaled deliveries too (delivery.ts).
   */
  wrap(imports: HostImports, options: { journal: Journal; sandbox: AgentSandbox; now: () => number }): JournaledImports & { replay: Replay } {
    const { journal, sandbox } = options;
    // Built from the Journal, not its entries: positions stay absolute, so a compacted journal (even one
    // with no entry retained) still refuses a replay from before its first position.
    const replay = new Replay(journal, sandbox.resume?.from ?? 0);
    const journaled = journalImports(imports, {
      journal,
      replay,
      fuelUsed: () => sandbox.store.fuel.used,
      now: options.now,
      asyncFunctions: ASYNC_FUNCTIONS,
      effectOf,
      stopped: () => sandbox.stopped,
    });
    return { ...journaled, replay };
  }

  /**
   * Compaction at a quiescent point of a resident agent (its export call returned, no guest call
   * on the stack): snapshots the instance once replay has caught up and the journal has grown by
   * `compactEvery` entries since the last snapshot. A component whose state cannot be captured is
   * left journal-only.
   * @returns the snapshot's journal position and size, or undefined when none was taken.
   * @throws the Store's errors.
   */
  async compact(options: { journal: Journal; replay: Replay; sandbox: AgentSandbox }): Promise<{ seq: number; bytes: number } | undefined> {
    const { journal, replay, sandbox } = options;
    if (!sandbox.snapshots || replay.replaying || !sandbox.result?.ok) return undefined;
    if (journal.length - sandbox.snapshotSeq < this.#compactEvery) return undefined;
    try {
      const meta: SnapshotMeta = { result: sandbox.result, componentHash: sandbox.component.hash };
      // Entries are discarded later, at the slice end (`discard`): see the module comment.
      const taken = await compact({ agents: this.agents, journal, store: sandbox.store, meta });
      sandbox.snapshotSeq = taken.seq;
      this.#snapshots.set(journal.agentId, taken.seq);
      return taken;
    } catch (error) {
      if (!isAgentOsError(error) || error.code !== 'unsupported-feature') throw error;
      sandbox.snapshots = false;
      return undefined;
    }
  }

  /**
   * Deletes the journal entries an agent's durable snapshot made unneeded: those before the
   * snapshot, but none at or after `checkpoint.journalLength` (call only once the record holding
   * that checkpoint is durable). Does nothing with `durable.discard: false`, without a snapshot
   * known to this runtime, or for an agent it forgot.
   * @returns how many entries were deleted.
   * @throws the Store's errors (the journal is left as it was, see `Journal.discardBefore`).
   */
  async discard(id: string, checkpoint: Checkpoint): Promise<number> {
    const snapshot = this.#snapshots.get(id);
    if (!this.#discard || snapshot === undefined) return 0;
    const journal = await this.journal(id);
    const before = Math.min(snapshot, checkpoint.journalLength);
    return before > journal.first ? journal.discardBefore(before) : 0;
  }

  /** Deletes the agent's snapshot (an unusable one: the next rebuild must not meet it again). */
  async dropSnapshot(id: string): Promise<void> {
    this.#snapshots.delete(id);
    await this.agents.deleteSnapshot(id);
  }

  /**
   * Where a rebuilt agent (recovered, imported, evicted) resumes, as its latest snapshot says:
   * from the start (none), from the snapshot, or `refused` — a snapshot it cannot use: unreadable,
   * taken from another component than `componentHash`, or without the export call's result.
   * @throws the Store's errors.
   */
  async plan(id: string, componentHash: string): Promise<ResumePlan> {
    let snapshot: OpenedSnapshot | undefined;
    try {
      snapshot = await openSnapshot({ agents: this.agents, agentId: id });
    } catch (error) {
      if (!isAgentOsError(error)) throw error;
      return { kind: 'refused', from: undefined, error };
    }
    if (!snapshot) return { kind: 'start' };
    const { from } = snapshot;
    const meta = (snapshot.meta ?? {}) as Partial<SnapshotMeta>;
    const refuse = (why: string): ResumePlan => ({
      kind: 'refused', from, error: new AgentOsError('illegal-state', `The snapshot of agent ${id} at position ${from} ${why}.`, { details: { id, from } }),
    });
    // Snapshots written before the hash was noted carry none: the instance's own check (layout) still applies.
    if (meta.componentHash !== undefined && meta.componentHash !== componentHash) return refuse(`was taken from component ${meta.componentHash}, not ${componentHash}`);
    const result = meta.result;
    if (result?.ok !== true || typeof result.value !== 'string') return refuse('does not note the result of the export call it was taken after');
    this.#snapshots.set(id, from);
    return { kind: 'snapshot', resume: { from, fuelUsed: snapshot.fuelUsed, result, restore: snapshot.restore } };
  }

  /** The record to store for a process as it stands. */
  record(process: AgentProcess, result: AgentResult | undefined, checkpoint?: Checkpoint): RuntimeRecord | undefined {
    const identity = this.#identities.get(process.id);
    if (!identity) return undefined;
    return {
      format: AGENT_FORMAT, id: process.id, type: process.type, entry: identity.entry, componentHash: identity.componentHash,
      goal: process.goal, tenant: process.tenant, priority: process.priority, workspaceId: process.workspaceId ?? process.id,
      budget: toStoredBudget(process.budget), status: process.status, suspendReason: process.suspendReason ?? null,
      result: result ?? null, createdAt: process.createdAt, updatedAt: process.updatedAt,
      spent: toStoredBudget(process.spent), checkpoint: checkpoint ?? { instanceFuel: '0', journalLength: 0 },
      ...(identity.resident ? { resident: true } : {}),
    };
  }

  /** Queues a write of the process's record (read when the write runs, so bursts coalesce to the latest state). */
  persist(read: () => AgentRecord | undefined): void {
    this.agents.enqueue(async () => {
      const record = read();
      if (record) await this.agents.putRecord(record);
    });
  }

  /** Queues a write of an approval request. */
  persistApproval(request: { id: string; agentId: string }): void {
    const copy = structuredClone(request);
    this.agents.enqueue(() => this.agents.putApproval(copy.agentId, copy));
  }

  /** Resolves once every queued record/approval write and every journal entry is durable. */
  async flush(): Promise<void> {
    await this.agents.flush();
    for (const journal of this.#journals.values()) await (await journal).flush();
  }
}

/** A live instance's state: two runs that agree on it are in the same state. */
export interface InstanceState {
  fuelUsed: bigint;
  /** SHA-256 (hex) over every linear memory of the instance, in instantiation order. */
  memorySha256: string;
  memoryBytes: number;
}

export async function instanceState(sandbox: AgentSandbox): Promise<InstanceState> {
  const memories = sandbox.store.memories;
  let total = 0;
  for (const memory of memories) total += memory.buffer.byteLength;
  const all = new Uint8Array(total);
  let offset = 0;
  for (const memory of memories) {
    all.set(new Uint8Array(memory.buffer), offset);
    offset += memory.buffer.byteLength;
  }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
  return { fuelUsed: sandbox.store.fuel.used, memorySha256: toHexString(digest), memoryBytes: total };
}

/** What a record says the agent had spent (zeros for a record without it). */
export function recordedSpend(record: RuntimeRecord): Budget {
  return record.spent ? fromStoredBudget(record.spent) : { fuel: 0, tokens: 0, wallMs: 0, calls: 0 };
}

/** The status of an agent that had ended before this runtime recovered it (spend as its record kept it). */
export function endedStatus(record: RuntimeRecord): AgentStatus {
  return {
    id: record.id, type: record.type, status: record.status, suspendReason: undefined, budget: fromStoredBudget(record.budget),
    spent: recordedSpend(record), result: (record.result ?? undefined) as AgentResult | undefined, pendingApprovals: [], memoryBytes: 0,
  };
}
