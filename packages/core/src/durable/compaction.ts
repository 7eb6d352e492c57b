/**
 * Compaction: a durable agent's journal grows with every call, and replaying it
 * from the start re-runs the agent's whole life. At a quiescent point (no guest
 * call on the stack: after `run` returned, between two deliveries to a resident
 * agent) `compact` stores a snapshot of the instance taken at the journal's end;
 * recovery then instantiates fresh, restores the snapshot (`openSnapshot`) and replays only
 * the entries after it (`new Replay(entries, from)`).
 *
 * Entries before the snapshot stay in the Store: the journal's positions must stay
 * contiguous for `Journal.open`, and usage accounting (calls, tokens) still reads
 * them. The snapshot's position marks them as no longer needed for replay.
 */
import type { Store as SandboxStore } from '../../../sandbox/src/engine/index.ts';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { Journal } from '../journal/index.ts';
import type { AgentStore } from './agent-store.ts';
import { readSnapshot, restoreStore, snapshotStore } from './snapshot.ts';

/**
 * Snapshots the instance in `store` at the journal's current end and keeps it as the
 * agent's latest snapshot, after the journal itself is durable (the snapshot must never
 * be ahead of the entries it stands for).
 * @throws AgentOsError 'illegal-state' when the journal's last call has not completed (not a
 *   quiescent point); 'unsupported-feature' when the component's state cannot be captured
 *   (loaded without `exportState`, or tables changed at run time: keep replaying from the start);
 *   the Store's errors.
 */
export async function compact(options: { agents: AgentStore; journal: Journal; store: SandboxStore; meta?: unknown }): Promise<{ seq: number; bytes: number }> {
  const { journal } = options;
  const last = journal.entries.at(-1);
  if (last && last.state !== 'completed') {
    throw new AgentOsError('illegal-state', `Agent ${journal.agentId} is inside call ${last.seq} (${last.interface}#${last.function}); snapshot only between invocations.`);
  }
  const seq = journal.length;
  const bytes = snapshotStore(options.store, { seq, meta: options.meta });
  await journal.flush();
  await options.agents.putSnapshot(journal.agentId, bytes);
  return { seq, bytes: bytes.length };
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
