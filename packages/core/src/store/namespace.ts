/**
 * A view of the store confined to one namespace (an agent's files, or a
 * blackboard): every path is checked and prefixed on the way in, and every
 * key is stripped on the way out, so callers only ever see and name their own
 * keys. Writes go through the quota ledger of the namespace's owner.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { checkPath, checkPrefix } from './paths.ts';
import type { Quota, QuotaLedger } from './quota.ts';
import { checkLimit, MAX_LIST_LIMIT, type BatchResult, type Store, type StoreEntry } from './store.ts';

export type PathOp = { type: 'put'; path: string; value: Uint8Array } | { type: 'delete'; path: string };

export interface PathPrecondition {
  path: string;
  /** The version `entry()` returned; null: the path must not exist. */
  version: number | null;
}

export type PathBatchResult =
  | { ok: true; versions: Record<string, number> }
  | { ok: false; conflict: { path: string; expected: number | null; actual: number | null } };

export interface PathListOptions {
  prefix?: string;
  cursor?: string;
  limit?: number;
}

export interface PathPage {
  entries: { path: string; size: number; version: number }[];
  cursor?: string;
}

export interface NamespaceOptions {
  store: Store;
  ledger: QuotaLedger;
  /** Root of the owner's quota account (may contain more than this namespace). */
  accountRoot: string;
  /** Where this namespace's keys live; starts with `accountRoot`. */
  root: string;
  /** Who is charged, for messages: `agent "a"`, `blackboard "b"`. */
  owner: string;
  quota: () => Quota | undefined;
}

export class Namespace {
  readonly #options: NamespaceOptions;

  constructor(options: NamespaceOptions) {
    this.#options = options;
  }

  /** @throws AgentOsError 'invalid-argument' for a malformed path. */
  key(path: string): string {
    checkPath(path);
    return this.#options.root + path;
  }

  async entry(path: string): Promise<StoreEntry | undefined> {
    return this.#options.store.get(this.key(path));
  }

  async get(path: string): Promise<Uint8Array | undefined> {
    return (await this.entry(path))?.value;
  }

  async put(path: string, value: Uint8Array): Promise<number> {
    const result = await this.batch([{ type: 'put', path, value }]);
    if (!result.ok) throw new AgentOsError('internal', `The write to "${path}" kept conflicting with writes from outside this ledger.`, { details: { path } });
    return result.versions[path];
  }

  async delete(path: string): Promise<boolean> {
    const key = this.key(path);
    if ((await this.#options.store.get(key)) === undefined) return false;
    const result = await this.batch([{ type: 'delete', path }]);
    return result.ok;
  }

  async list(options: PathListOptions = {}): Promise<PathPage> {
    const prefix = options.prefix ?? '';
    checkPrefix(prefix);
    const limit = options.limit ?? MAX_LIST_LIMIT;
    checkLimit(limit);
    const root = this.#options.root;
    const cursor = options.cursor === undefined ? undefined : this.key(options.cursor);
    const page = await this.#options.store.list({ prefix: root + prefix, cursor, limit });
    const entries = page.keys.map((k) => ({ path: k.key.slice(root.length), size: k.size, version: k.version }));
    return page.cursor === undefined ? { entries } : { entries, cursor: page.cursor.slice(root.length) };
  }

  /**
   * Applies path ops atomically if every precondition holds.
   * @throws AgentOsError 'invalid-argument' (bad path or value) or 'quota-exceeded', with nothing written.
   */
  async batch(ops: readonly PathOp[], options: { preconditions?: readonly PathPrecondition[] } = {}): Promise<PathBatchResult> {
    const root = this.#options.root;
    const keyed = ops.map((op) => (op.type === 'put' ? { type: 'put' as const, key: this.key(op.path), value: op.value } : { type: 'delete' as const, key: this.key(op.path) }));
    for (const op of keyed) {
      if (op.type === 'put' && !(op.value instanceof Uint8Array)) throw new AgentOsError('invalid-argument', `The value for "${op.key.slice(root.length)}" must be a Uint8Array.`);
    }
    const preconditions = (options.preconditions ?? []).map((p) => ({ key: this.key(p.path), version: p.version }));
    const result: BatchResult = await this.#options.ledger.write({
      root: this.#options.accountRoot, owner: this.#options.owner, quota: this.#options.quota(), ops: keyed, preconditions,
    });
    if (result.ok) {
      const versions: Record<string, number> = {};
      for (const [key, version] of Object.entries(result.versions)) versions[key.slice(root.length)] = version;
      return { ok: true, versions };
    }
    return { ok: false, conflict: { path: result.conflict.key.slice(root.length), expected: result.conflict.expected, actual: result.conflict.actual } };
  }
}
