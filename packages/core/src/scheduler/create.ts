/**
 * Builds a policy from a plain description, so the runtime can pick one from
 * configuration (`{ kind: 'mlfq', levels: 5 }`) without importing classes.
 */

import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { FairSharePolicy, type FairShareOptions } from './fair-share.ts';
import { FcfsPolicy, type FcfsOptions } from './fcfs.ts';
import { MlfqPolicy, type MlfqOptions } from './mlfq.ts';
import type { SchedulableProcess, SchedulingPolicy } from './policy.ts';
import { PriorityPolicy, type PriorityOptions } from './priority.ts';
import { TokenBudgetPolicy, type TokenBudgetOptions } from './token-budget.ts';

export type PolicySpec<P extends SchedulableProcess = SchedulableProcess> =
  | ({ kind: 'fcfs' } & FcfsOptions)
  | ({ kind: 'priority' } & PriorityOptions)
  | ({ kind: 'mlfq' } & MlfqOptions)
  | ({ kind: 'token-budget' } & TokenBudgetOptions<P>)
  | ({ kind: 'fair-share' } & FairShareOptions);

/** @throws AgentOsError 'invalid-argument' for an unknown kind or out-of-range options. */
export function createPolicy<P extends SchedulableProcess = SchedulableProcess>(spec: PolicySpec<P>): SchedulingPolicy<P> {
  switch (spec.kind) {
    case 'fcfs':
      return new FcfsPolicy<P>(spec);
    case 'priority':
      return new PriorityPolicy<P>(spec);
    case 'mlfq':
      return new MlfqPolicy<P>(spec);
    case 'token-budget':
      return new TokenBudgetPolicy<P>(spec);
    case 'fair-share':
      return new FairSharePolicy<P>(spec);
    default: {
      const kind = (spec as { kind?: unknown }).kind;
      throw new AgentOsError('invalid-argument', `Unknown scheduling policy ${String(kind)}; use fcfs, priority, mlfq, token-budget or fair-share.`, {
        details: { kind: String(kind) },
      });
    }
  }
}
