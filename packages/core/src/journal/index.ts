/**
 * Journal: the durable record of every capability call an agent makes
 * (interface, function, arguments, result or error, fuel at the call,
 * timestamps, effect class, idempotency key), in a `Store`, and the replay
 * that serves a fresh instance its past from it. Durable agents (durable/)
 * wire it into the runtime's host imports.
 */
export { canonicalValue, decodeValue, encodeValue, fromBase64, sameValue, toBase64, type Encoded } from './codec.ts';
export { encodeEntry, entryKey, entryText, idempotencyKey, journalPrefix, journalStartKey, type Effect, type JournalEntry } from './entry.ts';
export { sha256Hex, toHexString } from './hash.ts';
export { Journal, type JournalOutcome, type CallStart } from './journal.ts';
export type { ScanPage, ScanStore } from './load.ts';
export type { PutManyStore } from './journal.ts';
export { Replay, type CallSite, type ReplayStep } from './replay.ts';
