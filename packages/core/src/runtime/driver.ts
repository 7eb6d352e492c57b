/**
 * The life of one guest instance as the runtime drives it: instantiate,
 * deliver the messages that arrived before it started, run the goal (one
 * long export call, parked between slices — see sandbox.ts), then deliver
 * what arrived meanwhile. A resident agent then stays idle — parked by the
 * host, not inside a call — and each message that reaches it is delivered
 * in a slice of its own, until the agent is terminated.
 *
 * A durable resident agent is compacted at its quiescent points — after `run`
 * returned and after each message — and a recovered one that has a snapshot
 * (`sandbox.resume`) skips `run`: the snapshot is restored into the fresh
 * instance and only the deliveries journaled after it are replayed.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { HostImports } from '../../../sandbox/src/index.ts';
import type { BusLink, InboxMessage } from './bus-link.ts';
import { deliverPending, type DeliveryJournal, type DeliveryOutcome } from './delivery.ts';
import { failure } from './guest-result.ts';
import type { AgentResult, AgentSandbox } from './sandbox.ts';

/** Why a resident agent's slice ended while it waits for messages. */
export const WAITING_FOR_MESSAGES = 'waiting for messages';

export interface DriveOptions {
  agentId: string;
  goal: string;
  sandbox: AgentSandbox;
  imports: HostImports;
  link: BusLink | undefined;
  /** Stay on the bus after `run` returned (see SpawnRequest.resident). */
  resident: boolean;
  /**
   * Durable agents: the journaled imports (used instead of `imports`), the journal and replay of
   * deliveries, and what to do at a quiescent point of a resident agent (compaction).
   */
  journaled?: () => Promise<{ imports: HostImports; journaling: DeliveryJournal; quiescent?: () => Promise<void> }>;
  /** The export call's result (again if a later delivery fails the agent). */
  onResult: (result: AgentResult) => void;
  onDelivered?: (message: InboxMessage, outcome: DeliveryOutcome) => void;
}

/** Runs the guest to its end; every outcome is reported through `onResult` and the sandbox's slice end. */
export async function driveGuest(options: DriveOptions): Promise<void> {
  const { sandbox } = options;
  let journaling: DeliveryJournal | undefined;
  let quiescent: (() => Promise<void>) | undefined;
  const deliver = (point: 'start' | 'idle') => deliverPending({
    agentId: options.agentId, sandbox, link: options.link, journaling, point, onDelivered: options.onDelivered,
    quiescent: point === 'idle' ? quiescent : undefined,
  });
  let result: AgentResult;
  try {
    let imports = options.imports;
    if (options.journaled) ({ imports, journaling, quiescent } = await options.journaled());
    if (!options.resident) quiescent = undefined;
    sandbox.instance = await sandbox.component.instantiate(sandbox.store, { imports });
    const resume = journaling && sandbox.resume;
    if (resume) {
      try {
        resume.restore(sandbox.store);
      } catch (error) {
        if (!resume.refused) throw error;
        // A snapshot that does not fit: the runtime rebuilds the agent by full replay in a fresh sandbox.
        await resume.refused(error);
        sandbox.finish({ outcome: 'continue', reason: 'snapshot refused: replaying from the start' });
        return;
      }
      // Snapshots are taken only after `run` returned: the instance is back there, with its result.
      result = resume.result;
    } else {
      await deliver('start');
      result = { ok: true, value: String(await sandbox.instance.call(sandbox.entry, [options.goal])) };
    }
  } catch (error) {
    result = failure(error);
  }
  options.onResult(result);
  if (result.ok) {
    try {
      await quiescent?.();
      await serve(options, deliver);
    } catch (error) {
      // Terminated while idle: the goal's result stands. Anything else failed the agent.
      if (!sandbox.stopped) {
        result = failure(error);
        options.onResult(result);
      }
    }
  }
  sandbox.finish(result.ok ? { outcome: 'completed' } : { outcome: 'failed', reason: result.error, faulted: result.code !== 'agent-error' });
}

/** Delivers what waits; a resident agent then parks until the next message wakes it. */
async function serve(options: DriveOptions, deliver: (point: 'idle') => Promise<boolean>): Promise<void> {
  const { sandbox } = options;
  for (;;) {
    if (!(await deliver('idle'))) {
      throw new AgentOsError('replay-divergence', `Agent ${options.agentId} returned from ${sandbox.entry} but its journal records more calls of that run; it cannot be resumed from this journal.`, {
        details: { agentId: options.agentId },
      });
    }
    if (!options.resident) return;
    sandbox.waitingForMessages = true;
    try {
      await sandbox.park({ outcome: 'await-policy', reason: WAITING_FOR_MESSAGES });
    } finally {
      sandbox.waitingForMessages = false;
    }
  }
}
