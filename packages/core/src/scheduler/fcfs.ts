/**
 * First come, first served: one FIFO queue.
 *
 * With the default unlimited slice a process runs until it blocks, finishes or
 * spends its own fuel budget; with a finite `sliceFuel` it becomes round robin
 * (a preempted process rejoins at the back).
 */

import { append, createList, isLinked, shift, unlink, type ListNode } from './list.ts';
import { alreadyQueued, requirePositive, type Dispatch, type SchedulableProcess, type SchedulingPolicy, type SliceReport } from './policy.ts';

export interface FcfsOptions {
  /** Fuel per slice; default `Infinity` (run to completion). */
  sliceFuel?: number;
}

interface Entry<P> extends ListNode {
  proc: P;
}

export class FcfsPolicy<P extends SchedulableProcess = SchedulableProcess> implements SchedulingPolicy<P> {
  readonly name = 'fcfs' as const;
  readonly #sliceFuel: number;
  readonly #queue = createList();
  readonly #entries = new Map<string, Entry<P>>();
  #size = 0;

  /** @throws AgentOsError 'invalid-argument' when `sliceFuel` is not > 0. */
  constructor(options: FcfsOptions = {}) {
    this.#sliceFuel = requirePositive('sliceFuel', options.sliceFuel ?? Infinity, { allowInfinity: true });
  }

  get size(): number {
    return this.#size;
  }

  enqueue(proc: P): void {
    // Entries outlive a dequeue (until `remove`): no allocation or map insert per decision.
    let entry = this.#entries.get(proc.id);
    if (entry === undefined) {
      entry = { prev: undefined, next: undefined, proc } as unknown as Entry<P>;
      entry.prev = entry;
      entry.next = entry;
      this.#entries.set(proc.id, entry);
    } else if (isLinked(entry)) {
      throw alreadyQueued(this.name, proc.id);
    }
    append(this.#queue, entry);
    this.#size++;
  }

  dequeue(): Dispatch<P> | undefined {
    const entry = shift(this.#queue) as Entry<P> | undefined;
    if (entry === undefined) return undefined;
    this.#size--;
    return { proc: entry.proc, sliceFuel: this.#sliceFuel };
  }

  onSliceEnd(_proc: P, _report: SliceReport): void {
    // Arrival order is all FCFS knows; what a slice used does not change it.
  }

  remove(proc: P): boolean {
    const entry = this.#entries.get(proc.id);
    if (entry === undefined) return false;
    this.#entries.delete(proc.id);
    if (!isLinked(entry)) return false;
    unlink(entry);
    this.#size--;
    return true;
  }

  has(proc: P): boolean {
    const entry = this.#entries.get(proc.id);
    return entry !== undefined && isLinked(entry);
  }
}
