/**
 * Rebuilding a durable agent's sandbox: the fresh `AgentSandbox` that re-creates
 * an agent by replay — recovered from its record after a restart or an import,
 * evicted while it waits for a human, or replaying from the start after its
 * snapshot was refused — with the fuel replay must not charge twice and the
 * spend the process still owes. recovery.ts decides which one an agent gets.
 */
import type { Component } from '../../../sandbox/src/index.ts';
import type { Journal } from '../journal/index.ts';
import { journalUsage, type RuntimeRecord } from './durability.ts';
import { AgentSandbox, type Resume } from './sandbox.ts';

/**
 * The sandbox of an agent rebuilt from its record. Replay re-runs the guest up to
 * where it stood, without charging that fuel again (`fuelCredit`). A record that
 * holds the spend restores it in the process (ProcessManager.restore); only what
 * the journal shows beyond the record's checkpoint (a crash mid-slice) is owed
 * with the first slice. An older record without it is charged its journal usage
 * (such records come from runtimes that never discarded entries, so the journal is whole).
 *
 * Positions are absolute and `journal.entries` holds only the retained ones: a journal
 * never starts past its record's checkpoint (`Durability.discard`), so the entries beyond
 * the checkpoint are all still there.
 */
export function restoredSandbox(options: { record: RuntimeRecord; component: Component; journal: Journal; checkEvery: bigint; resume?: Resume }): AgentSandbox {
  const { record, journal, resume } = options;
  const sandbox = new AgentSandbox({ component: options.component, entry: record.entry, checkEvery: options.checkEvery });
  const usage = journalUsage(journal.entries);
  // A snapshot taken after the last entry shows more fuel than the journal does.
  const shown = resume && resume.fuelUsed > usage.fuel ? resume.fuelUsed : usage.fuel;
  sandbox.awaitingApproval = record.suspendReason === 'approval';
  sandbox.resume = resume;
  sandbox.snapshotSeq = resume?.from ?? 0;
  if (!record.spent) {
    sandbox.fuelCredit = shown;
    sandbox.owed = { fuel: Number(shown), tokens: usage.tokens, calls: usage.calls };
    return sandbox;
  }
  const checkpoint = record.checkpoint ?? { instanceFuel: '0', journalLength: 0 };
  const instanceFuel = BigInt(checkpoint.instanceFuel);
  const beyond = journalUsage(journal.entries.slice(Math.max(0, checkpoint.journalLength - journal.first)));
  sandbox.fuelCredit = shown > instanceFuel ? shown : instanceFuel;
  sandbox.owed = { fuel: Number(shown > instanceFuel ? shown - instanceFuel : 0n), tokens: beyond.tokens, calls: beyond.calls };
  return sandbox;
}

/**
 * Drops a parked guest's instance and returns a fresh sandbox that re-creates
 * it by replay. The old guest stays suspended on a promise nobody settles and
 * is collected with its instance.
 */
export function evictedSandbox(old: AgentSandbox, options: { checkEvery: bigint; resume?: Resume }): AgentSandbox {
  old.release();
  const fresh = new AgentSandbox({ component: old.component, entry: old.entry, checkEvery: options.checkEvery });
  // The process was charged for everything the old instance ran; replay runs it again for free.
  fresh.fuelCredit = old.store.fuel.used;
  fresh.awaitingApproval = true;
  fresh.resume = options.resume;
  // Not the old one's: a snapshot dropped as unusable must not count as one (compaction counts from it).
  fresh.snapshotSeq = options.resume?.from ?? 0;
  fresh.snapshots = old.snapshots;
  carryInFlight(old, fresh);
  return fresh;
}

/**
 * A fresh sandbox that rebuilds the agent by full replay, after its snapshot was refused by the
 * instance (the refused instance is dropped: it may hold part of the snapshot). The slice that
 * found out has been charged; replay re-runs everything up to where the agent stood for free.
 */
export function replayingSandbox(old: AgentSandbox, checkEvery: bigint): AgentSandbox {
  old.release();
  const fresh = new AgentSandbox({ component: old.component, entry: old.entry, checkEvery });
  fresh.fuelCredit = old.fuelCredit > old.store.fuel.used ? old.fuelCredit : old.store.fuel.used;
  fresh.awaitingApproval = old.awaitingApproval;
  fresh.snapshots = old.snapshots;
  carryInFlight(old, fresh);
  return fresh;
}

/**
 * Hands the request the old instance was handling to the fresh sandbox: its replayed delivery
 * answers it (delivery.ts), and the old guest call, if it ever went on, finds it gone.
 */
function carryInFlight(old: AgentSandbox, fresh: AgentSandbox): void {
  fresh.inFlight = old.inFlight;
  old.inFlight = undefined;
}

/**
 * Whether the journal still holds every entry from position 0, so the agent can be rebuilt by
 * full replay (compaction discards the entries before a snapshot: then only the snapshot can).
 */
export function replayableFromStart(journal: Journal): boolean {
  return journal.first === 0;
}
