/**
 * Scheduler: who runs next, for how much fuel, and who gets in at all.
 *
 * Five policies share one interface (`SchedulingPolicy`: enqueue, dequeue,
 * onSliceEnd, remove): FCFS, priority with aging, MLFQ, token budget
 * (cost-aware) and fair share (stride scheduling per tenant). Slices are fuel,
 * so decisions are deterministic; each decision is O(log n) or better.
 * `AdmissionControl` refuses work up front (too many live processes, budgets
 * too large) with a reason. The process manager drives both.
 */

export { AdmissionControl } from './admission.ts';
export type { AdmissionDecision, AdmissionOptions, RefusalCode } from './admission.ts';
export { createPolicy } from './create.ts';
export type { PolicySpec } from './create.ts';
export { FairSharePolicy } from './fair-share.ts';
export type { FairShareOptions } from './fair-share.ts';
export { FcfsPolicy } from './fcfs.ts';
export type { FcfsOptions } from './fcfs.ts';
export { MlfqPolicy } from './mlfq.ts';
export type { MlfqOptions } from './mlfq.ts';
export { DEFAULT_SLICE_FUEL } from './policy.ts';
export type { Dispatch, PolicyName, SchedulableProcess, SchedulingPolicy, SliceReport } from './policy.ts';
export { PriorityPolicy } from './priority.ts';
export type { PriorityOptions } from './priority.ts';
export { TokenBudgetPolicy } from './token-budget.ts';
export type { TokenBudgetOptions } from './token-budget.ts';
