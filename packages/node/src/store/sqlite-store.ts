/**
 * SqliteStore: the core `Store` contract on Node's embedded SQLite
 * (`node:sqlite`), the default durable store of the Node host and of
 * `agentos agent`.
 *
 * Durability. The database runs in WAL mode. A write resolves only after its
 * transaction committed, i.e. its WAL frames were handed to the OS:
 * - `synchronous: 'full'` (default) also fsyncs the WAL at every commit, so an
 *   acknowledged write survives power loss and OS crashes.
 * - `synchronous: 'normal'` skips that fsync (the WAL is synced at checkpoints).
 *   An acknowledged write still survives any crash of the *process* — SIGKILL,
 *   abort, OOM kill — because the frames already sit in the OS page cache, which
 *   outlives the process; only a power loss or kernel crash can drop the last
 *   transactions (never tear one: WAL frames are checksummed and a partial
 *   transaction is ignored at recovery).
 *
 * Checkpoints. The writing connection never checkpoints inside a COMMIT
 * (`wal_autocheckpoint=0`): a worker thread does it on its own connection
 * (checkpointer.ts), which halves the cost of a small commit and keeps the WAL
 * bounded. `close()` ends the worker and truncates the WAL. Several processes
 * may share the file (a CLI next to a running host): each store checkpoints
 * what it writes; SQLite's locks keep them consistent.
 *
 * Versions. The contract wants a fresh, store-wide increasing version per
 * write. Persisting a counter row on every put would double the pages written
 * per commit, so each connection reserves a range of versions (one row write
 * per `VERSION_RANGE` puts) and hands them out from memory. Inside each write
 * transaction (BEGIN IMMEDIATE, so under SQLite's write lock) it checks
 * `PRAGMA data_version`: when another connection (say a CLI `approve` next to a
 * running agent) committed meanwhile, it reserves a new range above the shared
 * ceiling, so versions stay unique and increasing across processes. Versions
 * skipped by a crash are never reused.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { AgentOsError, isAgentOsError } from '../../../sandbox/src/errors/index.ts';
import {
  checkKey, MAX_LIST_LIMIT,
  type BatchOp, type BatchResult, type ListOptions, type ListPage, type Precondition, type Store, type StoreEntry,
} from '../../../core/src/store/index.ts';
import type { PutManyStore, ScanPage, ScanStore } from '../../../core/src/journal/index.ts';
import { Checkpointer, type CheckpointRound } from './checkpointer.ts';
import { after, decodeKey, encodeKey, prefixEnd } from './keys.ts';

export interface SqliteStoreOptions {
  /** Database file; ':memory:' for a private in-memory database. Its folder must exist. */
  path: string;
  /** 'full' (default): fsync at every commit; 'normal': survives process crashes, not power loss (see above). */
  synchronous?: 'full' | 'normal';
  /** How long a write waits for another process's write lock before failing with 'timeout'; default 5000 ms. */
  busyTimeoutMs?: number;
  /**
   * Where WAL checkpoints run: 'background' (default) on a worker thread, off the commit path;
   * 'inline' inside the commit that passes 1000 WAL pages (SQLite's own behaviour).
   */
  checkpoints?: 'background' | 'inline';
  /** Tuning of background checkpoints (see checkpointer.ts); the defaults suit journals. */
  checkpointTuning?: { everyCommits?: number; everyBytes?: number; restartFrames?: number };
  /**
   * Called with the checkpoint worker's failure (the store then checkpoints inline, so the WAL stays
   * bounded). Without it, the next write throws that failure once, as AgentOsError 'internal'.
   */
  onCheckpointError?: (error: AgentOsError) => void;
}

/** Versions a connection reserves at once. */
const VERSION_RANGE = 4096;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS kv (key BLOB PRIMARY KEY, value BLOB NOT NULL, version INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  INSERT OR IGNORE INTO meta (name, value) VALUES ('version-ceiling', 0);
`;

interface Statements {
  begin: StatementSync;
  commit: StatementSync;
  rollback: StatementSync;
  dataVersion: StatementSync;
  readCeiling: StatementSync;
  writeCeiling: StatementSync;
  get: StatementSync;
  version: StatementSync;
  upsert: StatementSync;
  remove: StatementSync;
  list: StatementSync;
  scan: StatementSync;
}

export class SqliteStore implements ScanStore, PutManyStore {
  /** The underlying connection, for host-side checks (integrity_check) and tools. */
  readonly database: DatabaseSync;
  readonly #sql: Statements;
  #next = 0;
  #ceiling = 0;
  #dataVersion = -1;
  #closed = false;
  readonly #checkpointer: Checkpointer | undefined;
  /** A checkpoint failure not yet reported (no onCheckpointError): the next write throws it. */
  #checkpointError: AgentOsError | undefined;

  /**
   * Opens (creating if needed) the database at `options.path`.
   * @throws AgentOsError 'invalid-argument' when the file cannot be opened or is not an agentos database;
   *   'timeout' when another process holds the write lock past `busyTimeoutMs` while the schema is created.
   */
  constructor(options: SqliteStoreOptions) {
    const synchronous = options.synchronous ?? 'full';
    if (synchronous !== 'full' && synchronous !== 'normal') {
      throw new AgentOsError('invalid-argument', `synchronous must be 'full' or 'normal', got ${JSON.stringify(synchronous)}.`);
    }
    const checkpoints = options.checkpoints ?? 'background';
    if (checkpoints !== 'background' && checkpoints !== 'inline') {
      throw new AgentOsError('invalid-argument', `checkpoints must be 'background' or 'inline', got ${JSON.stringify(checkpoints)}.`);
    }
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    let db: DatabaseSync | undefined;
    let wal = false;
    try {
      db = new DatabaseSync(options.path, { timeout: busyTimeoutMs });
      // ':memory:' (and file systems without shared memory) answer another journal mode: nothing to checkpoint then.
      wal = (db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string }).journal_mode === 'wal';
      db.exec(`PRAGMA synchronous = ${synchronous.toUpperCase()};`);
      if (wal && checkpoints === 'background') db.exec('PRAGMA wal_autocheckpoint = 0;');
      db.exec(`BEGIN IMMEDIATE; ${SCHEMA} COMMIT;`);
    } catch (error) {
      if (db?.isOpen) db.close();
      throw storeError(error, `open the database ${options.path}`, 'invalid-argument');
    }
    this.database = db;
    if (wal && checkpoints === 'background') {
      const tuning = options.checkpointTuning ?? {};
      this.#checkpointer = new Checkpointer({
        path: options.path, synchronous, busyTimeoutMs,
        everyCommits: tuning.everyCommits ?? 256,
        everyBytes: tuning.everyBytes ?? 4 * 1024 * 1024,
        restartFrames: tuning.restartFrames ?? 4096,
        onError: (error) => this.#checkpointFailed(error, options.onCheckpointError),
      });
    }
    this.#sql = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      dataVersion: db.prepare('PRAGMA data_version'),
      readCeiling: db.prepare("SELECT value FROM meta WHERE name = 'version-ceiling'"),
      writeCeiling: db.prepare("UPDATE meta SET value = ? WHERE name = 'version-ceiling'"),
      get: db.prepare('SELECT value, version FROM kv WHERE key = ?'),
      version: db.prepare('SELECT version FROM kv WHERE key = ?'),
      upsert: db.prepare('INSERT INTO kv (key, value, version) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version'),
      remove: db.prepare('DELETE FROM kv WHERE key = ?'),
      list: db.prepare('SELECT key, length(value) AS size, version FROM kv WHERE key >= ? AND key < ? ORDER BY key LIMIT ?'),
      scan: db.prepare('SELECT key, value, version FROM kv WHERE key >= ? AND key < ? ORDER BY key LIMIT ?'),
    };
    for (const statement of [this.#sql.dataVersion, this.#sql.readCeiling]) statement.setReturnArrays(true);
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    checkKey(key);
    const row = this.#run('read', () => this.#sql.get.get(encodeKey(key))) as { value: Uint8Array; version: number } | undefined;
    return row === undefined ? undefined : { value: row.value, version: row.version };
  }

  async put(key: string, value: Uint8Array): Promise<number> {
    checkKey(key);
    checkValue(key, value);
    const encoded = encodeKey(key);
    if (this.#checkpointer?.wantsWriter) await this.#checkpointer.stepAside();
    const version = this.#transaction(() => this.#upsert(encoded, value));
    this.#checkpointer?.committed(value.byteLength);
    return version;
  }

  /**
   * Puts `values[i]` under `keys[i]` in one transaction, all or nothing, without reporting versions
   * (how journals are flushed, see core journal.ts `PutManyStore`).
   * @throws AgentOsError 'invalid-argument' for a bad key or value (nothing written); like `put` otherwise.
   */
  async putMany(keys: readonly string[], values: readonly Uint8Array[]): Promise<void> {
    if (keys.length !== values.length) {
      throw new AgentOsError('invalid-argument', `putMany needs one value per key, got ${keys.length} keys and ${values.length} values.`);
    }
    const encoded = new Array<Uint8Array>(keys.length);
    let bytes = 0;
    for (let i = 0; i < keys.length; i++) {
      checkKey(keys[i]);
      checkValue(keys[i], values[i]);
      encoded[i] = encodeKey(keys[i]);
      bytes += values[i].byteLength;
    }
    if (this.#checkpointer?.wantsWriter) await this.#checkpointer.stepAside();
    this.#transaction(() => {
      for (let i = 0; i < encoded.length; i++) this.#upsert(encoded[i], values[i]);
    });
    this.#checkpointer?.committed(bytes);
  }

  async delete(key: string): Promise<boolean> {
    checkKey(key);
    if (this.#checkpointer?.wantsWriter) await this.#checkpointer.stepAside();
    const result = this.#run('write', () => this.#sql.remove.run(encodeKey(key)));
    this.#checkpointer?.committed(0);
    return Number(result.changes) > 0;
  }

  async list(options: ListOptions = {}): Promise<ListPage> {
    const limit = options.limit ?? MAX_LIST_LIMIT;
    checkLimit(limit);
    const { from, end } = range(options);
    // One row more than asked tells whether another page follows.
    const rows = this.#run('read', () => this.#sql.list.all(from, end, limit + 1)) as { key: Uint8Array; size: number; version: number }[];
    const keys = rows.slice(0, limit).map((row) => ({ key: decodeKey(row.key), size: row.size, version: row.version }));
    return rows.length > limit ? { keys, cursor: keys[keys.length - 1].key } : { keys };
  }

  /**
   * Like `list`, with each key's value: one ordered read of the primary-key index instead of a
   * `get` per key (how journals are loaded, see core journal/load.ts `ScanStore`).
   * @throws AgentOsError 'invalid-argument' for a bad limit; 'illegal-state' once closed.
   */
  async scan(options: ListOptions = {}): Promise<ScanPage> {
    const limit = options.limit ?? MAX_LIST_LIMIT;
    checkLimit(limit);
    const { from, end } = range(options);
    const rows = this.#run('read', () => this.#sql.scan.all(from, end, limit + 1)) as { key: Uint8Array; value: Uint8Array; version: number }[];
    const entries = rows.slice(0, limit).map((row) => ({ key: decodeKey(row.key), value: row.value, version: row.version }));
    return rows.length > limit ? { entries, cursor: entries[entries.length - 1].key } : { entries };
  }

  async batch(ops: readonly BatchOp[], options: { preconditions?: readonly Precondition[] } = {}): Promise<BatchResult> {
    // Validate everything before the transaction: a bad op must not leave half a batch written.
    const encoded = ops.map((op) => {
      checkKey(op.key);
      if (op.type === 'put') checkValue(op.key, op.value);
      return encodeKey(op.key);
    });
    const preconditions = (options.preconditions ?? []).map((p) => {
      checkKey(p.key);
      return { ...p, encoded: encodeKey(p.key) };
    });
    let bytes = 0;
    for (const op of ops) if (op.type === 'put') bytes += op.value.byteLength;
    if (this.#checkpointer?.wantsWriter) await this.#checkpointer.stepAside();
    const result = this.#transaction((): BatchResult => {
      for (const { key, version, encoded: k } of preconditions) {
        const row = this.#sql.version.get(k) as { version: number } | undefined;
        const actual = row?.version ?? null;
        if (actual !== version) return { ok: false, conflict: { key, expected: version, actual } };
      }
      const versions: Record<string, number> = {};
      ops.forEach((op, i) => {
        if (op.type === 'put') versions[op.key] = this.#upsert(encoded[i], op.value);
        else this.#sql.remove.run(encoded[i]);
      });
      return { ok: true, versions };
    });
    if (result.ok) this.#checkpointer?.committed(bytes);
    return result;
  }

  /** RESTART checkpoints the background worker made (the WAL started over after each); 0 with inline checkpoints. */
  get walRestarts(): number {
    return this.#checkpointer?.restarts ?? 0;
  }

  /**
   * Runs a background checkpoint round now and resolves with what it did (tools, tests). Resolves
   * undefined when checkpoints are inline, the database is not in WAL mode, or the worker failed.
   */
  async checkpoint(): Promise<CheckpointRound | undefined> {
    const checkpointer = this.#checkpointer;
    if (checkpointer === undefined || checkpointer.failed || this.#closed) return undefined;
    // Signal first: it starts the worker, which the wait then holds (else the process could exit under it).
    checkpointer.signal();
    return checkpointer.nextRound();
  }

  /**
   * Stops the checkpoint worker, checkpoints and truncates the WAL (unless another connection is
   * using it: then SQLite keeps it for that one), and closes the connection; later calls throw
   * 'illegal-state'. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#checkpointer) {
      this.#checkpointer.close();
      try {
        // Short wait: a reader in another process or the worker's last round must not hold up close.
        this.database.exec('PRAGMA busy_timeout = 100; PRAGMA wal_checkpoint(TRUNCATE);');
      } catch {
        // Not fatal: the committed frames are safe in the WAL, and the next opener (or closer) checkpoints them.
      }
    }
    this.database.close();
  }

  /** The worker failed: checkpoint inline from now on, and report. */
  #checkpointFailed(cause: Error, report: ((error: AgentOsError) => void) | undefined): void {
    const error = storeError(cause, 'checkpoint the WAL in the background (checkpoints run inline from now on)', 'internal');
    if (!this.#closed) this.database.exec('PRAGMA wal_autocheckpoint = 1000;');
    if (report) report(error);
    else this.#checkpointError = error;
  }

  /** Runs `body` inside BEGIN IMMEDIATE … COMMIT (ROLLBACK if it throws or returns a failed batch). */
  #transaction<T>(body: () => T): T {
    return this.#run('write', () => {
      this.#sql.begin.run();
      let result: T;
      try {
        this.#claimVersions();
        result = body();
      } catch (error) {
        this.#sql.rollback.run();
        throw error;
      }
      if ((result as { ok?: boolean } | undefined)?.ok === false) {
        this.#sql.rollback.run();
        // The rollback also undid any range reserved in this transaction: reserve again next time.
        this.#dataVersion = -1;
      } else {
        this.#sql.commit.run();
      }
      return result;
    });
  }

  /** Under the write lock: makes sure this connection holds unused versions above every other writer's. */
  #claimVersions(): void {
    const [dataVersion] = this.#sql.dataVersion.get() as unknown as [number];
    if (dataVersion === this.#dataVersion && this.#next <= this.#ceiling) return;
    const [ceiling] = this.#sql.readCeiling.get() as unknown as [number];
    this.#next = ceiling + 1;
    this.#ceiling = ceiling + VERSION_RANGE;
    this.#sql.writeCeiling.run(this.#ceiling);
    this.#dataVersion = dataVersion;
  }

  #upsert(key: Uint8Array, value: Uint8Array): number {
    if (this.#next > this.#ceiling) this.#claimVersions();
    const version = this.#next++;
    this.#sql.upsert.run(key, value, version);
    return version;
  }

  #run<T>(kind: 'read' | 'write', body: () => T): T {
    if (this.#closed) throw new AgentOsError('illegal-state', 'This SqliteStore is closed; open a new one.');
    if (kind === 'write' && this.#checkpointError) {
      // Reported once, before the write: the write itself was not attempted.
      const error = this.#checkpointError;
      this.#checkpointError = undefined;
      throw error;
    }
    try {
      return body();
    } catch (error) {
      // A failed transaction leaves the version range unknown to others: re-check next time.
      if (kind === 'write') this.#dataVersion = -1;
      throw storeError(error, kind === 'read' ? 'read from the store' : 'write to the store', 'internal');
    }
  }
}

/** SQLite failures as AgentOsErrors: a busy database is a 'timeout', anything else `fallback`. */
function storeError(error: unknown, action: string, fallback: 'internal' | 'invalid-argument'): AgentOsError {
  if (isAgentOsError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const sqlite = (error as { errcode?: number; errstr?: string } | undefined) ?? {};
  const details = { sqliteCode: sqlite.errcode ?? null, sqliteError: sqlite.errstr ?? null };
  // SQLITE_BUSY (5) and its extended codes: another process held the lock past the timeout.
  if (sqlite.errcode !== undefined && (sqlite.errcode & 0xff) === 5) {
    return new AgentOsError('timeout', `Could not ${action}: the database is locked by another process (${message}). Retry, or raise busyTimeoutMs.`, { cause: error, details });
  }
  return new AgentOsError(fallback, `Could not ${action}: ${message}.`, { cause: error, details });
}

/** @throws AgentOsError 'invalid-argument' unless `limit` is an integer in 1–1000 (as MemoryStore). */
function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new AgentOsError('invalid-argument', `A list limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${limit}.`, { details: { limit } });
  }
}

/** @throws AgentOsError 'invalid-argument' unless `value` is a Uint8Array (the same check as MemoryStore's). */
function checkValue(key: string, value: Uint8Array): void {
  if (!(value instanceof Uint8Array)) {
    throw new AgentOsError('invalid-argument', `The value for "${key}" must be a Uint8Array (use putJson for objects).`, { details: { key } });
  }
}

/** The key range [from, end) a listing covers: the prefix's keys, after the cursor. */
function range(options: ListOptions): { from: Uint8Array; end: Uint8Array } {
  const prefix = encodeKey(options.prefix ?? '');
  let from = prefix;
  if (options.cursor !== undefined) {
    const resume = after(encodeKey(options.cursor));
    if (compareBytes(resume, from) > 0) from = resume;
  }
  return { from, end: prefixEnd(prefix) };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
