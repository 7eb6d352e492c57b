/**
 * Cost-aware scheduling under a token budget: cheapest expected spend first,
 * and stop when the budget cannot pay for the next slice.
 *
 * Each process has an expected token spend per slice. It starts from
 * `estimate(proc)` and then follows what its slices actually spent
 * (an exponential moving average weighted by `smoothing`). The queue is a heap
 * on that expectation. `dequeue` reserves the expectation against the budget
 * and refuses (returns undefined) when even the cheapest process no longer
 * fits; `onSliceEnd` swaps the reservation for the real spend. A new budget
 * window starts with `refill`.
 */

import { IndexedHeap, type HeapNode } from './heap.ts';
import {
  DEFAULT_SLICE_FUEL, alreadyQueued, notDispatched, requirePositive,
  type Dispatch, type SchedulableProcess, type SchedulingPolicy, type SliceReport,
} from './policy.ts';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

export interface TokenBudgetOptions<P> {
  /** Tokens all processes together may spend in this window. */
  budgetTokens: number;
  /** Expected tokens per slice of a process never run before; default 1. */
  estimate?: (proc: P) => number;
  /** Weight of the newest slice in the running expectation, in (0, 1]; default 0.5. */
  smoothing?: number;
  /** Fuel per slice; default 1,000,000. */
  sliceFuel?: number;
}

interface Entry<P> extends HeapNode {
  proc: P;
  /** Tokens reserved for the running slice; 0 while queued. */
  reserved: number;
  running: boolean;
}

export class TokenBudgetPolicy<P extends SchedulableProcess = SchedulableProcess> implements SchedulingPolicy<P> {
  readonly name = 'token-budget' as const;
  readonly #sliceFuel: number;
  readonly #smoothing: number;
  readonly #estimate: (proc: P) => number;
  readonly #heap = new IndexedHeap<Entry<P>>();
  readonly #entries = new Map<string, Entry<P>>();
  #budget: number;
  #spent = 0;
  #reserved = 0;
  #seq = 0;

  /** @throws AgentOsError 'invalid-argument' when an option is out of range. */
  constructor(options: TokenBudgetOptions<P>) {
    this.#budget = requireBudget(options.budgetTokens);
    this.#sliceFuel = requirePositive('sliceFuel', options.sliceFuel ?? DEFAULT_SLICE_FUEL, { allowInfinity: true });
    const smoothing = options.smoothing ?? 0.5;
    if (!(smoothing > 0 && smoothing <= 1)) {
      throw new AgentOsError('invalid-argument', `smoothing must be in (0, 1], got ${smoothing}.`, { details: { smoothing } });
    }
    this.#smoothing = smoothing;
    this.#estimate = options.estimate ?? (() => 1);
  }

  get size(): number {
    return this.#heap.size;
  }

  /** Tokens spent by finished slices in this window. */
  get spent(): number {
    return this.#spent;
  }

  /** Tokens neither spent nor reserved for running slices. */
  get remaining(): number {
    return this.#budget - this.#spent - this.#reserved;
  }

  /** Expected tokens for the next slice of a known process. */
  expectedCost(proc: P): number | undefined {
    return this.#entries.get(proc.id)?.key;
  }

  /**
   * Starts a new window with `budgetTokens` to spend; spending in running slices
   * still counts against it when they end.
   * @throws AgentOsError 'invalid-argument' when `budgetTokens` is negative or NaN.
   */
  refill(budgetTokens: number): void {
    this.#budget = requireBudget(budgetTokens);
    this.#spent = 0;
  }

  /** @throws AgentOsError 'invalid-argument' when `estimate(proc)` is negative or not finite. */
  enqueue(proc: P): void {
    let entry = this.#entries.get(proc.id);
    if (entry === undefined) {
      entry = { proc, key: checkEstimate(proc.id, this.#estimate(proc)), seq: 0, heapIndex: -1, reserved: 0, running: false };
      this.#entries.set(proc.id, entry);
    } else if (entry.heapIndex >= 0) {
      throw alreadyQueued(this.name, proc.id);
    }
    entry.seq = this.#seq++;
    this.#heap.push(entry);
  }

  dequeue(): Dispatch<P> | undefined {
    const cheapest = this.#heap.peek();
    // The cheapest does not fit, so nothing does: stop at the budget.
    if (cheapest === undefined || cheapest.key > this.remaining) return undefined;
    this.#heap.pop();
    cheapest.reserved = cheapest.key;
    cheapest.running = true;
    this.#reserved += cheapest.key;
    return { proc: cheapest.proc, sliceFuel: this.#sliceFuel };
  }

  /** @throws AgentOsError 'illegal-state' when the process has no running slice. */
  onSliceEnd(proc: P, report: SliceReport): void {
    const entry = this.#entries.get(proc.id);
    if (entry === undefined || !entry.running) throw notDispatched(this.name, proc.id);
    const used = report.tokensUsed ?? entry.reserved;
    this.#reserved -= entry.reserved;
    this.#spent += used;
    entry.reserved = 0;
    entry.running = false;
    entry.key += this.#smoothing * (used - entry.key);
  }

  remove(proc: P): boolean {
    const entry = this.#entries.get(proc.id);
    if (entry === undefined) return false;
    this.#entries.delete(proc.id);
    // A removed running slice gives its reservation back: it will never report.
    if (entry.running) this.#reserved -= entry.reserved;
    return this.#heap.remove(entry);
  }

  has(proc: P): boolean {
    const entry = this.#entries.get(proc.id);
    return entry !== undefined && entry.heapIndex >= 0;
  }
}

function requireBudget(tokens: number): number {
  if (!(tokens >= 0)) {
    throw new AgentOsError('invalid-argument', `budgetTokens must be a number >= 0 (or Infinity), got ${tokens}.`, {
      details: { budgetTokens: tokens },
    });
  }
  return tokens;
}

function checkEstimate(id: string, estimate: number): number {
  if (!(estimate >= 0) || !Number.isFinite(estimate)) {
    throw new AgentOsError('invalid-argument', `The token estimate for process ${id} must be a finite number >= 0, got ${estimate}.`, {
      details: { id, estimate },
    });
  }
  return estimate;
}
