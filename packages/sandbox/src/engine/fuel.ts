/**
 * The fuel account of one Store: a single `WebAssembly.Global` (mut i64) shared
 * by every core module of a component, counting DOWN, and the host-side book
 * keeping that turns it into "fuel used" across slices.
 *
 * Invariant: `used = granted - global.value`. The guest charges a block's cost
 * at its start and calls `exhausted` when the counter went below zero, so the
 * counter may be negative by at most one block when the host looks at it.
 * Refilling ADDS the next slice to the (negative) counter instead of
 * overwriting it, so a run cut into slices spends exactly the same total as an
 * unsliced run, and runs out of fuel at exactly the same check point.
 */
import { AgentOsError } from '../errors/index.ts';

/** "Unlimited" as the metering protocol spells it: 2^63 - 1 (CONTRACTS.md). */
export const UNLIMITED_FUEL = (1n << 63n) - 1n;

export interface FuelAccountOptions {
  /** Total budget over the life of the store, or 'unlimited'. */
  limit: bigint | 'unlimited';
  /** Fuel per slice; after each slice the `exhausted` hook runs (deadline check, preemption). */
  slice?: bigint;
}

export class FuelAccount {
  readonly global: WebAssembly.Global<'i64'>;
  readonly limit: bigint | 'unlimited';
  readonly slice: bigint | undefined;
  /** Fuel handed to the guest so far (sum of all slices). */
  #granted = 0n;

  constructor(options: FuelAccountOptions) {
    if (options.limit !== 'unlimited' && options.limit < 0n) {
      throw new AgentOsError('invalid-argument', `Fuel limit must be >= 0, got ${options.limit}.`);
    }
    if (options.slice !== undefined && options.slice <= 0n) {
      throw new AgentOsError('invalid-argument', `Fuel slice must be > 0, got ${options.slice}.`);
    }
    this.limit = options.limit;
    this.slice = options.slice;
    this.global = new WebAssembly.Global({ value: 'i64', mutable: true }, 0n);
    this.#grant();
  }

  /** Fuel spent by the guest so far (never negative, never above the limit plus one block). */
  get used(): bigint {
    const used = this.#granted - this.global.value;
    return used < 0n ? 0n : used;
  }

  /** Fuel the host has not yet handed out, or undefined when unlimited. */
  get remaining(): bigint | undefined {
    if (this.limit === 'unlimited') return undefined;
    const left = this.limit - this.used;
    return left < 0n ? 0n : left;
  }

  /**
   * Hands the guest its next slice (looping when one slice does not cover the
   * deficit of the block that overran). The Store's hook uses this form: it must
   * not throw, because a thrown error is catchable by the guest.
   * @returns false, with the counter left negative, when the budget is spent.
   */
  tryRefill(): boolean {
    while (this.global.value < 0n) {
      if (!this.#grant()) return false;
    }
    return true;
  }

  /**
   * `tryRefill` for hosts that wire the account to a bare core module themselves.
   * @throws AgentOsError('out-of-fuel') when the budget is spent.
   */
  refill(): void {
    if (!this.tryRefill()) throw this.outOfFuelError();
  }

  /** The error a run that spent this budget ends with. */
  outOfFuelError(): AgentOsError {
    return new AgentOsError('out-of-fuel', `The guest used its whole fuel budget of ${this.limit}; raise the limit (--fuel) or make the work smaller.`, {
      details: { limit: String(this.limit), used: String(this.used) },
    });
  }

  /** Adds the next slice to the counter; false when nothing is left to grant. */
  #grant(): boolean {
    let next: bigint;
    if (this.limit === 'unlimited') {
      next = this.slice ?? UNLIMITED_FUEL;
    } else {
      const left = this.limit - this.#granted;
      if (left <= 0n) return false;
      next = this.slice !== undefined && this.slice < left ? this.slice : left;
    }
    const value = this.global.value + next;
    // Unlimited without slices: keep the counter pinned at the maximum rather than overflow.
    this.global.value = value > UNLIMITED_FUEL ? UNLIMITED_FUEL : value;
    this.#granted += next;
    return true;
  }
}
