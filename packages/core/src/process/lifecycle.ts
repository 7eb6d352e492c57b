/**
 * The process lifecycle as a table of allowed moves.
 *
 *   created → initializing → ready → running ⇄ suspended
 *   ready | running | suspended → paused (operator) → back where it was
 *   running (or paused mid-slice) → completed | failed
 *   any live state → failed | terminated;  completed | failed → terminated
 *
 * Every move goes through `assertTransition`, so an illegal one is an
 * 'illegal-state' error naming both ends, never a silent no-op.
 */

import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { ProcessStatus } from './record.ts';

const ALLOWED: Readonly<Record<ProcessStatus, readonly ProcessStatus[]>> = {
  created: ['initializing', 'failed', 'terminated'],
  initializing: ['ready', 'failed', 'terminated'],
  ready: ['running', 'paused', 'failed', 'terminated'],
  running: ['suspended', 'paused', 'completed', 'failed', 'terminated'],
  // → running: a preempted process is dispatched again; → ready: a wait ended.
  suspended: ['running', 'ready', 'paused', 'failed', 'terminated'],
  // → completed | failed: the slice in flight when the operator paused finished the job.
  paused: ['ready', 'running', 'suspended', 'completed', 'failed', 'terminated'],
  completed: ['terminated'],
  failed: ['terminated'],
  terminated: [],
};

export function canTransition(from: ProcessStatus, to: ProcessStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** @throws AgentOsError 'illegal-state' naming `from` and `to` when the move is not allowed. */
export function assertTransition(id: string, from: ProcessStatus, to: ProcessStatus): void {
  if (!canTransition(from, to)) {
    const allowed = ALLOWED[from];
    throw new AgentOsError(
      'illegal-state',
      `Process ${id} cannot go from ${from} to ${to}; from ${from} it can go to ${allowed.length ? allowed.join(', ') : 'nothing (it is final)'}.`,
      { details: { id, from, to } },
    );
  }
}

/** True while a process holds an admission slot: not completed, failed or terminated. */
export function isLive(status: ProcessStatus): boolean {
  return status !== 'completed' && status !== 'failed' && status !== 'terminated';
}
