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
import { encodeEntry, entryKey, idempotencyKey, journalStartKey, type Effect, type JournalEntry } from './entry.ts';
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
    while (this.#writing) await this.#writing.catch(() => {});
    if (this.#dirty.size === 0) return;
    const entries = [...this.#dirty];
    this.#dirty.clear();
    const ops: BatchOp[] = entries.map((entry) => ({ type: 'put', key: entryKey(this.agentId, entry.seq), value: encodeEntry(entry) }));
    await this.#serialized(ops, () => {
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
    await this.#serialized(ops, () => {});
    const deleted = position - this.#first;
    this.#entries = this.#entries.slice(deleted);
    this.#first = position;
    return deleted;
  }

  /** Writes `ops` after any batch in flight; `undo` runs when the write fails. */
  async #serialized(ops: BatchOp[], undo: () => void): Promise<void> {
    while (this.#writing) await this.#writing.catch(() => {});
    const writing = this.#write(ops).catch((error: unknown) => {
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

  async #write(ops: BatchOp[]): Promise<void> {
    if (ops.length === 1 && ops[0].type === 'put') {
      await this.store.put(ops[0].key, ops[0].value);
      return;
    }
    const result = await this.store.batch(ops);
    if (!result.ok) throw new AgentOsError('internal', `The journal write of ${this.agentId} hit a precondition it did not set.`);
  }
}
