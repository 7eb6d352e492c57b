/**
 * The in-memory `Store` backend: a Map for lookups plus a sorted key array for
 * prefix listing. New keys are collected unsorted and merged in on the next
 * `list`, so a run of puts costs O(1) each instead of an array splice each;
 * deleted keys are skipped while listing and dropped at the next merge.
 * Values are copied in and out, so no caller can change stored bytes behind
 * the store's back.
 */
import { type BatchOp, type BatchResult, checkKey, checkLimit, checkValue, type ListOptions, type ListPage, MAX_LIST_LIMIT, type Precondition, type Store, type StoreEntry } from './store.ts';

interface Slot {
  value: Uint8Array;
  version: number;
}

export class MemoryStore implements Store {
  readonly #slots = new Map<string, Slot>();
  #sorted: string[] = [];
  #added: string[] = [];
  #stale = 0;
  #version = 0;

  /** Number of keys held. */
  get size(): number {
    return this.#slots.size;
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    checkKey(key);
    const slot = this.#slots.get(key);
    return slot === undefined ? undefined : { value: slot.value.slice(), version: slot.version };
  }

  async put(key: string, value: Uint8Array): Promise<number> {
    checkKey(key);
    checkValue(key, value);
    return this.#write(key, value.slice());
  }

  async delete(key: string): Promise<boolean> {
    checkKey(key);
    return this.#remove(key);
  }

  async list(options: ListOptions = {}): Promise<ListPage> {
    const prefix = options.prefix ?? '';
    const limit = options.limit ?? MAX_LIST_LIMIT;
    checkLimit(limit);
    const sorted = this.#sortedKeys();
    const from = options.cursor !== undefined && options.cursor >= prefix ? options.cursor : prefix;
    let i = lowerBound(sorted, from);
    if (options.cursor !== undefined && sorted[i] === options.cursor) i++;
    const keys: ListPage['keys'] = [];
    for (; i < sorted.length; i++) {
      const key = sorted[i];
      if (!key.startsWith(prefix)) break;
      const slot = this.#slots.get(key);
      if (slot === undefined) continue;
      if (keys.length === limit) return { keys, cursor: keys[keys.length - 1].key };
      keys.push({ key, size: slot.value.byteLength, version: slot.version });
    }
    return { keys };
  }

  async batch(ops: readonly BatchOp[], options: { preconditions?: readonly Precondition[] } = {}): Promise<BatchResult> {
    // Validate and copy everything first: a bad op must not leave half a batch written.
    const copies: (Uint8Array | undefined)[] = ops.map((op) => {
      checkKey(op.key);
      if (op.type === 'delete') return undefined;
      checkValue(op.key, op.value);
      return op.value.slice();
    });
    for (const { key, version } of options.preconditions ?? []) {
      checkKey(key);
      const actual = this.#slots.get(key)?.version ?? null;
      if (actual !== version) return { ok: false, conflict: { key, expected: version, actual } };
    }
    const versions: Record<string, number> = {};
    ops.forEach((op, i) => {
      if (op.type === 'put') versions[op.key] = this.#write(op.key, copies[i] as Uint8Array);
      else this.#remove(op.key);
    });
    return { ok: true, versions };
  }

  #write(key: string, value: Uint8Array): number {
    const version = ++this.#version;
    const slot = this.#slots.get(key);
    if (slot !== undefined) {
      slot.value = value;
      slot.version = version;
    } else {
      this.#slots.set(key, { value, version });
      this.#added.push(key);
    }
    return version;
  }

  #remove(key: string): boolean {
    if (!this.#slots.delete(key)) return false;
    this.#stale++;
    return true;
  }

  #sortedKeys(): string[] {
    if (this.#added.length === 0 && this.#stale * 2 <= this.#sorted.length) return this.#sorted;
    const added = this.#added.sort();
    const merged: string[] = [];
    const sorted = this.#sorted;
    let i = 0;
    let j = 0;
    while (i < sorted.length || j < added.length) {
      const key = j >= added.length || (i < sorted.length && sorted[i] < added[j]) ? sorted[i++] : added[j++];
      // Drop deleted keys, and the duplicate of a key deleted and added again.
      if (this.#slots.has(key) && merged[merged.length - 1] !== key) merged.push(key);
    }
    this.#sorted = merged;
    this.#added = [];
    this.#stale = 0;
    return merged;
  }
}

function lowerBound(sorted: string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
