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
 */
import { AgentOsError } from '../errors/index.ts';
import { FuelAccount } from './fuel.ts';
import { exhaustedTrampoline } from './suspend.ts';

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
   */
  yield?: () => Promise<void>;
}

export class Store {
  readonly fuel: FuelAccount;
  readonly timeoutMs: number | undefined;
  /** Largest total byte length seen across the guest's memories. */
  memoryPeakBytes = 0;
  /** The `agentos:fuel` import object handed to every metered core module. */
  readonly fuelImports: { fuel: WebAssembly.Global<'i64'>; exhausted: () => void };
  /** 1 while the guest runs under `WebAssembly.promising` with no JS frame above it. */
  readonly canSuspend: WebAssembly.Global<'i32'>;
  readonly preemptive: boolean;
  #deadlineAt = Infinity;
  #memories = new Set<WebAssembly.Memory>();

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
    this.canSuspend = new WebAssembly.Global({ value: 'i32', mutable: true }, 0);
    const refill = (): void => {
      this.checkDeadline();
      this.fuel.refill();
    };
    const yieldHook = options.yield;
    this.preemptive = yieldHook !== undefined;
    if (yieldHook) {
      const suspend = async (): Promise<void> => {
        refill();
        await yieldHook();
        this.checkDeadline();
      };
      this.fuelImports = { fuel: this.fuel.global, exhausted: exhaustedTrampoline({ refill, suspend, canSuspend: this.canSuspend }) };
    } else {
      this.fuelImports = { fuel: this.fuel.global, exhausted: refill };
    }
  }

  /** Starts the deadline clock of one call. */
  beginCall(): void {
    this.#deadlineAt = this.timeoutMs === undefined ? Infinity : performance.now() + this.timeoutMs;
  }

  endCall(): void {
    this.#deadlineAt = Infinity;
    this.sampleMemory();
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

  /** Remembers a guest memory so its size counts toward the peak. */
  trackMemory(memory: WebAssembly.Memory): void {
    this.#memories.add(memory);
  }

  /** Samples the current size of all guest memories into `memoryPeakBytes`. */
  sampleMemory(): number {
    let total = 0;
    for (const memory of this.#memories) total += memory.buffer.byteLength;
    if (total > this.memoryPeakBytes) this.memoryPeakBytes = total;
    return total;
  }
}
