/**
 * Multi-level feedback queue: interactive agents stay fast, long runners sink.
 *
 * Rules (after Arpaci-Dusseau, OSTEP ch. 8):
 * - A new process starts at the top level (0); the highest non-empty level runs
 *   first, FIFO within a level.
 * - Slices grow per level: level i gets `baseSliceFuel * sliceGrowth^i`.
 * - A process that uses up its slice is demoted one level; one that yields or
 *   blocks early keeps its level.
 * - A slice that fails also demotes, by the length of the failure streak
 *   (1, then 2, then 3 levels...), so an agent stuck in a failing tool loop
 *   sinks fast; a clean slice resets the streak.
 * - Every `boostEveryFuel` units of fuel used, every process returns to the
 *   top, so nothing starves and a process whose behaviour changed is re-judged.
 *
 * The boost costs O(levels), not O(processes): the level lists are spliced onto
 * level 0, and each entry's level counts only if it was set in the current
 * boost epoch (an entry from an older epoch is at level 0).
 */

import { append, createList, isLinked, shift, spliceAll, unlink, type ListNode } from './list.ts';
import {
  DEFAULT_SLICE_FUEL, alreadyQueued, notDispatched, requireInteger, requirePositive,
  type Dispatch, type SchedulableProcess, type SchedulingPolicy, type SliceReport,
} from './policy.ts';

export interface MlfqOptions {
  /** Number of levels; default 4. */
  levels?: number;
  /** Slice at the top level; default 1,000,000 fuel. */
  baseSliceFuel?: number;
  /** Factor the slice grows by per level down; default 2. */
  sliceGrowth?: number;
  /** Fuel used (by all processes) between two boosts; default 8 bottom-level slices. */
  boostEveryFuel?: number;
}

interface Entry<P> extends ListNode {
  proc: P;
  level: number;
  /** Boost epoch in which `level` was set; older means level 0. */
  epoch: number;
  failStreak: number;
}

export class MlfqPolicy<P extends SchedulableProcess = SchedulableProcess> implements SchedulingPolicy<P> {
  readonly name = 'mlfq' as const;
  readonly #slices: number[];
  readonly #boostEveryFuel: number;
  readonly #queues: ListNode[];
  readonly #counts: number[];
  /** Every process the policy knows, queued or running; forgotten on `remove`. */
  readonly #entries = new Map<string, Entry<P>>();
  #size = 0;
  #epoch = 0;
  #fuelSinceBoost = 0;

  /** @throws AgentOsError 'invalid-argument' when an option is out of range. */
  constructor(options: MlfqOptions = {}) {
    const levels = requireInteger('levels', options.levels ?? 4, 1);
    const base = requirePositive('baseSliceFuel', options.baseSliceFuel ?? DEFAULT_SLICE_FUEL);
    const growth = requirePositive('sliceGrowth', options.sliceGrowth ?? 2);
    this.#slices = Array.from({ length: levels }, (_, level) => Math.max(1, Math.round(base * growth ** level)));
    this.#boostEveryFuel = requirePositive('boostEveryFuel', options.boostEveryFuel ?? 8 * this.#slices[levels - 1], {
      allowInfinity: true,
    });
    this.#queues = Array.from({ length: levels }, () => createList());
    this.#counts = new Array<number>(levels).fill(0);
  }

  get size(): number {
    return this.#size;
  }

  get levels(): number {
    return this.#slices.length;
  }

  /** Boosts so far (the current epoch). */
  get boosts(): number {
    return this.#epoch;
  }

  /** Slice size in fuel at `level`. */
  sliceAt(level: number): number {
    return this.#slices[level];
  }

  /** The level a known process would run at next, or undefined when the policy does not know it. */
  levelOf(proc: P): number | undefined {
    const entry = this.#entries.get(proc.id);
    return entry === undefined ? undefined : this.#levelOf(entry);
  }

  enqueue(proc: P): void {
    let entry = this.#entries.get(proc.id);
    if (entry === undefined) {
      // Built whole (links included) so every entry has the same shape.
      entry = { prev: undefined, next: undefined, proc, level: 0, epoch: this.#epoch, failStreak: 0 } as unknown as Entry<P>;
      entry.prev = entry;
      entry.next = entry;
      this.#entries.set(proc.id, entry);
    } else if (isLinked(entry)) {
      throw alreadyQueued(this.name, proc.id);
    }
    const level = this.#levelOf(entry);
    append(this.#queues[level], entry);
    this.#counts[level]++;
    this.#size++;
  }

  dequeue(): Dispatch<P> | undefined {
    if (this.#size === 0) return undefined;
    const counts = this.#counts;
    let level = 0;
    while (counts[level] === 0) level++;
    const entry = shift(this.#queues[level]) as Entry<P>;
    counts[level]--;
    this.#size--;
    entry.level = level;
    entry.epoch = this.#epoch;
    return { proc: entry.proc, sliceFuel: this.#slices[level] };
  }

  /** @throws AgentOsError 'illegal-state' when the process was never dequeued (or is still queued). */
  onSliceEnd(proc: P, report: SliceReport): void {
    const entry = this.#entries.get(proc.id);
    if (entry === undefined || isLinked(entry)) throw notDispatched(this.name, proc.id);
    let level = this.#levelOf(entry);
    if (report.failed) {
      entry.failStreak++;
      level += entry.failStreak;
    } else {
      entry.failStreak = 0;
      if (report.exhausted) level++;
    }
    entry.level = Math.min(level, this.#slices.length - 1);
    entry.epoch = this.#epoch;
    this.#fuelSinceBoost += report.fuelUsed;
    if (this.#fuelSinceBoost >= this.#boostEveryFuel) this.boost();
  }

  /** Moves every process, queued or running, back to the top level. Runs on its own every `boostEveryFuel`. */
  boost(): void {
    const top = this.#queues[0];
    for (let level = 1; level < this.#queues.length; level++) {
      spliceAll(top, this.#queues[level]);
      this.#counts[0] += this.#counts[level];
      this.#counts[level] = 0;
    }
    this.#epoch++;
    this.#fuelSinceBoost = 0;
  }

  remove(proc: P): boolean {
    const entry = this.#entries.get(proc.id);
    if (entry === undefined) return false;
    this.#entries.delete(proc.id);
    if (!isLinked(entry)) return false;
    this.#counts[this.#levelOf(entry)]--;
    this.#size--;
    unlink(entry);
    return true;
  }

  has(proc: P): boolean {
    const entry = this.#entries.get(proc.id);
    return entry !== undefined && isLinked(entry);
  }

  #levelOf(entry: Entry<P>): number {
    return entry.epoch === this.#epoch ? entry.level : 0;
  }
}
