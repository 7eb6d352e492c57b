/**
 * One journal entry: a capability call of a guest, what it was asked and
 * what it got back, at which point of its deterministic run (the fuel it had
 * used when it called). Entries are keyed by position (`seq`), so a call
 * journaled as `started` is overwritten by its `completed` form.
 */
import { sha256, toHexString } from './hash.ts';
import type { Encoded } from './codec.ts';

/** Whether re-running a call could be seen outside the agent. */
export type Effect = 'read' | 'external';

export interface JournalEntry {
  /** Position in the agent's journal, from 0. */
  seq: number;
  /** WIT interface as the guest imports it, e.g. `agentos:runtime/http`. */
  interface: string;
  /** Function as the glue names it, e.g. `fetch`. */
  function: string;
  /** The arguments, in the journal encoding (codec.ts). */
  args: Encoded;
  /** `started`: an external call about to run (journaled before its effect); `completed`: its outcome is known. */
  state: 'started' | 'completed';
  /** The value handed to the guest (completed calls that returned). */
  result?: Encoded;
  /** What the call threw into the guest (completed calls that trapped it). */
  error?: { code: string; message: string };
  /** Fuel the guest had used when it made the call (decimal; bigint does not survive JSON). */
  fuelAtCall: string;
  /** Milliseconds since the epoch, by the runtime's clock. */
  startedAt: number;
  endedAt?: number;
  effect: Effect;
  /** For external calls: the key the implementation sees (`idempotencyKey`), stable across retries. */
  idempotencyKey?: string;
}

/** Key prefix of an agent's journal in a Store. */
export function journalPrefix(agentId: string): string {
  return `agents/${agentId}/journal/`;
}

/** Store key of one entry: 12-digit zero-padded position, so keys sort as positions. */
export function entryKey(agentId: string, seq: number): string {
  return `${journalPrefix(agentId)}${String(seq).padStart(12, '0')}`;
}

/**
 * Store key recording where a compacted journal starts (`{"first":P}`): positions
 * before P were discarded on purpose, after a snapshot at P (journal.ts). Outside
 * `journalPrefix`, so listing the entries never meets it.
 */
export function journalStartKey(agentId: string): string {
  return `agents/${agentId}/journal-start`;
}

const encoder = new TextEncoder();

/**
 * An entry as stored: its JSON text. (A hand-built text reusing the arguments' JSON between the
 * started and completed writes was measured slower than one `JSON.stringify` of the whole entry.)
 */
export function entryText(entry: JournalEntry): string {
  return JSON.stringify(entry);
}

/** An entry as stored: UTF-8 JSON (`entryText`). */
export function encodeEntry(entry: JournalEntry): Uint8Array {
  return encoder.encode(entryText(entry));
}

/**
 * The idempotency key of the call at `seq` of an agent: the first 32 hex
 * digits of SHA-256("<agentId>:<seq>"). Deterministic, so a call retried after
 * a crash carries the same key; opaque, so it does not leak the agent id.
 */
export function idempotencyKey(agentId: string, seq: number): string {
  const text = `${agentId}:${seq}`;
  // Encoded into a reused buffer: allocating one per call cost more than the hash.
  if (text.length * 3 > keyScratch.length) keyScratch = new Uint8Array(text.length * 3);
  const { written } = encoder.encodeInto(text, keyScratch);
  return toHexString(sha256(keyScratch, written, digestScratch), 0, 16);
}

let keyScratch = new Uint8Array(256);
const digestScratch = new Uint8Array(32);
