/**
 * A bounded in-memory buffer of finished spans, waiting to be exported.
 *
 * Tracing must never take an agent down: when exports stall, the buffer
 * stays at `capacity` and drops spans instead of growing, counting every
 * drop so the loss is visible (as a metric, and in the export). By default
 * the oldest span makes room, because the recent past is what someone
 * debugging a live incident looks at; 'drop-newest' keeps the start of a
 * run instead.
 */

import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

export type OverflowPolicy = 'drop-oldest' | 'drop-newest';

export interface BufferOptions {
  /** Most items held (>= 1). Default 2048. */
  capacity?: number;
  /** Default 'drop-oldest'. */
  overflow?: OverflowPolicy;
}

/** A ring buffer: O(1) push, drops by policy when full. */
export class BoundedBuffer<T> {
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
  readonly #items: (T | undefined)[];
  #head = 0;
  #size = 0;
  #dropped = 0;

  /** @throws AgentOsError 'invalid-argument' when capacity is not an integer >= 1 or overflow is unknown. */
  constructor(options: BufferOptions = {}) {
    this.capacity = options.capacity ?? 2048;
    this.overflow = options.overflow ?? 'drop-oldest';
    if (!Number.isInteger(this.capacity) || this.capacity < 1) {
      throw new AgentOsError('invalid-argument', `Buffer capacity must be an integer >= 1, got ${this.capacity}.`, { details: { capacity: this.capacity } });
    }
    if (this.overflow !== 'drop-oldest' && this.overflow !== 'drop-newest') {
      throw new AgentOsError('invalid-argument', `Unknown overflow policy '${this.overflow}'; use 'drop-oldest' or 'drop-newest'.`, { details: { overflow: this.overflow } });
    }
    this.#items = new Array(this.capacity);
  }

  get size(): number {
    return this.#size;
  }

  /** Items dropped since the buffer was made. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Adds an item; returns false when it (or, with drop-oldest, another) had to be dropped. */
  push(item: T): boolean {
    if (this.#size < this.capacity) {
      this.#items[(this.#head + this.#size) % this.capacity] = item;
      this.#size++;
      return true;
    }
    this.#dropped++;
    if (this.overflow === 'drop-newest') return false;
    this.#items[this.#head] = item;
    this.#head = (this.#head + 1) % this.capacity;
    return false;
  }

  /** Removes and returns up to `max` items, oldest first. */
  drain(max = this.#size): T[] {
    const count = Math.min(max, this.#size);
    const out: T[] = new Array(count);
    for (let i = 0; i < count; i++) {
      out[i] = this.#items[this.#head] as T;
      this.#items[this.#head] = undefined;
      this.#head = (this.#head + 1) % this.capacity;
    }
    this.#size -= count;
    return out;
  }
}
