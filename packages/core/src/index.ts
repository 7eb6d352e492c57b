/**
 * @agentos/core: the primitives of the agent OS, portable across the Node
 * host, the edge (Durable Objects) and the browser (Web Workers). Each concept
 * is a folder whose index.ts is its only entry; this file gathers them.
 */
export * from './capabilities/index.ts';
export * from './policy/index.ts';
export * from './audit/index.ts';
export * from './clock/index.ts';
export * from './process/index.ts';
export * from './scheduler/index.ts';
export * from './runtime/index.ts';
export * from './recovery/index.ts';
export * from './observer/index.ts';
export * from './bus/index.ts';
export * from './store/index.ts';
export * from './trust/index.ts';
export * from './registry/index.ts';
export * from './semver/index.ts';
export * from './http/index.ts';
export * from './secrets/index.ts';
export * from './llm/index.ts';
export * from './mcp/index.ts';
// The journal's synchronous hash helpers stay internal (store/ exports the async sha256Hex).
export {
  canonicalValue, decodeValue, encodeValue, fromBase64, toBase64, entryKey, idempotencyKey, journalPrefix, Journal, Replay,
  type Encoded, type Effect, type JournalEntry, type JournalOutcome, type CallStart, type CallSite, type ReplayStep,
} from './journal/index.ts';
export * from './durable/index.ts';
