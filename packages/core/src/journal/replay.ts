/**
 * Replay: serving a fresh instance of an agent its past from the journal.
 * The guest is deterministic given what its imports return, so handing it the
 * recorded results in order brings it to the same state (memory, fuel) as the
 * run that wrote the journal. Each call is checked against its entry first —
 * interface, function, canonical arguments, and the fuel used at the call —
 * and any difference is a divergence (another component, a changed input, a
 * damaged journal), reported as 'replay-divergence', never papered over.
 */
import { AgentOsError, ERROR_CODES, type ErrorCode } from '../../../sandbox/src/errors/index.ts';
import { canonicalize } from '../audit/index.ts';
import { decodeValue, encodeValue, sameValue } from './codec.ts';
import type { JournalEntry } from './entry.ts';
import type { Journal } from './journal.ts';

/** A call the guest makes, as replay compares it. */
export interface CallSite {
  interface: string;
  function: string;
  args: unknown;
  fuelAtCall: bigint;
}

/**
 * What to do with a call:
 * - `recorded`: return the entry's outcome (`value`, or throw `error`), run nothing;
 * - `retry`: an external call journaled as started whose outcome was never
 *   recorded — run it again under the same seq and idempotency key;
 * - `live`: the journal is behind the guest; run and journal the call as new.
 */
export type ReplayStep =
  | { kind: 'recorded'; entry: JournalEntry; value: unknown; error: AgentOsError | undefined }
  | { kind: 'retry'; entry: JournalEntry }
  | { kind: 'live' };

const LIVE: ReplayStep = { kind: 'live' };

export class Replay {
  readonly #entries: readonly JournalEntry[];
  /** Position of `#entries[0]`. */
  readonly #first: number;
  #next: number;

  /**
   * @param source the journal as it stands (or its entries); later appends are not replayed (they are the live run's).
   * @param from the first position to serve (the snapshot's position when replay starts from one).
   * @throws AgentOsError 'illegal-state' when `from` lies before the journal's first retained
   *   position: those entries were discarded after a snapshot, so replay must start from it.
   */
  constructor(source: Journal | readonly JournalEntry[], from = 0) {
    const entries = isJournal(source) ? source.entries : source;
    this.#entries = entries.slice();
    this.#first = isJournal(source) ? source.first : (entries[0]?.seq ?? from);
    if (from < this.#first) {
      throw new AgentOsError('illegal-state', `Cannot replay from journal position ${from}: the entries before ${this.#first} were discarded after a snapshot. Resume from the snapshot at ${this.#first} or later.`, {
        details: { from, first: this.#first },
      });
    }
    this.#next = from;
  }

  /** Position of the next call. */
  get position(): number {
    return this.#next;
  }

  /** True while journaled calls remain to be served. */
  get replaying(): boolean {
    return this.#next - this.#first < this.#entries.length;
  }

  /** The entry the next call will be matched against, or undefined past the journal's end. */
  peek(): JournalEntry | undefined {
    return this.#entries[this.#next - this.#first];
  }

  /**
   * Matches the guest's next call against the journal.
   * @throws AgentOsError 'replay-divergence' (details: seq, expected, actual) when it differs
   *   from the entry at this position.
   */
  next(call: CallSite): ReplayStep {
    const entry = this.#entries[this.#next - this.#first];
    if (!entry) return LIVE;
    const difference = differs(entry, call);
    if (difference) {
      throw new AgentOsError('replay-divergence', `Replay diverged at journal position ${entry.seq} (${difference}): the agent no longer makes the calls its journal records. Its component or inputs changed; it cannot be resumed from this journal.`, {
        details: {
          seq: entry.seq, field: difference,
          expected: { interface: entry.interface, function: entry.function, args: canonicalize(entry.args), fuelAtCall: entry.fuelAtCall },
          actual: { interface: call.interface, function: call.function, args: safeCanonical(call.args), fuelAtCall: call.fuelAtCall.toString() },
        },
      });
    }
    this.#next++;
    if (entry.state === 'started') return { kind: 'retry', entry };
    if (entry.error) {
      return { kind: 'recorded', entry, value: undefined, error: new AgentOsError(knownCode(entry.error.code), entry.error.message, { details: { replayed: entry.seq } }) };
    }
    return { kind: 'recorded', entry, value: decodeValue(entry.result ?? { $undefined: 1 }), error: undefined };
  }
}

function isJournal(source: Journal | readonly JournalEntry[]): source is Journal {
  return !Array.isArray(source);
}

function differs(entry: JournalEntry, call: CallSite): string | undefined {
  if (entry.interface !== call.interface || entry.function !== call.function) return 'function';
  if (entry.fuelAtCall !== call.fuelAtCall.toString()) return 'fuel';
  // Walks both values instead of canonicalizing both (the same equality, without building two strings).
  if (!sameValue(call.args, entry.args)) return 'args';
  return undefined;
}

function safeCanonical(value: unknown): string {
  try {
    return canonicalize(encodeValue(value));
  } catch (error) {
    return `(not encodable: ${(error as Error).message})`;
  }
}

/** Errors keep their code when it is one we know; a forged or retired code reads as internal. */
function knownCode(code: string): ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'internal';
}
