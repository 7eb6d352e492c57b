/**
 * The agents' `kv` workspaces kept in the host's durable Store, so what an
 * agent wrote survives restarts together with its journal: key
 * `workspaces/<namespace>/kv/<key>`. A kv.set retried after a crash (same
 * idempotency key) writes the same bytes again, which is harmless.
 */
import { listAll, type Store } from '../../../core/src/store/index.ts';
import type { KeyPage, KvImplementation } from '../../../core/src/index.ts';

const prefixOf = (namespace: string): string => `workspaces/${namespace}/kv/`;

export class StoreKv implements KvImplementation {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  async get(namespace: string, key: string): Promise<Uint8Array | undefined> {
    return (await this.#store.get(prefixOf(namespace) + key))?.value;
  }

  /** @throws the Store's 'invalid-argument' for a key it cannot hold (empty, too long). */
  async set(namespace: string, key: string, value: Uint8Array): Promise<void> {
    await this.#store.put(prefixOf(namespace) + key, value);
  }

  async delete(namespace: string, key: string): Promise<boolean> {
    return this.#store.delete(prefixOf(namespace) + key);
  }

  async list(namespace: string, options: { prefix: string; cursor?: string; limit: number }): Promise<KeyPage> {
    const base = prefixOf(namespace);
    const page = await this.#store.list({
      prefix: base + options.prefix, cursor: options.cursor === undefined ? undefined : base + options.cursor, limit: Math.min(Math.max(options.limit, 1), 1000),
    });
    const keys = page.keys.map((k) => k.key.slice(base.length));
    return page.cursor === undefined ? { keys } : { keys, nextCursor: page.cursor.slice(base.length) };
  }

  /** Every key of a workspace (for status and tests). */
  async keys(namespace: string): Promise<string[]> {
    return (await listAll(this.#store, prefixOf(namespace))).map((k) => k.key.slice(prefixOf(namespace).length));
  }
}
