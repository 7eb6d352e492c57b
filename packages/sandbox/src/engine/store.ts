/**
 * A Store holds the state of one sandboxed run (names from wasmtime): the fuel
 * account shared by every core module, the wall-clock deadline, the scheduler's
 * `yield` hook for preemption, and what we observed (fuel used, memory peak).
 *
 * Fuel is deterministic and kept apart from the deadline, which is wall-clock:
 * - The deadline is checked in the `exhausted` hook, which runs after every fuel
 *   slice, so with slices a spinning guest is stopped within one slice of the
 *   deadline — no JSPI needed for that.
 * - Calls are also raced against a timer. That only helps while the guest is
 *   suspended (awaiting an async import or the scheduler); a guest that never
 *   returns to the event loop cannot be interrupted by a timer on the same
 *   thread, which is why a store with a deadline always runs in slices.
 *
 * Stopping a guest (out of fuel, past the deadline, the `yield` hook failed)
 * never throws into it: a thrown JS error is catchable by wasm exception
 * handlers. The hook records the reason, leaves the counter negative and traps
 * (see exhausted.ts); `explain` turns that trap back into the recorded error.
 */
import { AgentOsError } from '../errors/index.ts';
import { exhaustedHook } from './exhausted.ts';
import { FuelAccount } from './fuel.ts';
import { memoryLimitError, type CappedMemory } from './memory-limit.ts';
import { toAgentOsError } from './traps.ts';

let unusedFlag: WebAssembly.Global<'i32'> | undefined;

/**
 * The flag the hook of a store without `yield` reads: such a hook refills on both of its paths,
 * so the flag's value never matters, and one Global (never written) serves them all instead of
 * one per store (a Global costs an ArrayBuffer, ~1 µs and GC work).
 */
function neverSuspends(): WebAssembly.Global<'i32'> {
  return (unusedFlag ??= new WebAssembly.Global({ value: 'i32', mutable: true }, 0));
}

/** Default budget: 10^10 fuel, a few seconds of guest work; enough for tools, small enough to stop runaways. */
export const DEFAULT_FUEL = 10_000_000_000n;
/** Slice size used when a deadline or preemption needs the `exhausted` hook to run regularly. */
export const DEFAULT_SLICE = 10_000_000n;

export interface StoreOptions {
  /** Total fuel for the life of the store; default `DEFAULT_FUEL`. */
  fuel?: bigint | 'unlimited';
  /** Fuel per slice. Defaults to `DEFAULT_SLICE` when `timeoutMs` or `yield` is set. */
  slice?: bigint;
  /** Wall-clock budget of each call, in ms. */
  timeoutMs?: number;
  /**
   * Preemption: awaited at every slice boundary (the guest is suspended with JSPI meanwhile).
   * Requires `WebAssembly.Suspending`; the component must be loaded with `preemptible: true`.
   * A rejection stops the guest with that error.
   */
  yield?: () => Promise<void>;
}

export class Store {
  readonly fuel: FuelAccount;
  readonly timeoutMs: number | undefined;
  /** Largest total byte length seen across the guest's memories. */
  memoryPeakBytes = 0;
  readonly preemptive: boolean;
  #canSuspend: WebAssembly.Global<'i32'> | undefined;
  readonly #yield: (() => Promise<void>) | undefined;
  #fuelImports: { fuel: WebAssembly.Global<'i64'>; exhausted: () => void } | undefined;
  #deadlineAt = Infinity;
  /** Tracked memories in instantiation order; an array because every call's end samples them. */
  #memories: CappedMemory[] = [];
  /** Why the hook stopped the current call, if it did. */
  #stop: unknown;

  /** @throws AgentOsError('invalid-argument') for a negative fuel/slice or a timeout that is not a positive number. */
  constructor(options: StoreOptions = {}) {
    if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) {
      throw new AgentOsError('invalid-argument', `timeoutMs must be a positive number of milliseconds, got ${options.timeoutMs}.`);
    }
    const needsSlices = options.timeoutMs !== undefined || options.yield !== undefined;
    this.fuel = new FuelAccount({
      limit: options.fuel ?? DEFAULT_FUEL,
      slice: options.slice ?? (needsSlices ? DEFAULT_SLICE : undefined),
    });
    this.timeoutMs = options.timeoutMs;
    this.#yield = options.yield;
    this.preemptive = options.yield !== undefined;
  }

  /**
   * 1 while the guest runs under `WebAssembly.promising` with no JS frame above it. Only a
   * preemptive store's hook reads it (any other hook refills either way), so the engine tracks
   * it only for those, and other stores make it only when asked.
   */
  get canSuspend(): WebAssembly.Global<'i32'> {
    return (this.#canSuspend ??= new WebAssembly.Global({ value: 'i32', mutable: true }, 0));
  }

  /**
   * The `agentos:fuel` import object handed to every metered core module. Built on
   * first use, so a host that supplies the hook module later (`fromPrecompiled`) can
   * still create stores first.
   * @throws AgentOsError('unsupported-feature') for a `yield` hook on a host without JSPI.
   */
  get fuelImports(): { fuel: WebAssembly.Global<'i64'>; exhausted: () => void } {
    this.#fuelImports ??= {
      fuel: this.fuel.global,
      exhausted: exhaustedHook({
        fuel: this.fuel.global,
        canSuspend: this.#yield === undefined ? neverSuspends() : this.canSuspend,
        refill: () => this.#refill(),
        suspend: this.#yield === undefined ? undefined : () => this.#suspend(this.#yield as () => Promise<void>),
      }),
    };
    return this.#fuelImports;
  }

  /** Why the hook stopped the current call (out-of-fuel, deadline, a failed `yield`), or undefined. */
  get stopReason(): AgentOsError | undefined {
    return this.#stop === undefined ? undefined : toAgentOsError(this.#stop, 'yield');
  }

  /** Starts the deadline clock of one call. */
  beginCall(): void {
    this.#deadlineAt = this.timeoutMs === undefined ? Infinity : performance.now() + this.timeoutMs;
    this.#stop = undefined;
  }

  endCall(): void {
    this.#deadlineAt = Infinity;
    this.sampleMemory();
  }

  /**
   * Maps what a guest call threw onto the `AgentOsError` to report: the reason the
   * hook stopped the guest, 'memory-limit' for an abort at the memory cap (rule in
   * memory-limit.ts), else the generic mapping of traps.ts.
   */
  explain(error: unknown, where: string): AgentOsError {
    if (this.#stop !== undefined) return toAgentOsError(this.#stop, where);
    const peak = Math.max(this.memoryPeakBytes, this.sampleMemory());
    return memoryLimitError(error, this.#memories, peak) ?? toAgentOsError(error, where);
  }

  /** Milliseconds left before the deadline of the current call (Infinity without one). */
  get msLeft(): number {
    return this.#deadlineAt - performance.now();
  }

  /** @throws AgentOsError('deadline') when the current call is past its deadline. */
  checkDeadline(): void {
    if (performance.now() > this.#deadlineAt) throw this.deadlineError();
  }

  deadlineError(): AgentOsError {
    return new AgentOsError('deadline', `The call ran past its ${this.timeoutMs} ms deadline; raise the timeout (--timeout) or make the work smaller.`, {
      details: { timeoutMs: this.timeoutMs },
    });
  }

  /**
   * Remembers a guest memory so its size counts toward the peak, with the cap its
   * module was instrumented with (used to recognise an abort at the cap).
   */
  trackMemory(memory: WebAssembly.Memory, limitBytes?: number): void {
    const known = this.#memories.find((m) => m.memory === memory);
    if (known) known.limitBytes = limitBytes;
    else this.#memories.push({ memory, limitBytes });
  }

  /**
   * The guest memories this store tracks (those its core instances export), in
   * instantiation order: durable agents hash and snapshot them.
   */
  get memories(): WebAssembly.Memory[] {
    return this.#memories.map((m) => m.memory);
  }

  /** Samples the current size of all guest memories into `memoryPeakBytes`. */
  sampleMemory(): number {
    let total = 0;
    const memories = this.#memories;
    for (let i = 0; i < memories.length; i++) total += memories[i].memory.buffer.byteLength;
    if (total > this.memoryPeakBytes) this.memoryPeakBytes = total;
    return total;
  }

  /** The synchronous hook: refill, or record why not and leave the counter negative. Never throws. */
  #refill(): void {
    if (this.#stop !== undefined) return;
    if (performance.now() > this.#deadlineAt) {
      this.#stop = this.deadlineError();
      return;
    }
    if (!this.fuel.tryRefill()) this.#stop = this.fuel.outOfFuelError();
  }

  /** The preemptive hook: let the scheduler run (unless the guest must stop anyway), then refill. */
  async #suspend(yieldHook: () => Promise<void>): Promise<void> {
    if (this.#stop === undefined && this.fuel.remaining !== 0n) {
      try {
        await yieldHook();
      } catch (error) {
        this.#stop = error;
        return;
      }
    }
    this.#refill();
  }
}
