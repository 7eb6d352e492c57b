/**
 * Weighted fair share between tenants, by stride scheduling.
 *
 * Each tenant has a `pass`: the fuel it has used divided by its weight. The
 * tenant with the lowest pass runs next (a heap over tenants), and within a
 * tenant its processes take turns (FIFO). Over time every busy tenant's fuel
 * use converges to its share of the weights. A dequeue charges the whole slice
 * up front (so parallel dispatches spread across tenants) and `onSliceEnd`
 * refunds what was not used.
 *
 * A tenant that was idle joins at the current virtual time instead of its old
 * pass, so idleness is not banked as credit to burst with later.
 */

import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { IndexedHeap, type HeapNode } from './heap.ts';
import { append, createList, isLinked, shift, unlink, type ListNode } from './list.ts';
import {
  DEFAULT_SLICE_FUEL, alreadyQueued, notDispatched, requirePositive,
  type Dispatch, type SchedulableProcess, type SchedulingPolicy, type SliceReport,
} from './policy.ts';

export interface FairShareOptions {
  /** Fuel per slice (finite: it is charged up front); default 1,000,000. */
  sliceFuel?: number;
  /** Weights per tenant; a tenant not listed gets `defaultWeight`. */
  weights?: Record<string, number>;
  /** Weight of unlisted tenants; default 1. */
  defaultWeight?: number;
}

/** A tenant's place in the stride heap; `key` is its pass. */
interface Tenant extends HeapNode {
  name: string;
  weight: number;
  queue: ListNode;
  queued: number;
}

interface Entry<P> extends ListNode {
  proc: P;
  tenant: Tenant;
  /** Fuel charged at dequeue for the running slice; -1 while not running. */
  charged: number;
}

export class FairSharePolicy<P extends SchedulableProcess = SchedulableProcess> implements SchedulingPolicy<P> {
  readonly name = 'fair-share' as const;
  readonly #sliceFuel: number;
  readonly #defaultWeight: number;
  readonly #weights = new Map<string, number>();
  readonly #tenants = new Map<string, Tenant>();
  readonly #active = new IndexedHeap<Tenant>();
  readonly #entries = new Map<string, Entry<P>>();
  /** Pass of the tenant picked last: the virtual time idle tenants rejoin at. */
  #virtualTime = 0;
  #size = 0;
  #seq = 0;

  /** @throws AgentOsError 'invalid-argument' when the slice or a weight is not > 0. */
  constructor(options: FairShareOptions = {}) {
    this.#sliceFuel = requirePositive('sliceFuel', options.sliceFuel ?? DEFAULT_SLICE_FUEL);
    this.#defaultWeight = requirePositive('defaultWeight', options.defaultWeight ?? 1);
    for (const [tenant, weight] of Object.entries(options.weights ?? {})) this.setWeight(tenant, weight);
  }

  get size(): number {
    return this.#size;
  }

  /**
   * Sets a tenant's weight; it applies to fuel used from now on.
   * @throws AgentOsError 'invalid-argument' when `weight` is not a finite number > 0.
   */
  setWeight(tenant: string, weight: number): void {
    requirePositive(`weight of tenant ${tenant}`, weight);
    this.#weights.set(tenant, weight);
    const known = this.#tenants.get(tenant);
    if (known) known.weight = weight;
  }

  /** A tenant's pass (weighted fuel used), for inspection. */
  passOf(tenant: string): number | undefined {
    return this.#tenants.get(tenant)?.key;
  }

  enqueue(proc: P): void {
    let entry = this.#entries.get(proc.id);
    if (entry === undefined) {
      entry = { prev: undefined, next: undefined, proc, tenant: this.#tenant(proc.tenant), charged: -1 } as unknown as Entry<P>;
      entry.prev = entry;
      entry.next = entry;
      this.#entries.set(proc.id, entry);
    } else if (isLinked(entry)) {
      throw alreadyQueued(this.name, proc.id);
    }
    const tenant = entry.tenant;
    append(tenant.queue, entry);
    tenant.queued++;
    this.#size++;
    if (tenant.heapIndex < 0) {
      tenant.key = Math.max(tenant.key, this.#virtualTime);
      tenant.seq = this.#seq++;
      this.#active.push(tenant);
    }
  }

  dequeue(): Dispatch<P> | undefined {
    const tenant = this.#active.peek();
    if (tenant === undefined) return undefined;
    const entry = shift(tenant.queue) as Entry<P>;
    tenant.queued--;
    this.#size--;
    this.#virtualTime = tenant.key;
    entry.charged = this.#sliceFuel;
    tenant.key += this.#sliceFuel / tenant.weight;
    if (tenant.queued === 0) {
      this.#active.pop();
    } else {
      tenant.seq = this.#seq++;
      this.#active.update(tenant);
    }
    return { proc: entry.proc, sliceFuel: this.#sliceFuel };
  }

  /** @throws AgentOsError 'illegal-state' when the process has no running slice. */
  onSliceEnd(proc: P, report: SliceReport): void {
    const entry = this.#entries.get(proc.id);
    if (entry === undefined || entry.charged < 0) throw notDispatched(this.name, proc.id);
    this.#settle(entry, report.fuelUsed);
  }

  remove(proc: P): boolean {
    const entry = this.#entries.get(proc.id);
    if (entry === undefined) return false;
    this.#entries.delete(proc.id);
    // A running slice that will never report is charged as fully used.
    if (entry.charged >= 0) entry.charged = -1;
    if (!isLinked(entry)) return false;
    unlink(entry);
    const tenant = entry.tenant;
    tenant.queued--;
    this.#size--;
    if (tenant.queued === 0) this.#active.remove(tenant);
    return true;
  }

  has(proc: P): boolean {
    const entry = this.#entries.get(proc.id);
    return entry !== undefined && isLinked(entry);
  }

  #settle(entry: Entry<P>, fuelUsed: number): void {
    const tenant = entry.tenant;
    const wasQueued = tenant.heapIndex >= 0;
    tenant.key += (fuelUsed - entry.charged) / tenant.weight;
    entry.charged = -1;
    if (wasQueued) this.#active.update(tenant);
  }

  #tenant(name: string): Tenant {
    let tenant = this.#tenants.get(name);
    if (tenant === undefined) {
      if (name === '') throw new AgentOsError('invalid-argument', 'A process needs a non-empty tenant for fair-share scheduling.');
      const weight = this.#weights.get(name) ?? this.#defaultWeight;
      tenant = { name, weight, queue: createList(), queued: 0, key: this.#virtualTime, seq: this.#seq++, heapIndex: -1 };
      this.#tenants.set(name, tenant);
    }
    return tenant;
  }
}
