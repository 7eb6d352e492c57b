/**
 * Journal: the durable, append-only record of one agent's capability calls,
 * kept in a `Store` (one key per position, see entry.ts). Writes are queued
 * in memory by `begin`/`complete` and made durable by `flush`, which writes
 * everything queued in one atomic batch; callers flush before a result may
 * be seen outside the agent (see durable/ for when).
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { decodeJson, type BatchOp, type Store } from '../store/index.ts';
import { encodeValue } from './codec.ts';
import { entryKey, idempotencyKey, journalPrefix, type Effect, type JournalEntry } from './entry.ts';

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

const encoder = new TextEncoder();

export class Journal {
  readonly store: Store;
  readonly agentId: string;
  readonly #entries: JournalEntry[];
  /** Entries changed since the last flush, by seq. */
  readonly #dirty = new Map<number, JournalEntry>();
  /** The batch being written, if any: flushes are serialized so entries reach the store in order. */
  #writing: Promise<void> | undefined;

  private constructor(store: Store, agentId: string, entries: JournalEntry[]) {
    this.store = store;
    this.agentId = agentId;
    this.#entries = entries;
  }

  /**
   * Loads an agent's journal (empty for a new agent).
   * @throws AgentOsError 'invalid-argument' for an entry that is not JSON; 'internal' for a gap in
   *   the positions (a damaged journal must not be replayed).
   */
  static async open(store: Store, agentId: string): Promise<Journal> {
    const prefix = journalPrefix(agentId);
    const entries: JournalEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list({ prefix, cursor });
      const values = await Promise.all(page.keys.map((k) => store.get(k.key)));
      for (let i = 0; i < values.length; i++) {
        const found = values[i];
        if (found) entries.push(decodeJson<JournalEntry>(found.value, page.keys[i].key));
      }
      cursor = page.cursor;
    } while (cursor !== undefined);
    entries.forEach((entry, i) => {
      if (entry.seq !== i) {
        throw new AgentOsError('internal', `The journal of ${agentId} has a gap: position ${i} holds entry ${entry.seq}.`, { details: { agentId, seq: i } });
      }
    });
    return new Journal(store, agentId, entries);
  }

  /** Entries in order (the last one may be `started`). */
  get entries(): readonly JournalEntry[] {
    return this.#entries;
  }

  /** The position the next new call gets. */
  get length(): number {
    return this.#entries.length;
  }

  /** Entries queued and not yet durable. */
  get pending(): number {
    return this.#dirty.size;
  }

  /**
   * Journals a new call at the end and returns its entry. An external call is
   * queued as `started` (flush it before running the effect); a read is only
   * written once `complete` gives its outcome.
   */
  begin(call: CallStart): JournalEntry {
    const seq = this.#entries.length;
    const entry: JournalEntry = {
      seq, interface: call.interface, function: call.function, args: encodeValue(call.args), state: 'started',
      fuelAtCall: call.fuelAtCall.toString(), startedAt: call.startedAt, effect: call.effect,
    };
    if (call.effect === 'external') {
      entry.idempotencyKey = idempotencyKey(this.agentId, seq);
      this.#dirty.set(seq, entry);
    }
    this.#entries.push(entry);
    return entry;
  }

  /**
   * Records the outcome of the call at `seq` (queued; durable after `flush`).
   * @throws AgentOsError 'illegal-state' for a position that was never begun or is already completed.
   */
  complete(seq: number, outcome: JournalOutcome): JournalEntry {
    const entry = this.#entries[seq];
    if (!entry || entry.state === 'completed') {
      throw new AgentOsError('illegal-state', `Journal position ${seq} of ${this.agentId} is ${entry ? 'already completed' : 'not begun'}.`, { details: { seq } });
    }
    entry.state = 'completed';
    entry.endedAt = outcome.endedAt;
    if ('error' in outcome) entry.error = outcome.error;
    else entry.result = encodeValue(outcome.result);
    this.#dirty.set(seq, entry);
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
    const writing = this.#write();
    this.#writing = writing;
    try {
      await writing;
    } finally {
      if (this.#writing === writing) this.#writing = undefined;
    }
  }

  async #write(): Promise<void> {
    const entries = [...this.#dirty.values()];
    const ops: BatchOp[] = entries.map((entry) => ({ type: 'put', key: entryKey(this.agentId, entry.seq), value: encoder.encode(JSON.stringify(entry)) }));
    for (const entry of entries) this.#dirty.delete(entry.seq);
    try {
      if (ops.length === 1) await this.store.put(ops[0].key, (ops[0] as { value: Uint8Array }).value);
      else await this.store.batch(ops);
    } catch (error) {
      for (const entry of entries) if (!this.#dirty.has(entry.seq)) this.#dirty.set(entry.seq, entry);
      throw error;
    }
  }
}
