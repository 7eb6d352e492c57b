/**
 * FolderStore: the core `Store` contract on a plain folder, for data people
 * want to see, copy and commit — the local tool registry of `agentos publish`
 * (`.agentos/registry`), fixtures, small caches. For agent state use the
 * SQLite store.
 *
 * Layout:
 *   index.json          {"format":"agentos-folder-store/1","version":N,"keys":{key:{version,size,sha256}}}
 *   objects/<sha256>    each value, stored once per content (a registry's
 *                       components are large and often shared)
 *   .lock               held while a write runs (created exclusively)
 * A write takes the lock, re-reads the index, checks preconditions, writes new
 * objects, then replaces index.json by rename: the rename is the commit, so a
 * crash leaves the old index or the new one, never half a batch. Objects no
 * longer referenced are removed after the commit. Reads see the last committed
 * index and check each object's SHA-256, so a hand-edited value is an error,
 * not silently served. Every write rewrites the index: fine for hundreds of
 * keys, not for millions.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import {
  checkKey, MAX_LIST_LIMIT,
  type BatchOp, type BatchResult, type ListOptions, type ListPage, type Precondition, type Store, type StoreEntry,
} from '../../../core/src/store/index.ts';

const FORMAT = 'agentos-folder-store/1';

interface Slot {
  version: number;
  size: number;
  sha256: string;
}

interface Index {
  format: typeof FORMAT;
  version: number;
  keys: Record<string, Slot>;
}

export interface FolderStoreOptions {
  /** The folder (created when missing). */
  dir: string;
  /** How long a write waits for another process's lock before failing with 'timeout' (default 5000 ms). */
  lockTimeoutMs?: number;
  /** A lock older than this is taken to be left by a crashed process and broken (default 30 s). */
  staleLockMs?: number;
}

export class FolderStore implements Store {
  readonly dir: string;
  readonly #lockTimeoutMs: number;
  readonly #staleLockMs: number;
  /** Serializes this process's writes; the lock file serializes processes. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Objects written by the running write, so that ones it overwrote again are collected too. */
  #written = new Set<string>();

  constructor(options: FolderStoreOptions) {
    this.dir = options.dir;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 5000;
    this.#staleLockMs = options.staleLockMs ?? 30_000;
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    checkKey(key);
    const slot = (await this.#read()).keys[key];
    if (slot === undefined) return undefined;
    return { value: await this.#object(key, slot), version: slot.version };
  }

  async put(key: string, value: Uint8Array): Promise<number> {
    const result = await this.batch([{ type: 'put', key, value }]);
    return (result as { versions: Record<string, number> }).versions[key];
  }

  async delete(key: string): Promise<boolean> {
    checkKey(key);
    return this.#write(async (index) => {
      if (!Object.hasOwn(index.keys, key)) return { commit: false, result: false };
      delete index.keys[key];
      return { commit: true, result: true };
    });
  }

  async list(options: ListOptions = {}): Promise<ListPage> {
    const prefix = options.prefix ?? '';
    const limit = options.limit ?? MAX_LIST_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new AgentOsError('invalid-argument', `A list limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${limit}.`, { details: { limit } });
    }
    const index = await this.#read();
    // Code-unit order (JavaScript's <), as the contract requires; not localeCompare.
    const keys = Object.keys(index.keys).filter((k) => k.startsWith(prefix) && (options.cursor === undefined || k > options.cursor)).sort();
    const page = keys.slice(0, limit).map((key) => ({ key, size: index.keys[key].size, version: index.keys[key].version }));
    return keys.length > limit ? { keys: page, cursor: page[page.length - 1].key } : { keys: page };
  }

  async batch(ops: readonly BatchOp[], options: { preconditions?: readonly Precondition[] } = {}): Promise<BatchResult> {
    // Validate and copy everything before taking the lock: a bad op writes nothing.
    const values = ops.map((op) => {
      checkKey(op.key);
      if (op.type === 'delete') return undefined;
      if (!(op.value instanceof Uint8Array)) {
        throw new AgentOsError('invalid-argument', `The value for "${op.key}" must be a Uint8Array.`, { details: { key: op.key } });
      }
      return op.value.slice();
    });
    for (const p of options.preconditions ?? []) checkKey(p.key);
    return this.#write(async (index) => {
      for (const { key, version } of options.preconditions ?? []) {
        const actual = index.keys[key]?.version ?? null;
        if (actual !== version) return { commit: false, result: { ok: false, conflict: { key, expected: version, actual } } as BatchResult };
      }
      const versions: Record<string, number> = {};
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i];
        if (op.type === 'delete') {
          delete index.keys[op.key];
          delete versions[op.key];
          continue;
        }
        const value = values[i]!;
        const sha256 = createHash('sha256').update(value).digest('hex');
        await this.#putObject(sha256, value);
        index.version++;
        index.keys[op.key] = { version: index.version, size: value.byteLength, sha256 };
        versions[op.key] = index.version;
      }
      return { commit: true, result: { ok: true, versions } as BatchResult };
    });
  }

  /** Runs `change` on a fresh copy of the index under the lock, commits it when asked, then drops unreferenced objects. */
  async #write<T>(change: (index: Index) => Promise<{ commit: boolean; result: T }>): Promise<T> {
    const run = this.#queue.then(async () => {
      await mkdir(join(this.dir, 'objects'), { recursive: true });
      const release = await this.#lock();
      try {
        const index = await this.#read();
        const before = new Set(Object.values(index.keys).map((s) => s.sha256));
        this.#written = new Set();
        const { commit, result } = await change(index);
        for (const sha of this.#written) before.add(sha);
        if (commit) {
          const temp = join(this.dir, `index.json.${process.pid}.tmp`);
          await writeFile(temp, `${JSON.stringify(index, null, 1)}\n`);
          await rename(temp, join(this.dir, 'index.json'));
          const after = new Set(Object.values(index.keys).map((s) => s.sha256));
          for (const sha of before) if (!after.has(sha)) await rm(join(this.dir, 'objects', sha), { force: true });
        }
        return result;
      } finally {
        await release();
      }
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  async #lock(): Promise<() => Promise<void>> {
    const path = join(this.dir, '.lock');
    const deadline = Date.now() + this.#lockTimeoutMs;
    for (let wait = 2; ; wait = Math.min(wait * 2, 100)) {
      try {
        const handle = await open(path, 'wx');
        await handle.close();
        return () => unlink(path).catch(() => {});
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > this.#staleLockMs) {
        await unlink(path).catch(() => {});
        continue;
      }
      if (Date.now() > deadline) {
        throw new AgentOsError('timeout', `The folder store ${this.dir} is locked by another writer (${path}); retry, or remove the lock if no agentos process is running.`, { details: { path } });
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  async #read(): Promise<Index> {
    let text: string;
    try {
      text = await readFile(join(this.dir, 'index.json'), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { format: FORMAT, version: 0, keys: Object.create(null) };
      throw error;
    }
    let index: Index;
    try {
      index = JSON.parse(text) as Index;
    } catch (cause) {
      throw corrupt(this.dir, 'index.json is not JSON', cause);
    }
    if (index?.format !== FORMAT || !Number.isSafeInteger(index.version) || typeof index.keys !== 'object' || index.keys === null) {
      throw corrupt(this.dir, `index.json is not an ${FORMAT} index`);
    }
    index.keys = Object.assign(Object.create(null), index.keys);
    return index;
  }

  async #object(key: string, slot: Slot): Promise<Uint8Array> {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(join(this.dir, 'objects', slot.sha256)));
    } catch (cause) {
      throw corrupt(this.dir, `the value of "${key}" is missing`, cause);
    }
    if (createHash('sha256').update(bytes).digest('hex') !== slot.sha256) throw corrupt(this.dir, `the value of "${key}" was changed on disk`);
    return bytes;
  }

  async #putObject(sha256: string, value: Uint8Array): Promise<void> {
    const path = join(this.dir, 'objects', sha256);
    this.#written.add(sha256);
    if (await stat(path).then(() => true, () => false)) return;
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, value);
    await rename(temp, path);
  }
}

function corrupt(dir: string, what: string, cause?: unknown): AgentOsError {
  return new AgentOsError('internal', `The folder store ${dir} is damaged: ${what}.`, { cause, details: { dir } });
}
