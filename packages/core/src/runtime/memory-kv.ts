/**
 * MemoryKv: the default `kv` implementation — one in-memory namespace per
 * workspace, with an optional byte quota (keys + values). Enough for tests,
 * demos and short-lived hosts; a durable store plugs in through the same
 * `KvImplementation` interface.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { KeyPage, KvImplementation } from './options.ts';

export class MemoryKv implements KvImplementation {
  readonly #spaces = new Map<string, Map<string, Uint8Array>>();
  readonly #used = new Map<string, number>();
  readonly #quotaBytes: number;

  /** @param options.quotaBytes bytes of keys + values per workspace; default unlimited. */
  constructor(options: { quotaBytes?: number } = {}) {
    this.#quotaBytes = options.quotaBytes ?? Infinity;
  }

  get(namespace: string, key: string): Uint8Array | undefined {
    return this.#spaces.get(namespace)?.get(key)?.slice();
  }

  /** @throws AgentOsError 'quota-exceeded' when the workspace would pass its quota (nothing is written). */
  set(namespace: string, key: string, value: Uint8Array): void {
    let space = this.#spaces.get(namespace);
    const before = space?.get(key);
    const delta = (before === undefined ? key.length * 3 : -before.length) + value.length;
    const used = (this.#used.get(namespace) ?? 0) + delta;
    if (used > this.#quotaBytes) {
      throw new AgentOsError('quota-exceeded', `Workspace ${namespace} would hold ${used} bytes, over its quota of ${this.#quotaBytes}; delete keys first.`, {
        details: { namespace, quotaBytes: this.#quotaBytes, used },
      });
    }
    if (!space) this.#spaces.set(namespace, (space = new Map()));
    space.set(key, value.slice());
    this.#used.set(namespace, used);
  }

  delete(namespace: string, key: string): boolean {
    const space = this.#spaces.get(namespace);
    const value = space?.get(key);
    if (!space || value === undefined) return false;
    space.delete(key);
    this.#used.set(namespace, (this.#used.get(namespace) ?? 0) - key.length * 3 - value.length);
    return true;
  }

  list(namespace: string, options: { prefix: string; cursor?: string; limit: number }): KeyPage {
    const keys = [...(this.#spaces.get(namespace)?.keys() ?? [])]
      .filter((k) => k.startsWith(options.prefix) && (options.cursor === undefined || k > options.cursor))
      .sort();
    const page = keys.slice(0, Math.max(0, options.limit));
    return keys.length > page.length ? { keys: page, nextCursor: page.at(-1) } : { keys: page };
  }

  /** Bytes (keys counted as UTF-16 upper bound) a workspace holds. */
  usedBytes(namespace: string): number {
    return this.#used.get(namespace) ?? 0;
  }
}
