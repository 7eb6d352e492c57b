/**
 * The one interface every scheduling policy implements.
 *
 * A policy holds the run queue and decides who runs next and for how long.
 * Time is fuel: `dequeue` hands out a slice in fuel units, the sandbox runs the
 * guest until the slice is spent (or the guest blocks), and `onSliceEnd`
 * reports what was actually used. Policies never read a clock, so the same
 * sequence of calls always yields the same decisions.
 *
 * Protocol, per process: `enqueue` → `dequeue` → `onSliceEnd` → (`enqueue`
 * again if still runnable, or nothing while it waits). `remove` takes it out of
 * the queue, wherever it is, and forgets any state the policy kept for it.
 */

import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

/** What a policy needs to know about a process; `AgentProcess` records satisfy it. */
export interface SchedulableProcess {
  readonly id: string;
  /** Fair share groups processes by tenant. */
  readonly tenant: string;
  /** Higher runs first (used by the priority policy). */
  readonly priority: number;
}

/** A scheduling decision: run `proc` for at most `sliceFuel` units of fuel. */
export interface Dispatch<P> {
  proc: P;
  /** Fuel for this slice; `Infinity` means run until the process blocks or its own budget ends. */
  sliceFuel: number;
}

/** What happened during a slice. */
export interface SliceReport {
  /** Fuel the guest actually used in the slice. */
  fuelUsed: number;
  /** The slice ran out (the guest was preempted) rather than the guest yielding or blocking. */
  exhausted: boolean;
  /** The slice ended in an error (a failed tool call, a trap the agent recovered from). */
  failed: boolean;
  /** LLM tokens spent in the slice, for cost-aware policies. */
  tokensUsed?: number;
}

export type PolicyName = 'fcfs' | 'priority' | 'mlfq' | 'token-budget' | 'fair-share';

export interface SchedulingPolicy<P extends SchedulableProcess = SchedulableProcess> {
  readonly name: PolicyName;
  /** Processes waiting in the queue (not counting running ones). */
  readonly size: number;
  /**
   * Puts a runnable process in the queue.
   * @throws AgentOsError 'illegal-state' when the process is already queued.
   */
  enqueue(proc: P): void;
  /** Takes the next process to run and its slice, or undefined when none may run now. */
  dequeue(): Dispatch<P> | undefined;
  /** Accounts a finished slice of a dequeued process (before it is enqueued again, if ever). */
  onSliceEnd(proc: P, report: SliceReport): void;
  /** Takes the process out of the queue and forgets it; returns whether it was queued. */
  remove(proc: P): boolean;
  /** True when the process is waiting in the queue. */
  has(proc: P): boolean;
}

/** @throws AgentOsError 'invalid-argument' unless `value` is a finite number > 0 (or `Infinity` when allowed). */
export function requirePositive(name: string, value: number, options: { allowInfinity?: boolean } = {}): number {
  const ok = value > 0 && (Number.isFinite(value) || (options.allowInfinity === true && value === Infinity));
  if (!ok) {
    throw new AgentOsError('invalid-argument', `${name} must be a number > 0${options.allowInfinity ? ' (or Infinity)' : ''}, got ${value}.`, {
      details: { option: name, value },
    });
  }
  return value;
}

/** @throws AgentOsError 'invalid-argument' unless `value` is an integer >= `min`. */
export function requireInteger(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new AgentOsError('invalid-argument', `${name} must be an integer >= ${min}, got ${value}.`, {
      details: { option: name, value },
    });
  }
  return value;
}

export function alreadyQueued(policy: PolicyName, id: string): AgentOsError {
  return new AgentOsError('illegal-state', `Process ${id} is already in the ${policy} queue; dequeue it before enqueueing again.`, {
    details: { policy, id },
  });
}

export function notDispatched(policy: PolicyName, id: string): AgentOsError {
  return new AgentOsError('illegal-state', `Process ${id} has no slice to end in the ${policy} policy; it was never dequeued.`, {
    details: { policy, id },
  });
}

export const DEFAULT_SLICE_FUEL = 1_000_000;
