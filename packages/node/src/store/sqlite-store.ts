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
 *
 * Journal log (`journalLog`, on by default for database files). A journal
 * flush (`putMany`) is the one write on an agent's hot path, and a SQLite
 * commit costs more than the whole budget for it. So the store owning the log
 * appends each putMany as ONE checksummed record to `<db>-log` with a single
 * write() (fdatasync'd too under 'full') and resolves: the durability of a
 * commit under the same `synchronous`. Every other operation, of this store or
 * of any other on the file, first applies ("drains") the pending records into
 * SQLite — writes inside their own transaction — together with the last
 * applied LSN (meta row 'log-applied'), so SQLite's commit order is the order
 * the caller issued and nobody reads around an acknowledged putMany. Why that
 * is safe across crashes and processes: journal-log.ts.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import {
  checkKey, MAX_LIST_LIMIT,
  type BatchOp, type BatchResult, type ListOptions, type ListPage, type Precondition, type Store, type StoreEntry,
} from '../../../core/src/store/index.ts';
import type { PutManyStore, ScanPage, ScanStore } from '../../../core/src/journal/index.ts';
import { Checkpointer, type CheckpointRound } from './checkpointer.ts';
import { JournalLog } from './journal-log.ts';
import { checkLimit, checkValue, storeError } from './errors.ts';
import { decodeKey, encodeKey, range } from './keys.ts';

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
  /**
   * Whether `putMany` appends to the journal log beside the database (see above): true (default) for
   * a database file; false writes each putMany as a transaction. Either way the store applies a log
   * left by others. Not available for ':memory:'.
   */
  journalLog?: boolean;
  /** When the log's owner drains it: `drainMs` after an append (default 50), or at once past `drainBytes` pending (256 KiB). */
  journalLogTuning?: { drainMs?: number; drainBytes?: number };
}

/** Versions a connection reserves at once. */
const VERSION_RANGE = 4096;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS kv (key BLOB PRIMARY KEY, value BLOB NOT NULL, version INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  INSERT OR IGNORE INTO meta (name, value) VALUES ('version-ceiling', 0);
  INSERT OR IGNORE INTO meta (name, value) VALUES ('log-applied', 0);
`;

interface Statements {
  begin: StatementSync;
  commit: StatementSync;
  rollback: StatementSync;
  dataVersion: StatementSync;
  readCeiling: StatementSync;
  writeCeiling: StatementSync;
  readApplied: StatementSync;
  writeApplied: StatementSync;
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
  /** The journal log beside a database file (undefined for ':memory:'). */
  readonly #log: JournalLog | undefined;

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
    const inMemory = options.path === ':memory:' || options.path === '';
    const journalLog = options.journalLog ?? !inMemory;
    if (typeof journalLog !== 'boolean' || (journalLog && inMemory)) {
      throw new AgentOsError('invalid-argument', `journalLog must be a boolean, and false for ':memory:' (no file to put the log beside), got ${JSON.stringify(journalLog)}.`);
    }
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
      readApplied: db.prepare("SELECT value FROM meta WHERE name = 'log-applied'"),
      writeApplied: db.prepare("UPDATE meta SET value = ? WHERE name = 'log-applied'"),
      get: db.prepare('SELECT value, version FROM kv WHERE key = ?'),
      version: db.prepare('SELECT version FROM kv WHERE key = ?'),
      upsert: db.prepare('INSERT INTO kv (key, value, version) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version'),
      remove: db.prepare('DELETE FROM kv WHERE key = ?'),
      list: db.prepare('SELECT key, length(value) AS size, version FROM kv WHERE key >= ? AND key < ? ORDER BY key LIMIT ?'),
      scan: db.prepare('SELECT key, value, version FROM kv WHERE key >= ? AND key < ? ORDER BY key LIMIT ?'),
    };
    for (const statement of [this.#sql.dataVersion, this.#sql.readCeiling, this.#sql.readApplied]) statement.setReturnArrays(true);
    if (!inMemory) {
      this.#log = new JournalLog({
        databasePath: options.path, synchronous, append: journalLog, ...options.journalLogTuning,
        drain: () => void this.#transaction(() => undefined, { truncate: true }),
        // Drains are writes: they let the checkpointer restart the WAL, as every write does.
        beforeDrain: () => (this.#checkpointer?.wantsWriter ? this.#checkpointer.stepAside() : undefined),
      });
      // A dead owner's records (or a live owner's) are applied before this store serves anything.
      this.#log.refresh(true);
      try {
        if (this.#log.needsDrain) this.#transaction(() => undefined, { truncate: true });
      } catch (error) {
        this.close();
        throw error;
      }
    }
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    checkKey(key);
    this.#catchUp();
    const row = this.#run('read', () => this.#sql.get.get(encodeKey(key))) as { value: Uint8Array; version: number } | undefined;
    return row === undefined ? undefined : { value: row.value, version: row.version };
  }

  async put(key: string, value: Uint8Array): Promise<number> {
    checkKey(key);
    checkValue(key, value);
    const encoded = encodeKey(key);
    this.#log?.refresh();
    if (this.#checkpointer?.wantsWriter) await this.#checkpointer.stepAside();
    const version = this.#transaction(() => this.#upsert(encoded, value));
    this.#checkpointer?.committed(value.byteLength);
    return version;
  }

  /**
   * Puts `values[i]` under `keys[i]`, all or nothing, without reporting versions (how journals are
   * flushed, see core journal.ts `PutManyStore`): one record appended to the journal log when this
   * store owns it, else one transaction. Resolves once durable (see `synchronous`).
   * @throws AgentOsError 'invalid-argument' for a bad key or value (nothing written); 'internal' when
   *   the log append fails (nothing written: the record is cut off again); like `put` otherwise.
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
    const log = this.#log;
    if (log !== undefined && !this.#closed) {
      log.refresh();
      // A previous owner's records to take over, or a failed append to seal: drain before appending.
      if (log.blocked) this.#transaction(() => undefined);
      if (log.owner) {
        log.append(keys, encoded, values);
        const draining = log.appended();
        if (draining !== undefined) await draining;
        return;
      }
    }
    if (this.#checkpointer?.wantsWriter) await this.#checkpointer.stepAside();
    this.#transaction(() => {
      for (let i = 0; i < encoded.length; i++) this.#upsert(encoded[i], values[i]);
    });
    this.#checkpointer?.committed(bytes);
  }

  async delete(key: string): Promise<boolean> {
    checkKey(key);
    this.#log?.refresh();
    if (this.#checkpointer?.wantsWriter) await this.#checkpointer.stepAside();
    const result = this.#transaction(() => this.#sql.remove.run(encodeKey(key)));
    this.#checkpointer?.committed(0);
    return Number(result.changes) > 0;
  }

  async list(options: ListOptions = {}): Promise<ListPage> {
    const limit = options.limit ?? MAX_LIST_LIMIT;
    checkLimit(limit);
    const { from, end } = range(options);
    this.#catchUp();
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
    this.#catchUp();
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
    this.#log?.refresh();
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

  /** Whether this store owns the journal log now (its putMany appends to the log; see above). */
  get journalLogOwner(): boolean {
    return this.#log?.owner ?? false;
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
    if (!this.#closed) this.#catchUp();
    const checkpointer = this.#checkpointer;
    if (checkpointer === undefined || checkpointer.failed || this.#closed) return undefined;
    // Signal first: it starts the worker, which the wait then holds (else the process could exit under it).
    checkpointer.signal();
    return checkpointer.nextRound();
  }

  /**
   * Drains the journal log (deleting its file and giving up its lock), stops the checkpoint worker,
   * checkpoints and truncates the WAL (unless another connection is using it: then SQLite keeps it
   * for that one), and closes the connection; later calls throw 'illegal-state'. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    let drained = false;
    if (this.#log !== undefined) {
      try {
        this.#transaction(() => undefined, { truncate: true });
        drained = true;
      } catch {
        // The records stay in the log file: the next store to open the database applies them.
      }
    }
    this.#closed = true;
    // Before the connection closes: the file goes (if drained) before the lock is released.
    this.#log?.close(drained);
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

  /**
   * Runs `body` inside BEGIN IMMEDIATE … COMMIT (ROLLBACK if it throws or returns a failed batch),
   * after applying the journal log's pending records in the same transaction (`truncate`: start
   * the log file over if that applied everything).
   */
  #transaction<T>(body: () => T, drain: { truncate?: boolean } = {}): T {
    return this.#run('write', () => {
      this.#sql.begin.run();
      let result: T;
      let applied: { lsn: number; bytes: number } | undefined;
      try {
        this.#claimVersions();
        // Under the write lock: a record acknowledged before this transaction began is seen here.
        if (this.#log?.needsDrain) applied = this.#applyLog(this.#log);
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
        if (applied !== undefined) this.#drained(applied, drain.truncate === true);
      }
      return result;
    });
  }

  /** Under the write lock: applies the log's records after the applied LSN, and records the new one. */
  #applyLog(log: JournalLog): { lsn: number; bytes: number } {
    const [applied] = this.#sql.readApplied.get() as unknown as [number];
    const puts = log.unapplied(applied);
    for (let i = 0; i < puts.keys.length; i++) this.#upsert(puts.keys[i], puts.values[i]);
    if (puts.lsn !== applied) this.#sql.writeApplied.run(puts.lsn);
    return puts;
  }

  /** After the commit of a drain. */
  #drained(applied: { lsn: number; bytes: number }, truncate: boolean): void {
    if (applied.bytes > 0) this.#checkpointer?.committed(applied.bytes);
    try {
      this.#log?.drained(applied.lsn, { truncate });
    } catch {
      // Only file housekeeping failed (the drain is committed): a takeover stays a reader, a truncation waits.
    }
  }

  /** Reads and checkpoints see every acknowledged putMany: drain first when the log has records. */
  #catchUp(): void {
    const log = this.#log;
    if (log === undefined) return;
    log.refresh();
    if (log.needsDrain) this.#transaction(() => undefined);
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
