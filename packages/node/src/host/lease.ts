/**
 * Who runs the agents of a database right now. Agents of one database are
 * driven by at most one host process at a time — two would replay and run the
 * same journal twice. A process takes the lease (`host/lease`, compare-and-set)
 * before it recovers agents and gives it back when it goes idle; a lease whose
 * holder died (SIGKILL, crash) is taken over. Operator commands for agents a
 * live holder is running are queued under `host/control/` and applied by that
 * holder between slices.
 */
import { hostname } from 'node:os';
import { decodeJson, encodeJson, listAll, type Store } from '../../../core/src/store/index.ts';

const LEASE_KEY = 'host/lease';
const CONTROL_PREFIX = 'host/control/';

export interface LeaseHolder {
  pid: number;
  hostname: string;
  since: number;
}

/** An operator command queued for the host process holding the lease. */
export type ControlCommand =
  | { action: 'pause' | 'resume' | 'terminate'; agentId: string }
  | { action: 'approve'; agentId: string; requestId: string; approver: string; role?: string; approved: boolean };

export interface QueuedCommand {
  key: string;
  command: ControlCommand;
}

/** True while the lease's holder process exists (on another machine: assumed alive). */
export function holderAlive(holder: LeaseHolder): boolean {
  if (holder.hostname !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class Lease {
  readonly #store: Store;
  #version: number | undefined;
  /** Version of the released marker this process wrote last (see `reacquire`). */
  #released: number | undefined;

  constructor(store: Store) {
    this.#store = store;
  }

  /** After `acquire`/`reacquire`: true when nobody held the lease since this process last released it. */
  resumedOwnRelease = false;

  /** True while this process holds the lease. */
  get held(): boolean {
    return this.#version !== undefined;
  }

  /**
   * Takes the lease unless a live process holds it.
   * @returns undefined when taken (or already held), else the live holder.
   */
  async acquire(): Promise<LeaseHolder | undefined> {
    if (this.held) return undefined;
    for (;;) {
      const current = await this.#store.get(LEASE_KEY);
      const holder = current && decodeJson<LeaseHolder>(current.value, LEASE_KEY);
      // pid 0 marks a released lease.
      if (holder && holder.pid !== 0 && holder.pid !== process.pid && holderAlive(holder)) return holder;
      const mine: LeaseHolder = { pid: process.pid, hostname: hostname(), since: Date.now() };
      const result = await this.#store.batch([{ type: 'put', key: LEASE_KEY, value: encodeJson(mine) }], { preconditions: [{ key: LEASE_KEY, version: current?.version ?? null }] });
      if (result.ok) {
        this.#version = result.versions[LEASE_KEY];
        this.resumedOwnRelease = this.#released !== undefined && current?.version === this.#released;
        return undefined;
      }
      // Someone else wrote the lease meanwhile: look again.
    }
  }

  /**
   * Gives the lease back (only if still ours) by writing a released marker, whose version
   * tells `reacquire` whether anyone held the lease since.
   */
  async release(): Promise<void> {
    if (this.#version === undefined) return;
    const version = this.#version;
    this.#version = undefined;
    const marker: LeaseHolder = { pid: 0, hostname: hostname(), since: Date.now() };
    const result = await this.#store.batch([{ type: 'put', key: LEASE_KEY, value: encodeJson(marker) }], { preconditions: [{ key: LEASE_KEY, version }] });
    this.#released = result.ok ? result.versions[LEASE_KEY] : undefined;
  }

  /** Takes the lease back only if nobody took it since this process released it; true when taken. */
  async reacquire(): Promise<boolean> {
    if (this.held) return true;
    if (this.#released === undefined) return false;
    const mine: LeaseHolder = { pid: process.pid, hostname: hostname(), since: Date.now() };
    const result = await this.#store.batch([{ type: 'put', key: LEASE_KEY, value: encodeJson(mine) }], { preconditions: [{ key: LEASE_KEY, version: this.#released }] });
    this.#released = undefined;
    if (result.ok) this.#version = result.versions[LEASE_KEY];
    this.resumedOwnRelease = result.ok;
    return result.ok;
  }

  /** Queues a command for the lease holder. */
  static async enqueue(store: Store, command: ControlCommand): Promise<void> {
    const key = `${CONTROL_PREFIX}${String(Date.now()).padStart(15, '0')}-${process.pid}-${crypto.randomUUID().slice(0, 8)}`;
    await store.put(key, encodeJson(command));
  }

  /** Commands queued so far, oldest first. */
  static async pending(store: Store): Promise<QueuedCommand[]> {
    const keys = await listAll(store, CONTROL_PREFIX);
    const out: QueuedCommand[] = [];
    for (const { key } of keys) {
      const entry = await store.get(key);
      if (entry) out.push({ key, command: decodeJson<ControlCommand>(entry.value, key) });
    }
    return out;
  }
}
