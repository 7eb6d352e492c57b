/**
 * Durable agents: the storage side of agents that outlive their host — agent
 * records, approval requests and components in a `Store`, journaled host
 * imports (record and replay), memory snapshots, and signed bundles that
 * move an agent to another host. The Runtime wires it in (runtime/durability.ts)
 * when `RuntimeOptions.durable` is set.
 */
export { AGENT_FORMAT, AgentStore, fromStoredBudget, toStoredBudget, type AgentRecord, type StoredBudget } from './agent-store.ts';
export { journalImports, type CurrentCall, type JournaledImports, type JournaledImportsOptions } from './journaled-imports.ts';
export { BUNDLE_FORMAT, exportBundle, openBundle, writeBundle, type OpenedBundle } from './bundle.ts';
export { captureSnapshot, readSnapshot, restoreSnapshot, restoreStore, snapshotStore, SNAPSHOT_FORMAT, type SnapshotState } from './snapshot.ts';
export { compact, openSnapshot, type OpenedSnapshot } from './compaction.ts';
