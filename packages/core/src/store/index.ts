/**
 * Store: where agents keep state.
 *
 * `Store` is the small async key-value contract every backend implements
 * (`MemoryStore` here; SQLite and edge/browser backends later): get, put,
 * delete, prefix listing with cursors, and atomic batches with
 * compare-and-set preconditions. On top, `Workspaces` gives each agent a
 * private `Workspace` (paths it cannot escape, artifacts with SHA-256
 * digests) and shared blackboards with explicit grants, all under per-owner
 * quotas checked before anything is written.
 */
export {
  checkKey, listAll, MAX_KEY_LENGTH, MAX_LIST_LIMIT,
  type BatchOp, type BatchResult, type ListedKey, type ListOptions, type ListPage, type Precondition, type Store, type StoreEntry,
} from './store.ts';
export { MemoryStore } from './memory-store.ts';
export { decodeJson, encodeJson, getJson, putJson, type BytesGetPut } from './json.ts';
export { Workspace, Workspaces, type WorkspacesOptions } from './workspace.ts';
export { Blackboard, type BlackboardView, type BoardAccess } from './blackboard.ts';
export { Artifacts, sha256Hex, type ArtifactInfo } from './artifacts.ts';
export type { PathBatchResult, PathListOptions, PathOp, PathPage, PathPrecondition } from './namespace.ts';
export type { Quota, Usage } from './quota.ts';
export { checkPath } from './paths.ts';
