/**
 * Process: agent processes and the manager that runs their lifecycle.
 *
 * An agent process is the OS's record of one agent working on one goal: its
 * tenant, budget and spend, granted capabilities, sandbox handle and status.
 * `ProcessManager` is the only thing that changes these records; it checks
 * every move against the lifecycle table, asks the scheduler who runs next
 * and admission control who may enter, and reports each move to a sink
 * (the audit log, wired by the runtime).
 */

export { canTransition, isLive } from './lifecycle.ts';
export { ProcessManager } from './manager.ts';
export type {
  DispatchResult, ExtendResult, ProcessManagerOptions, RestoreRequest, SliceEnd, SliceEndResult, SliceOutcome, SubmitRequest, SubmitResult,
} from './requests.ts';
export type { AgentProcess, Budget, ProcessStatus, SuspendReason } from './record.ts';
export type { TransitionAction, TransitionRecord, TransitionResult, TransitionSink } from './transition.ts';
