/**
 * Priority scheduling with aging, so low priorities never starve.
 *
 * A process waiting `agingTicks` decisions gains one priority level. Rather
 * than rescanning the queue to age everyone, each entry's key is fixed when it
 * is enqueued: effective priority at decision `now` is
 * `priority + (now - enqueuedAt) / agingTicks`, and comparing two entries the
 * `now` term cancels, so ordering by `enqueuedAt - priority * agingTicks`
 * (smallest first) is the same as ordering by effective priority. The queue is
 * then an ordinary binary heap with static keys.
 *
 * Bound: with priorities in [pMin, pMax] and N processes queued, a process
 * waits at most `N + (pMax - pMin) * agingTicks` decisions.
 */

import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { IndexedHeap, type HeapNode } from './heap.ts';
import {
  DEFAULT_SLICE_FUEL, alreadyQueued, requireInteger, requirePositive,
  type Dispatch, type SchedulableProcess, type SchedulingPolicy, type SliceReport,
} from './policy.ts';

export interface PriorityOptions {
  /** Fuel per slice; default 1,000,000. */
  sliceFuel?: number;
  /** Decisions a process waits to gain one priority level; default 64. */
  agingTicks?: number;
}

interface Entry<P> extends HeapNode {
  proc: P;
}

export class PriorityPolicy<P extends SchedulableProcess = SchedulableProcess> implements SchedulingPolicy<P> {
  readonly name = 'priority' as const;
  readonly #sliceFuel: number;
  readonly #agingTicks: number;
  readonly #heap = new IndexedHeap<Entry<P>>();
  readonly #entries = new Map<string, Entry<P>>();
  /** Virtual time: the number of decisions made so far. */
  #tick = 0;
  #seq = 0;

  /** @throws AgentOsError 'invalid-argument' when an option is out of range. */
  constructor(options: PriorityOptions = {}) {
    this.#sliceFuel = requirePositive('sliceFuel', options.sliceFuel ?? DEFAULT_SLICE_FUEL, { allowInfinity: true });
    this.#agingTicks = requireInteger('agingTicks', options.agingTicks ?? 64, 1);
  }

  get size(): number {
    return this.#heap.size;
  }

  /** Decisions made so far (the virtual time aging is measured in). */
  get tick(): number {
    return this.#tick;
  }

  /** @throws AgentOsError 'invalid-argument' when the priority is not a finite number. */
  enqueue(proc: P): void {
    if (!Number.isFinite(proc.priority)) {
      throw new AgentOsError('invalid-argument', `Process ${proc.id} has priority ${proc.priority}; use a finite number.`, {
        details: { id: proc.id, priority: proc.priority },
      });
    }
    // Entries outlive a dequeue (until `remove`), so a process cycling through
    // the queue costs no allocation and no map insert per decision.
    let entry = this.#entries.get(proc.id);
    if (entry === undefined) {
      entry = { proc, key: 0, seq: 0, heapIndex: -1 };
      this.#entries.set(proc.id, entry);
    } else if (entry.heapIndex >= 0) {
      throw alreadyQueued(this.name, proc.id);
    }
    entry.key = this.#tick - proc.priority * this.#agingTicks;
    entry.seq = this.#seq++;
    this.#heap.push(entry);
  }

  dequeue(): Dispatch<P> | undefined {
    const entry = this.#heap.pop();
    if (entry === undefined) return undefined;
    this.#tick++;
    return { proc: entry.proc, sliceFuel: this.#sliceFuel };
  }

  onSliceEnd(_proc: P, _report: SliceReport): void {
    // Priority is the caller's to set; a re-enqueued process starts aging afresh.
  }

  remove(proc: P): boolean {
    const entry = this.#entries.get(proc.id);
    if (entry === undefined) return false;
    this.#entries.delete(proc.id);
    return this.#heap.remove(entry);
  }

  has(proc: P): boolean {
    const entry = this.#entries.get(proc.id);
    return entry !== undefined && entry.heapIndex >= 0;
  }
}
