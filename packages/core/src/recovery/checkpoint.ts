/**
 * Checkpoints and rollback of agent state.
 *
 * Anything that can serialize itself (`Checkpointable`) can be checkpointed
 * before a risky step and rolled back after it fails. The manager keeps the
 * last `keep` checkpoints in a key-value store, with an index (also in the
 * store, so a new manager over the same store resumes where the old one
 * stopped) and a SHA-256 of each snapshot, checked before restoring: a
 * damaged checkpoint is refused rather than loaded into a live agent.
 * Rolling back discards the checkpoints taken after the one restored; they
 * belong to a history that no longer happened.
 */

import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { type Clock, realClock } from '../clock/index.ts';
import { sha256Hex } from '../store/index.ts';

/** State that can be saved to bytes and put back. */
export interface Checkpointable {
  snapshot(): Promise<Uint8Array>;
  /** Replaces the current state with one produced by `snapshot`. */
  restore(bytes: Uint8Array): Promise<void>;
}

/**
 * The store operations checkpoints need. packages/core's `Store` fits as is
 * (its `batch` makes each checkpoint and rollback atomic); so does any
 * key-value backend wrapped in three functions.
 */
export interface CheckpointStore {
  get(key: string): Promise<{ value: Uint8Array } | undefined>;
  put(key: string, value: Uint8Array): Promise<unknown>;
  delete(key: string): Promise<unknown>;
  /** All or nothing, when the backend can. Without it, writes go one by one: bytes first, then the index, then deletions. */
  batch?(ops: readonly ({ type: 'put'; key: string; value: Uint8Array } | { type: 'delete'; key: string })[]): Promise<unknown>;
}

/** An in-memory `CheckpointStore`; copies bytes in and out so callers cannot change what is stored. */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly #entries = new Map<string, Uint8Array>();

  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<{ value: Uint8Array } | undefined> {
    const value = this.#entries.get(key);
    return value === undefined ? undefined : { value: value.slice() };
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    this.#entries.set(key, value.slice());
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }
}

type Write = { type: 'put'; key: string; value: Uint8Array } | { type: 'delete'; key: string };

export interface CheckpointInfo {
  /** Increasing number of the checkpoint within its namespace. */
  seq: number;
  label?: string;
  /** Clock time it was taken (ms). */
  at: number;
  size: number;
  /** Hex SHA-256 of the snapshot bytes. */
  sha256: string;
}

export interface CheckpointManagerOptions {
  target: Checkpointable;
  store: CheckpointStore;
  /** Key prefix, e.g. the agent id; one manager per namespace at a time. */
  namespace: string;
  /** Checkpoints kept (>= 1); older ones are deleted. Default 5. */
  keep?: number;
  clock?: Clock;
}

export class CheckpointManager {
  readonly #target: Checkpointable;
  readonly #store: CheckpointStore;
  readonly #namespace: string;
  readonly #keep: number;
  readonly #clock: Clock;
  #index: CheckpointInfo[] | undefined;
  // Operations run one at a time: a checkpoint taken while a rollback restores would capture half a state.
  #queue: Promise<unknown> = Promise.resolve();

  /** @throws AgentOsError 'invalid-argument' when keep is not an integer >= 1. */
  constructor(options: CheckpointManagerOptions) {
    const keep = options.keep ?? 5;
    if (!Number.isInteger(keep) || keep < 1) {
      throw new AgentOsError('invalid-argument', `keep must be an integer >= 1, got ${keep}.`, { details: { keep } });
    }
    this.#target = options.target;
    this.#store = options.store;
    this.#namespace = options.namespace;
    this.#keep = keep;
    this.#clock = options.clock ?? realClock;
  }

  /** Snapshots the target and stores it; drops the oldest beyond `keep`. @throws what snapshot or the store throw. */
  checkpoint(options: { label?: string } = {}): Promise<CheckpointInfo> {
    return this.#serial(async () => {
      const index = await this.#loadIndex();
      const bytes = await this.#target.snapshot();
      const info: CheckpointInfo = {
        seq: (index.at(-1)?.seq ?? 0) + 1,
        at: this.#clock.now(),
        size: bytes.byteLength,
        sha256: await sha256Hex(bytes),
        ...(options.label === undefined ? {} : { label: options.label }),
      };
      const dropCount = Math.max(0, index.length + 1 - this.#keep);
      await this.#write([{ type: 'put', key: this.#key(info.seq), value: bytes }], [...index.slice(dropCount), info], index.slice(0, dropCount));
      return info;
    });
  }

  /**
   * Restores checkpoint `seq` (default: the latest) and deletes the ones after it.
   * @throws AgentOsError 'not-found' when there is no such checkpoint (or its bytes are gone);
   *   'internal' when the stored bytes do not match their SHA-256; what restore throws
   *   (then nothing is deleted).
   */
  rollback(seq?: number): Promise<CheckpointInfo> {
    return this.#serial(async () => {
      const index = await this.#loadIndex();
      const position = seq === undefined ? index.length - 1 : index.findIndex((c) => c.seq === seq);
      const info = index[position];
      if (!info) {
        throw new AgentOsError('not-found', `No checkpoint ${seq ?? '(latest)'} in ${this.#namespace}; take one with checkpoint() first.`, {
          details: { namespace: this.#namespace, seq, kept: index.map((c) => c.seq) },
        });
      }
      const bytes = (await this.#store.get(this.#key(info.seq)))?.value;
      if (!bytes) {
        throw new AgentOsError('not-found', `Checkpoint ${info.seq} of ${this.#namespace} is listed but its bytes are missing from the store.`, {
          details: { namespace: this.#namespace, seq: info.seq },
        });
      }
      const actual = await sha256Hex(bytes);
      if (actual !== info.sha256) {
        throw new AgentOsError('internal', `Checkpoint ${info.seq} of ${this.#namespace} is damaged (SHA-256 mismatch); roll back to an older one.`, {
          details: { namespace: this.#namespace, seq: info.seq, expected: info.sha256, actual },
        });
      }
      await this.#target.restore(bytes);
      await this.#write([], index.slice(0, position + 1), index.slice(position + 1));
      return info;
    });
  }

  /** The kept checkpoints, oldest first. */
  list(): Promise<CheckpointInfo[]> {
    return this.#serial(async () => (await this.#loadIndex()).map((c) => ({ ...c })));
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #key(seq: number): string {
    return `${this.#namespace}/checkpoint/${seq}`;
  }

  async #loadIndex(): Promise<CheckpointInfo[]> {
    if (this.#index) return this.#index;
    const bytes = (await this.#store.get(this.#indexKey()))?.value;
    this.#index = bytes ? (JSON.parse(new TextDecoder().decode(bytes)) as CheckpointInfo[]) : [];
    return this.#index;
  }

  #indexKey(): string {
    return `${this.#namespace}/checkpoint-index`;
  }

  /**
   * Writes `first`, the new index and the deletions of `dropped`, atomically
   * when the store has `batch`; then adopts the index, so a failed write
   * leaves memory and store agreeing. Without `batch`, a crash can leave an
   * orphaned snapshot (harmless, overwritten later) but never an index entry
   * without its bytes.
   */
  async #write(first: Write[], index: CheckpointInfo[], dropped: CheckpointInfo[]): Promise<void> {
    const ops: Write[] = [
      ...first,
      { type: 'put', key: this.#indexKey(), value: new TextEncoder().encode(JSON.stringify(index)) },
      ...dropped.map((c): Write => ({ type: 'delete', key: this.#key(c.seq) })),
    ];
    if (this.#store.batch) {
      await this.#store.batch(ops);
    } else {
      for (const op of ops) await (op.type === 'put' ? this.#store.put(op.key, op.value) : this.#store.delete(op.key));
    }
    this.#index = index;
  }
}
