/**
 * AgentSandbox: the runtime's handle on one process's guest — its sandbox
 * Store and live instance — and the bridge between the guest's single,
 * long-running export call and the scheduler's slices.
 *
 * The guest runs under JSPI: the Store calls the `yield` hook every
 * `checkEvery` fuel; while the dispatched slice still has fuel the hook returns
 * at once, otherwise the sandbox *parks*: it reports the end of the slice to
 * the runtime and returns a promise that settles only when the scheduler
 * dispatches the process again — the guest stays suspended, its stack and
 * memory intact, in between. Host imports park the same way to wait for an
 * approval or for more budget. Terminating rejects that promise, which stops
 * the guest where it stands.
 */
import type { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { Store, type Component, type ComponentInstance } from '../../../sandbox/src/index.ts';
import type { SliceOutcome } from '../process/index.ts';
import type { Delivery } from './bus-link.ts';

/** Why a slice ended, and what it used. */
export interface Park {
  outcome: SliceOutcome;
  reason?: string;
  faulted?: boolean;
  fuelUsed: number;
  tokensUsed: number;
  calls: number;
}

export type ParkRequest = Pick<Park, 'outcome' | 'reason' | 'faulted'>;

/** How the export call ended. */
export type AgentResult =
  | { ok: true; value: string }
  | { ok: false; error: string; code: string; value?: unknown };

/**
 * Where a recovered durable instance resumes instead of starting over: a snapshot taken after
 * its export call had returned (durability.ts). The driver restores it right after
 * instantiation and goes on with the deliveries journaled after position `from`.
 */
export interface Resume {
  from: number;
  fuelUsed: bigint;
  /** The export call's result, as it was when the snapshot was taken. */
  result: AgentResult;
  /** @throws AgentOsError as `restoreStore` (another component, an instance that already ran). */
  restore(store: Store): void;
  /**
   * When `restore` refused the instance: arranges a rebuild by full replay (the slice then ends
   * and the instance is dropped), or throws why the agent cannot go on (recovery.ts).
   */
  refused?: (error: unknown) => Promise<void>;
}

/**
 * A message being delivered into `handle-message` (delivery.ts): its journal position (durable
 * agents) and what settles its request. It belongs to the sandbox, not to the guest call, so an
 * eviction can hand it to the fresh sandbox, whose replayed delivery then answers the sender.
 */
export interface InFlightDelivery {
  seq: number | undefined;
  delivery: Delivery;
}

const RESOLVED = Promise.resolve();

export class AgentSandbox {
  readonly store: Store;
  readonly component: Component;
  /** The export that runs the goal: `run` (agent world) or `invoke` (tool world). */
  readonly entry: 'run' | 'invoke';
  instance: ComponentInstance | undefined;
  started = false;
  result: AgentResult | undefined;
  /** Set by pause: park at the next look even if the slice has fuel left. */
  yieldSoon = false;
  /** Usage of the slice in flight, reported when it parks. */
  tokens = 0;
  calls = 0;
  /** Fuel burned by tools this guest ran through `tools.call` in the slice in flight (charged to it). */
  toolFuel = 0;
  /**
   * Fuel already charged to the process by an earlier instance of it (durable
   * agents re-created by replay): the replayed run spends it again, and slices
   * do not charge it twice.
   */
  fuelCredit = 0n;
  /** Set while a resident agent's guest is idle, parked until a message arrives (driver.ts). */
  waitingForMessages = false;
  /** Set on an agent re-created while waiting for an approval: it runs again only once no request of it is pending. */
  awaitingApproval = false;
  /** Durable agents: the snapshot this (recovered) instance resumes from, if any. */
  resume: Resume | undefined;
  /** Journal length at this agent's last snapshot: compaction counts the journal's growth from there. */
  snapshotSeq = 0;
  /** False once the component proved not capturable (it stays journal-only). */
  snapshots = true;
  /** The delivery whose `handle-message` call is on the guest's stack, or carried over an eviction (see InFlightDelivery). */
  inFlight: InFlightDelivery | undefined;
  /** Usage charged with the first slice that parks (a recovered agent's spend so far). */
  owed: { fuel: number; tokens: number; calls: number } | undefined;
  #inSlice = false;
  #sliceFuel = Infinity;
  #fuelAtStart = 0n;
  #onPark: ((park: Park) => void) | undefined;
  #resume: (() => void) | undefined;
  #abort: ((error: unknown) => void) | undefined;
  #stopping: AgentOsError | undefined;

  constructor(options: { component: Component; entry: 'run' | 'invoke'; checkEvery: bigint }) {
    this.component = options.component;
    this.entry = options.entry;
    // Fuel is the process budget's business (ProcessManager): the store never runs out on its own.
    this.store = new Store({ fuel: 'unlimited', slice: options.checkEvery, yield: () => this.#look() });
  }

  get inSlice(): boolean {
    return this.#inSlice;
  }

  /** True once the process is being stopped (terminate). */
  get stopped(): boolean {
    return this.#stopping !== undefined;
  }

  /** Fuel used since the slice began, not counting fuel covered by `fuelCredit`. */
  get sliceFuelUsed(): number {
    const from = this.#fuelAtStart > this.fuelCredit ? this.#fuelAtStart : this.fuelCredit;
    const used = this.store.fuel.used - from;
    return used > 0n ? Number(used) : 0;
  }

  /** Fuel this slice has spent so far: the guest's own plus its tools'. */
  get sliceSpent(): number {
    return this.sliceFuelUsed + this.toolFuel;
  }

  /** Starts accounting a dispatched slice; resolves when the guest parks or its call ends. */
  beginSlice(sliceFuel: number): Promise<Park> {
    this.#inSlice = true;
    this.#sliceFuel = sliceFuel;
    this.#fuelAtStart = this.store.fuel.used;
    this.tokens = 0;
    this.calls = 0;
    this.toolFuel = 0;
    this.yieldSoon = false;
    return new Promise((resolve) => (this.#onPark = resolve));
  }

  /** Lets a parked guest go on (after `beginSlice`). */
  continue(): void {
    const resume = this.#resume;
    this.#resume = this.#abort = undefined;
    resume?.();
  }

  /**
   * Ends the slice from inside the guest (the yield hook or a host import) and
   * waits until the process is dispatched again. Rejects when the process is terminated.
   */
  park(request: ParkRequest): Promise<void> {
    if (this.#stopping) return Promise.reject(this.#stopping);
    const wait = new Promise<void>((resolve, reject) => {
      this.#resume = resolve;
      this.#abort = reject;
    });
    this.#report(request);
    return wait;
  }

  /** Ends the slice because the export call returned or failed. */
  finish(request: ParkRequest): void {
    this.#report(request);
  }

  /** Ends the slice without running the guest (a recovered agent that still waits on an approval). */
  idle(request: ParkRequest): void {
    this.#report(request);
  }

  /** Stops the guest: a parked guest fails at once, a running one at its next look. */
  stop(error: AgentOsError): void {
    this.#stopping = error;
    const abort = this.#abort;
    this.#resume = this.#abort = undefined;
    abort?.(error);
  }

  /** Releases the instance (the compiled component stays in the engine's cache). */
  release(): void {
    this.instance = undefined;
  }

  #look(): Promise<void> {
    if (this.#stopping) return Promise.reject(this.#stopping);
    if (!this.yieldSoon && this.sliceSpent < this.#sliceFuel) return RESOLVED;
    return this.park({ outcome: 'continue' });
  }

  #report(request: ParkRequest): void {
    if (!this.#inSlice) return;
    this.#inSlice = false;
    const onPark = this.#onPark;
    this.#onPark = undefined;
    const owed = this.owed ?? { fuel: 0, tokens: 0, calls: 0 };
    this.owed = undefined;
    onPark?.({ ...request, fuelUsed: this.sliceSpent + owed.fuel, tokensUsed: this.tokens + owed.tokens, calls: this.calls + owed.calls });
  }
}
