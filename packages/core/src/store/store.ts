/**
 * The `Store` contract: a small, async key-value interface that every backend
 * implements (in-memory here; SQLite on Node and edge/browser storage later).
 *
 * Keys are strings ordered by UTF-16 code unit (JavaScript's `<`), which is
 * what prefix listing and cursors follow. Values are bytes. Every write gives
 * the entry a new `version` (increasing across the whole store), which is what
 * compare-and-set preconditions compare. A batch applies all its operations or
 * none of them.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

export interface StoreEntry {
  value: Uint8Array;
  version: number;
}

export interface ListOptions {
  /** Only keys starting with this. Default: all keys. */
  prefix?: string;
  /** Resume after this key (exclusive): the `cursor` of the previous page. */
  cursor?: string;
  /** Most keys per page, 1–1000. Default 1000. */
  limit?: number;
}

export interface ListedKey {
  key: string;
  /** Value length in bytes. */
  size: number;
  version: number;
}

export interface ListPage {
  keys: ListedKey[];
  /** Present when more keys may follow; pass it back as `cursor`. */
  cursor?: string;
}

export type BatchOp = { type: 'put'; key: string; value: Uint8Array } | { type: 'delete'; key: string };

/** Compare-and-set guard: the key's current version must be `version` (null: the key must not exist). */
export interface Precondition {
  key: string;
  version: number | null;
}

export type BatchResult =
  | { ok: true; /** The version each put in the batch was given, by key. */ versions: Record<string, number> }
  | { ok: false; /** The first precondition that did not hold; nothing was written. */ conflict: { key: string; expected: number | null; actual: number | null } };

export interface Store {
  /** The entry under `key`, or undefined. @throws AgentOsError 'invalid-argument' for a malformed key. */
  get(key: string): Promise<StoreEntry | undefined>;
  /** Writes `value` (copied) under `key`; returns the new version. @throws AgentOsError 'invalid-argument'. */
  put(key: string, value: Uint8Array): Promise<number>;
  /** Removes `key`; true when it existed. @throws AgentOsError 'invalid-argument' for a malformed key. */
  delete(key: string): Promise<boolean>;
  /** Keys in order, a page at a time. @throws AgentOsError 'invalid-argument' for a bad limit. */
  list(options?: ListOptions): Promise<ListPage>;
  /**
   * Applies every op in order, atomically, if every precondition holds; otherwise writes nothing and
   * reports the conflict. @throws AgentOsError 'invalid-argument' for a malformed key or value (nothing written).
   */
  batch(ops: readonly BatchOp[], options?: { preconditions?: readonly Precondition[] }): Promise<BatchResult>;
}

export const MAX_KEY_LENGTH = 1024;
export const MAX_LIST_LIMIT = 1000;

/**
 * Checks a store key: 1–1024 UTF-16 units, well-formed Unicode (lone surrogates
 * would not survive a UTF-8 backend), no NUL.
 * @throws AgentOsError 'invalid-argument' otherwise.
 */
export function checkKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH || !key.isWellFormed() || key.includes('\u0000')) {
    throw new AgentOsError('invalid-argument', `Invalid store key ${JSON.stringify(String(key).slice(0, 64))}: use 1-${MAX_KEY_LENGTH} characters of well-formed Unicode without NUL.`, {
      details: { key: String(key).slice(0, 64) },
    });
  }
}

/** @throws AgentOsError 'invalid-argument' unless `value` is a Uint8Array. */
export function checkValue(key: string, value: Uint8Array): void {
  if (!(value instanceof Uint8Array)) {
    throw new AgentOsError('invalid-argument', `The value for "${key}" must be a Uint8Array (use putJson for objects).`, { details: { key } });
  }
}

/** @throws AgentOsError 'invalid-argument' unless `limit` is an integer in 1–1000. */
export function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new AgentOsError('invalid-argument', `A list limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${limit}.`, { details: { limit } });
  }
}

/** Every key under `prefix`, following cursors to the end (for small namespaces and tests). */
export async function listAll(store: Store, prefix = ''): Promise<ListedKey[]> {
  const all: ListedKey[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ prefix, cursor });
    all.push(...page.keys);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return all;
}
