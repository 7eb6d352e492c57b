/**
 * Durable storage for the Node host: the core `Store` contract on the
 * embedded SQLite of `node:sqlite` (WAL mode), used by default by
 * `agentos agent` for journals, workspaces and agent records.
 */
export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.ts';
