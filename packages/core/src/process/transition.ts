/**
 * Transition records: the plain, JSON-safe facts about each lifecycle move,
 * handed to an `onTransition` sink (the runtime forwards them to the audit log).
 */

import type { ProcessStatus } from './record.ts';

export type TransitionAction =
  | 'submit'
  /** A process re-created from a kept record (after a restart), with its spend so far. */
  | 'restore'
  | 'initialize'
  | 'ready'
  | 'dispatch'
  | 'preempt'
  | 'block'
  | 'exhaust-budget'
  | 'wake'
  | 'extend-budget'
  | 'pause'
  | 'resume'
  | 'complete'
  | 'fail'
  | 'terminate';

export interface TransitionRecord {
  action: TransitionAction;
  agentId: string;
  /** null for `submit` and `restore`, which create the process. */
  from: ProcessStatus | null;
  to: ProcessStatus;
  /** Why, in words (an operator's reason, the suspension reason, the spent dimension). */
  reason: string;
  /** Milliseconds since the epoch, by the manager's clock. */
  at: number;
}

/** Receives every transition, after it took effect. */
export type TransitionSink = (record: TransitionRecord) => void;

/** The state a call left the process in, and the record of the move. */
export interface TransitionResult {
  status: ProcessStatus;
  record: TransitionRecord;
}
