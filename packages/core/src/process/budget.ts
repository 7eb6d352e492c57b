/**
 * Budget arithmetic: filling in defaults, adding spend, and finding the first
 * dimension that is used up.
 */

import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { Budget } from './record.ts';

export const BUDGET_DIMENSIONS = ['fuel', 'tokens', 'wallMs', 'calls'] as const;

/**
 * Completes a partial budget; a missing dimension is unlimited (`Infinity`),
 * or zero when `missing: 0` (for deltas).
 * @throws AgentOsError 'invalid-argument' when a dimension is negative or NaN, or a full budget has no fuel.
 */
export function toBudget(partial: Partial<Budget>, options: { missing: number; what: string }): Budget {
  const budget: Budget = {
    fuel: partial.fuel ?? options.missing,
    tokens: partial.tokens ?? options.missing,
    wallMs: partial.wallMs ?? options.missing,
    calls: partial.calls ?? options.missing,
  };
  for (const dimension of BUDGET_DIMENSIONS) {
    const value = budget[dimension];
    if (typeof value !== 'number' || !(value >= 0)) {
      throw new AgentOsError('invalid-argument', `${options.what}.${dimension} must be a number >= 0 (or Infinity), got ${String(value)}.`, {
        details: { dimension, value: String(value) },
      });
    }
  }
  return budget;
}

/** The first dimension in which `spent` has reached `budget`, or undefined while all have room. */
export function exhaustedDimension(budget: Readonly<Budget>, spent: Readonly<Budget>): keyof Budget | undefined {
  for (const dimension of BUDGET_DIMENSIONS) {
    if (spent[dimension] >= budget[dimension]) return dimension;
  }
  return undefined;
}

export function addInto(target: Budget, delta: Readonly<Budget>): void {
  target.fuel += delta.fuel;
  target.tokens += delta.tokens;
  target.wallMs += delta.wallMs;
  target.calls += delta.calls;
}
