/**
 * Journal: the durable, append-only record of one agent's capability calls,
 * kept in a `Store` (one key per position, see entry.ts). Writes are queued
 * in memory by `begin`/`complete` and made durable by `flush`, which writes
 * everything queued in one atomic batch; callers flush before a result may
 * be seen outside the agent (see durable/ for when).
 *
 * Compaction: once a snapshot taken at position P is durable, the entries
 * before P are no longer needed for replay and `discardBefore(P)` deletes them.
 * The journal then starts at `first` = P; positions (and idempotency keys) never
 * move. How a crash in the middle of a discard is survived: see load.ts.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { BatchOp, Store } from '../store/index.ts';
import { encodeValue } from './codec.ts';
import { encodeEntry, entryKey, entryText, idempotencyKey, journalStartKey, type Effect, type JournalEntry } from './entry.ts';
import { loadJournal } from './load.ts';

/** A call about to run, as `begin` takes it. */
export interface CallStart {
  interface: string;
  function: string;
  /** Boundary values (encoded here). */
  args: unknown;
  effect: Effect;
  fuelAtCall: bigint;
  startedAt: number;
}

/**
 * A `Store` that can also write several values in one atomic transaction without reporting their
 * versions (how journals are flushed: no ops objects, no versions record per flush). Same
 * all-or-nothing guarantee as `batch`. The store copies the values: it must not read them after the
 * returned promise settles, because the journal encodes every flush into one reused buffer.
 */
export interface PutManyStore extends Store {
  /** Puts `values[i]` under `keys[i]`, all or nothing; resolves once durable. */
  putMany(keys: readonly string[], values: readonly Uint8Array[]): Promise<void>;
}

const encoder = new TextEncoder();

function canPutMany(store: Store): store is PutManyStore {
  return typeof (store as Partial<PutManyStore>).putMany === 'function';
}

/** How a call ended, as `complete` takes it. */
export type JournalOutcome = { result: unknown; endedAt: number } | { error: { code: string; message: string }; endedAt: number };

export class Journal {
  readonly store: Store;
  readonly agentId: string;
  /** Retained entries: `#entries[i].seq === #first + i`. */
  #entries: JournalEntry[];
  #first: number;
  /** Entries changed since the last flush, in the order they were first queued (= position order). */
  readonly #dirty = new Set<JournalEntry>();
  /** The batch being written, if any: flushes are serialized so entries reach the store in order. */
  #writing: Promise<void> | undefined;
  /**
   * Where flushes to a `PutManyStore` encode their entries (views of it are the values): reused,
   * since such a store copies what it writes and writes are serialized. Saves two buffers per call.
   */
  #scratch = new Uint8Array(4096);

  private constructor(store: Store, agentId: string, loaded: { first: number; entries: JournalEntry[] }) {
    this.store = store;
    this.agentId = agentId;
    this.#first = loaded.first;
    this.#entries = loaded.entries;
  }

  /**
   * Loads an agent's journal (empty for a new agent).
   * @throws AgentOsError 'invalid-argument' for an entry that is not JSON; 'internal' for a gap in
   *   the positions or a missing prefix that was never discarded (a damaged journal must not be replayed).
   */
  static async open(store: Store, agentId: string): Promise<Journal> {
    return new Journal(store, agentId, await loadJournal(store, agentId));
  }

  /** The retained entries in position order, from `first` (the last one may be `started`). */
  get entries(): readonly JournalEntry[] {
    return this.#entries;
  }

  /** Position of the first retained entry: 0 unless `discardBefore` compacted the journal. */
  get first(): number {
    return this.#first;
  }

  /** The position the next new call gets (= positions ever used, discarded ones included). */
  get length(): number {
    return this.#first + this.#entries.length;
  }

  /** Entries queued and not yet durable. */
  get pending(): number {
    return this.#dirty.size;
  }

  /** The entry at position `seq`, or undefined when it was discarded or not yet begun. */
  entry(seq: number): JournalEntry | undefined {
    return seq >= this.#first ? this.#entries[seq - this.#first] : undefined;
  }

  /**
   * Journals a new call at the end and returns its entry. An external call is
   * queued as `started` (flush it before running the effect); a read is only
   * written once `complete` gives its outcome.
   */
  begin(call: CallStart): JournalEntry {
    const seq = this.length;
    const entry: JournalEntry = {
      seq, interface: call.interface, function: call.function, args: encodeValue(call.args), state: 'started',
      fuelAtCall: call.fuelAtCall.toString(), startedAt: call.startedAt, effect: call.effect,
    };
    if (call.effect === 'external') {
      entry.idempotencyKey = idempotencyKey(this.agentId, seq);
      this.#dirty.add(entry);
    }
    this.#entries.push(entry);
    return entry;
  }

  /**
   * Records the outcome of the call at `seq` (queued; durable after `flush`).
   * @throws AgentOsError 'illegal-state' for a position that was never begun, is discarded or is already completed.
   */
  complete(seq: number, outcome: JournalOutcome): JournalEntry {
    const entry = this.entry(seq);
    if (!entry || entry.state === 'completed') {
      throw new AgentOsError('illegal-state', `Journal position ${seq} of ${this.agentId} is ${entry ? 'already completed' : 'not begun'}.`, { details: { seq } });
    }
    entry.state = 'completed';
    entry.endedAt = outcome.endedAt;
    if ('error' in outcome) entry.error = outcome.error;
    else entry.result = encodeValue(outcome.result);
    // Re-adding keeps a started entry's place: a Set iterates in first-insertion order.
    this.#dirty.add(entry);
    return entry;
  }

  /**
   * Writes every queued entry in one atomic batch; resolves once they are durable.
   * Concurrent flushes are serialized, so entries reach the store in order.
   * @throws the Store's errors (the entries stay queued for the next flush).
   */
  async flush(): Promise<void> {
    if (this.#writing) await this.#idle();
    if (this.#dirty.size === 0) return;
    const entries = [...this.#dirty];
    this.#dirty.clear();
    const keys = new Array<string>(entries.length);
    for (let i = 0; i < entries.length; i++) keys[i] = entryKey(this.agentId, entries[i].seq);
    const values = canPutMany(this.store) ? this.#encodeInScratch(entries) : entries.map(encodeEntry);
    await this.#serialized(() => this.#putAll(keys, values), () => {
      for (const entry of entries) this.#dirty.add(entry);
    });
  }

  /**
   * Deletes the entries before `position` from the store (compaction: call only once a snapshot
   * taken at `position` is durable). One atomic batch records the new start and deletes the
   * entries; see load.ts for why a store that applied only part of it still opens. Queued entries
   * are flushed first. A position at or before `first` does nothing.
   * @returns how many entries were deleted.
   * @throws AgentOsError 'illegal-state' when `position` is past the end of the journal or inside an
   *   open call (entries from there on are needed); the Store's errors (nothing changes in memory then).
   */
  async discardBefore(position: number): Promise<number> {
    if (!Number.isInteger(position) || position > this.length) {
      throw new AgentOsError('illegal-state', `Cannot discard the journal of ${this.agentId} before position ${position}: it has ${this.length} positions.`, { details: { position, length: this.length } });
    }
    await this.flush();
    if (position <= this.#first) return 0;
    const open = this.#entries.slice(0, position - this.#first).find((entry) => entry.state === 'started');
    if (open) {
      throw new AgentOsError('illegal-state', `Cannot discard position ${open.seq} of ${this.agentId}'s journal: its call has not completed.`, { details: { position, seq: open.seq } });
    }
    // The new start goes first: a store that stops part-way has then deleted a prefix of what the marker allows.
    const ops: BatchOp[] = [{ type: 'put', key: journalStartKey(this.agentId), value: new TextEncoder().encode(JSON.stringify({ first: position })) }];
    for (let seq = this.#first; seq < position; seq++) ops.push({ type: 'delete', key: entryKey(this.agentId, seq) });
    await this.#serialized(() => this.#write(ops), () => {});
    const deleted = position - this.#first;
    this.#entries = this.#entries.slice(deleted);
    this.#first = position;
    return deleted;
  }

  /** Resolves once no write is in flight (a failed one included: its caller sees the failure). */
  async #idle(): Promise<void> {
    while (this.#writing) await this.#writing.catch(() => {});
  }

  /** Runs `write` after any write in flight; `undo` runs when it fails. */
  async #serialized(write: () => Promise<void>, undo: () => void): Promise<void> {
    if (this.#writing) await this.#idle();
    const writing = write().catch((error: unknown) => {
      undo();
      throw error;
    });
    this.#writing = writing;
    try {
      await writing;
    } finally {
      if (this.#writing === writing) this.#writing = undefined;
    }
  }

  /** The entries' UTF-8 JSON as consecutive views of the scratch buffer (grown as needed). */
  #encodeInScratch(entries: readonly JournalEntry[]): Uint8Array[] {
    const texts = entries.map(entryText);
    let room = 0;
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    for (const text of texts) room += text.length * 3;
    if (room > this.#scratch.length) this.#scratch = new Uint8Array(Math.max(room, this.#scratch.length * 2));
    const scratch = this.#scratch;
    const values = new Array<Uint8Array>(texts.length);
    let offset = 0;
    for (let i = 0; i < texts.length; i++) {
      const { written } = encoder.encodeInto(texts[i], scratch.subarray(offset));
      values[i] = scratch.subarray(offset, offset + written);
      offset += written;
    }
    return values;
  }

  /** Entries in one atomic write: `putMany` when the store has it, else one put or a batch. */
  #putAll(keys: string[], values: Uint8Array[]): Promise<void> {
    if (canPutMany(this.store)) return this.store.putMany(keys, values);
    return this.#write(keys.map((key, i): BatchOp => ({ type: 'put', key, value: values[i] })));
  }

  async #write(ops: BatchOp[]): Promise<void> {
    if (ops.length === 1 && ops[0].type === 'put') {
      await this.store.put(ops[0].key, ops[0].value);
      return;
    }
    const result = await this.store.batch(ops);
    if (!result.ok) throw new AgentOsError('internal', `The journal write of ${this.agentId} hit a precondition it did not set.`);
  }
}
