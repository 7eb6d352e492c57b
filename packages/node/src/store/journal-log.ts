/**
 * JournalLog: the append-only file beside a SqliteStore's database
 * (`<db>-log`) that makes a journal flush one `write()` instead of one SQLite
 * transaction. SqliteStore owns the SQLite side (sqlite-store.ts: applying
 * records, the applied LSN); this file owns the file and who may write it.
 *
 * Why nothing acknowledged is lost, torn or reordered:
 * - an append resolves once its write() returned (+ fdatasync under 'full'):
 *   the record is in the OS page cache (and on disk under 'full'), which
 *   outlives the process;
 * - records are applied in LSN order, together with the applied LSN, in one
 *   SQLite transaction, so a drain is exactly-once even if it is repeated or
 *   cut by a crash (a record ≤ the applied LSN is skipped);
 * - the owner drains before every other operation of its store, and every
 *   other store on the file reads the file inside its write transactions and
 *   applies what the owner acknowledged (SQLite's write lock serializes the
 *   drains), and before its reads whenever the file is not empty. So readers
 *   never see a journal without its acknowledged tail (no replica lag: a read
 *   that starts after an append returned applies it first), and a write from
 *   elsewhere is never overtaken by an older logged record of the same key;
 * - the owner empties the file (ftruncate) only after a committed drain
 *   applied all of it, and nothing is appended in between (one thread);
 * - a crash leaves the file; the next owner (any store taking the lock, which
 *   the kernel freed) drains it before serving anything, then starts the file
 *   over. Only records that continue the applied LSN with a valid CRC count
 *   (log-format.ts): a torn record (cut by the crash: never acknowledged) or a
 *   stale tail (a truncation that did not reach the disk) is ignored.
 * The owner drains 50 ms after an append and once 256 KiB are pending
 * (SqliteStore's `journalLogTuning`), so the file stays small. The lease
 * protocol (host/lease.ts, node-host.ts) needs nothing more: only the lease
 * holder writes journals, and the lease is taken and released by ordinary
 * batches, which drain first — the next holder, even in another process while
 * this one lives, finds every journal entry this one acknowledged.
 *
 * Ownership. Only one process at a time appends. It holds an OS lock that dies
 * with it: a write transaction (`BEGIN EXCLUSIVE`) on a small companion SQLite
 * database `<db>-log.lock`, i.e. an fcntl lock the kernel drops when the
 * process dies, however it dies. Another process (or another store in the same
 * process: SQLite shares lock state per file within a process) gets
 * SQLITE_BUSY at once (busy timeout 0) and stays a reader, retrying now and
 * then (`refresh`, every RETRY_MS), so ownership passes within that once the
 * owner closes or dies; until then the other stores' putMany are SQLite
 * transactions (correct, only slower). The lock file is never deleted:
 * deleting it could let two processes lock two different files of that name.
 *
 * States:
 * - 'reader': appends go to SQLite; `unapplied` reads the file (some owner's
 *   records, applied by the reader's own write transactions).
 * - 'takeover': the lock was just taken; the file may hold a dead owner's
 *   records, so `unapplied` still reads the file. The first drain's `drained`
 *   truncates it and makes this store the owner.
 * - 'owner': `append` writes records; `unapplied` serves the ones not yet
 *   drained from memory (no file read on the drain path).
 *
 * Failures. A failed append (ENOSPC, EIO, a partial write) is cut off again
 * (`ftruncate` back to the last good size) and its LSN is *sealed*: the next
 * drain records it as applied (without content), so that neither a surviving
 * copy of the failed record nor a gap in the LSNs can ever be read; no append
 * follows until that drain committed (`blocked`). One window remains: when a
 * write completed but its fdatasync failed AND the truncation failed too, a
 * store in another process may apply that record before the seal — like a
 * write whose acknowledgement was lost.
 */
import { closeSync, fdatasyncSync, ftruncateSync, fsyncSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { decodeKey } from './keys.ts';
import { readRecords, recordSize, writeRecord, type LogRecord } from './log-format.ts';

export interface JournalLogOptions {
  /** The database file; the log is `<path>-log`, its lock `<path>-log.lock`. */
  databasePath: string;
  /** 'full': fdatasync after every append (power-loss safe); 'normal': the write reaching the OS is enough. */
  synchronous: 'full' | 'normal';
  /** Whether this store may own the log and append; false: it only reads (drains) others' records. */
  append: boolean;
  /** The owner drains this long after an append (default 50 ms)... */
  drainMs?: number;
  /** ...or at once when this many bytes are pending (default 256 KiB). */
  drainBytes?: number;
  /** Drains (the store's transaction, which calls `unapplied` and `drained`); throws when it fails. */
  drain: () => void;
  /** Awaited, when it returns a promise, before a drain this log starts on its own. */
  beforeDrain: () => Promise<void> | undefined;
}

/** How often a reader that wants to append retries the lock (a failed attempt costs a few µs). */
const RETRY_MS = 50;
/** A drained owner's file is truncated at least this large (or when asked: timer drains, close). */
const TRUNCATE_BYTES = 1 << 20;

export class JournalLog {
  readonly path: string;
  readonly #lockPath: string;
  readonly #options: JournalLogOptions;
  #state: 'reader' | 'takeover' | 'owner' = 'reader';
  #lock: DatabaseSync | undefined;
  #fd = -1;
  /** Size of the file up to the last good record (owner). */
  #size = 0;
  #nextLsn = 0;
  /** Appended records not yet drained, in LSN order (owner). */
  #pending: (LogRecord & { size: number })[] = [];
  #pendingBytes = 0;
  /**
   * Where records are encoded (pending ones are views of it): reused once everything is drained,
   * so an append allocates no buffer of its own (an allocation and GC pressure per call).
   */
  #arena: Uint8Array | undefined;
  #arenaUsed = 0;
  /** Highest LSN used by a failed append, to be recorded as applied by the next drain (owner). */
  #sealed = 0;
  #lastTry = -Infinity;
  #closed = false;
  /** Whether this store may still take the lock (not when the option says no, or the log file cannot be made). */
  #mayOwn: boolean;
  #drainTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #drainMs: number;
  readonly #drainBytes: number;

  constructor(options: JournalLogOptions) {
    this.#options = options;
    this.path = `${options.databasePath}-log`;
    this.#lockPath = `${options.databasePath}-log.lock`;
    this.#mayOwn = options.append;
    this.#drainMs = options.drainMs ?? 50;
    this.#drainBytes = options.drainBytes ?? 256 * 1024;
  }

  /** True once this store owns the log and every record of a previous owner is drained: `append` works. */
  get owner(): boolean {
    return this.#state === 'owner';
  }

  /** Whether the store must drain before its next append: a previous owner's records to take over, or a failed append to seal. */
  get blocked(): boolean {
    return this.#state === 'takeover' || this.#sealed > 0;
  }

  /**
   * Whether the store must drain before anything else: a previous owner's records to take over, a
   * failed append to seal, or (reader) records in the file that may not be applied yet.
   */
  get needsDrain(): boolean {
    if (this.#state === 'takeover') return true;
    if (this.#state === 'owner') return this.#pending.length > 0 || this.#sealed > 0;
    return fileSize(this.path) > 0;
  }

  /**
   * A reader that may append tries to take the lock (at most every RETRY_MS, `now` to skip the wait).
   * After it succeeds the state is 'takeover' until the next drain.
   */
  refresh(now = false): void {
    if (this.#state !== 'reader' || !this.#mayOwn || this.#closed) return;
    const time = performance.now();
    if (!now && time - this.#lastTry < RETRY_MS) return;
    this.#lastTry = time;
    let lock: DatabaseSync | undefined;
    try {
      lock = new DatabaseSync(this.#lockPath, { timeout: 0 });
      lock.exec('BEGIN EXCLUSIVE');
    } catch {
      // Busy (a live owner), or the lock cannot be made here: stay a reader.
      if (lock?.isOpen) lock.close();
      return;
    }
    this.#lock = lock;
    this.#state = 'takeover';
  }

  /**
   * The puts to apply after the applied LSN `after` (from memory when owner, else from the file),
   * and the LSN applied with them — past a failed append's, whose LSN counts as applied so that no
   * copy of it is ever read and no gap stops a reader. A key written by several records is put
   * once, with its last value (one transaction either way; a journal entry is usually logged
   * twice: started, then with its outcome).
   */
  unapplied(after: number): { lsn: number; bytes: number; keys: Uint8Array[]; values: Uint8Array[] } {
    let lsn = after;
    let bytes = 0;
    const latest = new Map<string, number>();
    const keys: Uint8Array[] = [];
    const values: Uint8Array[] = [];
    for (const record of this.#records(after)) {
      for (let i = 0; i < record.keys.length; i++) {
        const name = record.names?.[i] ?? decodeKey(record.keys[i]);
        const at = latest.get(name);
        if (at === undefined) {
          latest.set(name, keys.length);
          keys.push(record.keys[i]);
          values.push(record.values[i]);
        } else {
          values[at] = record.values[i];
        }
      }
      lsn = record.lsn;
      bytes += record.bytes;
    }
    return { lsn: Math.max(lsn, this.#sealed), bytes, keys, values };
  }

  /** The records after the applied LSN `after`: from memory (owner) or from the file. */
  #records(after: number): Iterable<LogRecord> {
    if (this.#state === 'owner') return this.#pendingRecords(after);
    const size = fileSize(this.path);
    if (size === 0) return [];
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(this.path);
    } catch (error) {
      // Gone meanwhile (an owner closed and deleted it after draining): nothing to apply.
      if ((error as { code?: string }).code === 'ENOENT') return [];
      throw error;
    }
    return readRecords(bytes, after);
  }

  /**
   * The store committed the applied LSN `lsn`. Drops the drained records; truncates the file when
   * none is left and it is large (or `truncate`). Ends a takeover: the dead owner's records are
   * applied, so the file starts over and LSNs continue from `lsn`.
   * @throws the file's errors when a takeover cannot open the log (the store stays a reader then).
   */
  drained(lsn: number, options: { truncate?: boolean } = {}): void {
    if (this.#state === 'takeover') {
      this.#startOwning(lsn);
      return;
    }
    if (this.#state !== 'owner') return;
    let dropped = 0;
    while (dropped < this.#pending.length && this.#pending[dropped].lsn <= lsn) this.#pendingBytes -= this.#pending[dropped++].size;
    if (dropped === this.#pending.length) this.#pending = [];
    else if (dropped > 0) this.#pending = this.#pending.slice(dropped);
    // After a failed append, start the file over once drained: a leftover of the failed record must not stay in it.
    const afterFailure = this.#sealed > 0;
    if (afterFailure && this.#sealed <= lsn) this.#sealed = 0;
    if (this.#pending.length > 0 || this.#sealed > 0) return;
    if (options.truncate || afterFailure || this.#size >= TRUNCATE_BYTES) this.#truncate(0);
  }

  /**
   * Appends one record of the puts (encoded keys) with one `write()` (+ `fdatasync` when
   * synchronous 'full'); returns once it reached the OS. Owner only, and not while `needsDrain`.
   * @throws AgentOsError 'internal' when the write fails (the record is not in the log then).
   */
  append(names: readonly string[], keys: readonly Uint8Array[], values: readonly Uint8Array[]): void {
    if (this.#state !== 'owner' || this.#sealed > 0) {
      throw new AgentOsError('illegal-state', `The journal log ${this.path} takes no append now (${this.#state}${this.#sealed > 0 ? ', a failed append not yet sealed' : ''}): drain first.`);
    }
    const lsn = this.#nextLsn;
    const size = recordSize(keys, values);
    if (this.#pending.length === 0) this.#arenaUsed = 0;
    // Past the arena (a drain that failed, or a huge record): a new one; pending records keep the old.
    if (this.#arena === undefined || this.#arenaUsed + size > this.#arena.byteLength) {
      this.#arena = new Uint8Array(Math.max(Math.min(this.#drainBytes, 1 << 22) + 65536, size));
      this.#arenaUsed = 0;
    }
    const record = this.#arena.subarray(this.#arenaUsed, this.#arenaUsed + size);
    const copies = writeRecord(record, lsn, keys, values);
    let written = 0;
    try {
      while (written < record.byteLength) written += writeSync(this.#fd, record, written, record.byteLength - written);
      if (this.#options.synchronous === 'full') fdatasyncSync(this.#fd);
    } catch (error) {
      // Not acknowledged: cut it off (no record may follow a partial one) and seal its LSN.
      this.#nextLsn++;
      this.#sealed = lsn;
      if (written > 0) {
        try {
          this.#truncate(this.#size);
        } catch {
          // The LSN is sealed: even a complete copy left behind is never applied.
        }
      }
      const message = error instanceof Error ? error.message : String(error);
      throw new AgentOsError('internal', `Could not append to the journal log ${this.path}: ${message}. Free disk space or check the disk, then retry.`, { cause: error, details: { lsn } });
    }
    this.#nextLsn++;
    this.#arenaUsed += size;
    this.#size += record.byteLength;
    let bytes = 0;
    for (const copy of copies) bytes += copy.byteLength;
    this.#pending.push({ lsn, keys: keys as Uint8Array[], values: copies, bytes, names, size: record.byteLength });
    this.#pendingBytes += record.byteLength;
  }

  /**
   * After an append: drains at once past `drainBytes` pending, else makes sure a drain comes within
   * `drainMs` (an unref'd timer: it never keeps the process alive; the records are durable anyway).
   * Returns the drain to await, if one started (not on the hot path: no promise per append). Never
   * rejects: the record is durable whatever happens here, and the store's next operation drains
   * again (and reports a lasting failure).
   */
  appended(): Promise<void> | undefined {
    if (this.#pendingBytes >= this.#drainBytes) return this.#drainNow();
    if (this.#drainTimer === undefined) this.#drainLater();
    return undefined;
  }

  #drainLater(): void {
    this.#drainTimer = setTimeout(() => {
      this.#drainTimer = undefined;
      void this.#drainNow().then(() => {
        // Failed (busy elsewhere, or failing): try again later.
        if (this.needsDrain && !this.#closed && this.#drainTimer === undefined) this.#drainLater();
      });
    }, this.#drainMs);
    this.#drainTimer.unref();
  }

  async #drainNow(): Promise<void> {
    await this.#options.beforeDrain();
    if (this.#closed) return;
    try {
      if (this.needsDrain) this.#options.drain();
      // Drained already (by another operation): empty the file anyway, or readers would keep draining it.
      else if (this.#state === 'owner' && this.#size > 0) this.#truncate(0);
    } catch {
      // See `appended`.
    }
  }

  /**
   * Gives the log up: deletes the file when everything was drained (`drainedAll`), then releases
   * the lock (in that order: the next owner never meets a file this store still writes). Idempotent.
   */
  close(drainedAll: boolean): void {
    this.#closed = true;
    clearTimeout(this.#drainTimer);
    if (this.#fd >= 0) {
      if (drainedAll && this.#pending.length === 0) {
        try {
          unlinkSync(this.path);
        } catch {
          // Left behind: its records are all applied, the next owner truncates it.
        }
      }
      closeSync(this.#fd);
      this.#fd = -1;
    }
    if (this.#lock?.isOpen) this.#lock.close();
    this.#lock = undefined;
    this.#state = 'reader';
  }

  #pendingRecords(after: number): LogRecord[] {
    let first = 0;
    while (first < this.#pending.length && this.#pending[first].lsn <= after) first++;
    return first === 0 ? this.#pending : this.#pending.slice(first);
  }

  #startOwning(lsn: number): void {
    try {
      const fd = openSync(this.path, 'a+');
      // Whatever the dead owner left is applied now, or torn or stale: start the file over.
      ftruncateSync(fd, 0);
      if (this.#options.synchronous === 'full') {
        fdatasyncSync(fd);
        syncDirectory(this.path);
      }
      this.#fd = fd;
    } catch (error) {
      // Give the lock back: this store stays a reader (and does not retry: the file cannot be made here).
      this.#lock?.close();
      this.#lock = undefined;
      this.#state = 'reader';
      this.#mayOwn = false;
      throw error;
    }
    this.#size = 0;
    this.#nextLsn = lsn + 1;
    this.#state = 'owner';
  }

  #truncate(size: number): void {
    ftruncateSync(this.#fd, size);
    this.#size = size;
  }
}

/** The file's size, 0 when it does not exist. */
function fileSize(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}

/** Makes a new file's directory entry durable (power loss must not lose the log file itself). */
function syncDirectory(file: string): void {
  const fd = openSync(dirname(file), 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
