/**
 * The shapes that go in and out of the process manager: options, requests,
 * and results. Kept apart so the manager file reads as behaviour only.
 */

import type { Clock } from '../clock/index.ts';
import type { AdmissionControl, AdmissionOptions, RefusalCode, SchedulingPolicy } from '../scheduler/index.ts';
import type { AgentProcess, Budget, ProcessStatus } from './record.ts';
import type { TransitionRecord, TransitionSink } from './transition.ts';

export interface ProcessManagerOptions<S> {
  /** Decides who runs next; the manager enqueues runnable processes into it. */
  policy: SchedulingPolicy<AgentProcess<S>>;
  /** Limits checked at submit; default admits everything. */
  admission?: AdmissionControl | AdmissionOptions;
  /** Stamps records and measures slice wall time; default the host clock. */
  clock?: Clock;
  /** Receives every transition record (forward them to the audit log). A throwing sink propagates to the caller. */
  onTransition?: TransitionSink;
  /** Makes process ids; default `crypto.randomUUID()`. */
  newId?: () => string;
}

export interface SubmitRequest {
  goal: string;
  type: string;
  tenant: string;
  /** Missing dimensions are unlimited (admission may refuse that). */
  budget: Partial<Budget>;
  /** Higher runs first under the priority policy; default 0. */
  priority?: number;
  capabilities?: readonly string[];
  workspaceId?: string;
}

/** A process kept elsewhere (a durable record), re-created under its id with its spend. */
export interface RestoreRequest extends SubmitRequest {
  id: string;
  /** What it had spent before (missing dimensions: 0). */
  spent: Partial<Budget>;
  /** When it was first submitted (ms since the epoch); default now. */
  createdAt?: number;
}

export type SubmitResult = { ok: true; id: string } | { ok: false; code: RefusalCode; reason: string };

/** A decision handed to the runtime: run `process` for at most `sliceFuel` fuel. */
export interface DispatchResult<S> {
  process: AgentProcess<S>;
  /** Never more than the process's remaining fuel budget; `Infinity` when neither limits it. */
  sliceFuel: number;
  /** Wall time the process has left (ms): the runtime sets the sandbox's deadline from it. */
  wallMsLeft: number;
}

/** What the guest does after its slice. */
export type SliceOutcome = 'continue' | 'await-approval' | 'await-policy' | 'completed' | 'failed';

export interface SliceEnd {
  fuelUsed: number;
  tokensUsed?: number;
  calls?: number;
  /** Wall time of the slice; default measured by the manager's clock since `dispatch`. */
  wallMs?: number;
  outcome: SliceOutcome;
  /** The slice hit an error the agent survived (counts towards `failureCount`). */
  faulted?: boolean;
  /** Why, for the transition record (e.g. the error of a failed process). */
  reason?: string;
}

/** A slice that ends after an operator paused or terminated the process moves nothing, so `record` may be undefined. */
export interface SliceEndResult {
  status: ProcessStatus;
  record: TransitionRecord | undefined;
}

export type ExtendResult =
  | { ok: true; status: ProcessStatus; record: TransitionRecord | undefined }
  | { ok: false; code: RefusalCode; reason: string };
