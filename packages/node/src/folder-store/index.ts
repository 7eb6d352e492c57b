/**
 * A `Store` on a plain folder (an index file plus content-addressed objects),
 * for data meant to be looked at, copied and committed: the local tool
 * registry of `agentos publish`. Agent state belongs in the SQLite store.
 */
export { FolderStore, type FolderStoreOptions } from './folder-store.ts';
