/**
 * Compaction: a durable agent's journal grows with every call, and replaying it
 * from the start re-runs the agent's whole life. At a quiescent point (no guest
 * call on the stack: after `run` returned, between two deliveries to a resident
 * agent) `compact` stores a snapshot of the instance taken at the journal's end;
 * recovery then instantiates fresh, restores the snapshot (`openSnapshot`) and replays only
 * the entries after it (`new Replay(journal, from)`).
 *
 * With `discard`, the entries before the snapshot are then deleted
 * (`Journal.discardBefore`). The order makes every crash survivable: the journal
 * is flushed, then the snapshot written (durable), then the entries before it
 * deleted in one batch that first records where the journal now starts. A crash
 * before the snapshot is durable leaves the previous snapshot and every entry; one
 * between snapshot and delete leaves both (either replay works); a delete is all or
 * nothing (and even a store that stopped part-way leaves a journal that opens and
 * replays from the snapshot, see journal/load.ts). Once discarded, a replay from the
 * start is impossible (`Replay` refuses it with 'illegal-state'), so discard only
 * where every later replay of the agent starts from its snapshot.
 */
import type { Store as SandboxStore } from '../../../sandbox/src/engine/index.ts';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { Journal } from '../journal/index.ts';
import type { AgentStore } from './agent-store.ts';
import { readSnapshot, restoreStore, snapshotStore } from './snapshot.ts';

/**
 * Snapshots the instance in `store` at the journal's current end and keeps it as the
 * agent's latest snapshot, after the journal itself is durable (the snapshot must never
 * be ahead of the entries it stands for); with `discard`, then deletes the entries before it.
 * @returns the snapshot's position, its size, and how many entries were deleted.
 * @throws AgentOsError 'illegal-state' when the journal's last call has not completed (not a
 *   quiescent point); 'unsupported-feature' when the component's state cannot be captured
 *   (loaded without `exportState`, or tables changed at run time: keep replaying from the start);
 *   the Store's errors (the snapshot, if written, stays valid: see the module comment).
 */
export async function compact(options: { agents: AgentStore; journal: Journal; store: SandboxStore; meta?: unknown; discard?: boolean }): Promise<{ seq: number; bytes: number; discarded: number }> {
  const { journal } = options;
  const last = journal.entries.at(-1);
  if (last && last.state !== 'completed') {
    throw new AgentOsError('illegal-state', `Agent ${journal.agentId} is inside call ${last.seq} (${last.interface}#${last.function}); snapshot only between invocations.`);
  }
  const seq = journal.length;
  const bytes = snapshotStore(options.store, { seq, meta: options.meta });
  await journal.flush();
  await options.agents.putSnapshot(journal.agentId, bytes);
  const discarded = options.discard ? await journal.discardBefore(seq) : 0;
  return { seq, bytes: bytes.length, discarded };
}

/** The agent's latest snapshot, opened: where replay continues, and how to put it into an instance. */
export interface OpenedSnapshot {
  /** Journal position replay continues from (`new Replay(entries, from)`). */
  from: number;
  fuelUsed: bigint;
  /** The note `compact` was given (`meta`), as JSON read it back. */
  meta: unknown;
  /**
   * Puts the snapshot into a freshly instantiated instance of the agent's component in `store`.
   * @throws AgentOsError as `restoreStore` (another component, an instance that already ran).
   */
  restore(store: SandboxStore): void;
}

/**
 * Opens the agent's latest snapshot, or undefined when it has none (replay from 0).
 * @throws AgentOsError 'invalid-argument' for a damaged snapshot; the Store's errors.
 */
export async function openSnapshot(options: { agents: AgentStore; agentId: string }): Promise<OpenedSnapshot | undefined> {
  const bytes = await options.agents.getSnapshot(options.agentId);
  if (!bytes) return undefined;
  const { seq, fuelUsed, meta } = readSnapshot(bytes);
  return { from: seq, fuelUsed, meta, restore: (store) => void restoreStore(store, bytes) };
}
