/**
 * Checkpointer: WAL checkpoints of a SqliteStore, run off the commit path.
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that crosses its
 * threshold: it copies the WAL into the database and fsyncs both, which
 * amortizes to about half the cost of a small commit. The writing connection
 * therefore runs with `wal_autocheckpoint=0`, and a `node:worker_threads`
 * worker holding its own connection to the same file checkpoints instead:
 * - the store signals it every `everyCommits` commits (or `everyBytes` bytes
 *   written); it runs `wal_checkpoint(PASSIVE)`, which never blocks the writer;
 * - a passive checkpoint cannot restart the WAL while the writer keeps
 *   appending (SQLite starts the WAL over only when a transaction begins with
 *   every frame copied), so once a round finds `restartFrames` frames the
 *   worker asks the store to step aside: the store's next write awaits (no
 *   busy-wait, the event loop stays free) while the worker runs
 *   `wal_checkpoint(RESTART)`, which copies the few frames written since its
 *   passive round and makes the next commit start the WAL over. Left to
 *   SQLite's busy handler, that RESTART would starve: the writer re-takes the
 *   lock between the handler's sleeps;
 * - when the worker gets too little CPU to keep pace (it has not finished a
 *   round for `MAX_LAG × everyCommits` commits), the writer likewise waits for
 *   its round. So the WAL stays bounded — by about `restartFrames` plus the
 *   commits of a few rounds — however the threads are scheduled.
 *
 * Durability does not change: commits and their sync mode are the writing
 * connection's; a checkpoint only moves committed frames into the database
 * (fsyncing the WAL first and the database after, as SQLite always does).
 *
 * The worker is started at the first signal (short-lived stores never pay for
 * it), is unref'd (it never keeps the process alive), and ends with the store.
 * Its failures are reported through `onError` once; the store then goes back
 * to SQLite's own checkpoints so the WAL stays bounded.
 *
 * The worker's code is a string (`eval: true`) so it survives bundling of the CLI.
 */
import { Worker } from 'node:worker_threads';

export interface CheckpointerOptions {
  /** Database file (never ':memory:'). */
  path: string;
  synchronous: 'full' | 'normal';
  /** Commits between two signals to the worker. */
  everyCommits: number;
  /** Bytes written between two signals, whichever comes first. */
  everyBytes: number;
  /** WAL frames past which the worker restarts the WAL (blocking writers briefly). */
  restartFrames: number;
  /** How long the worker's RESTART waits for the write lock before giving up for this round. */
  busyTimeoutMs: number;
  /** Called once with the worker's first failure (it is stopped then). */
  onError: (error: Error) => void;
}

/** Slots of the state shared with the worker (an Int32Array over a SharedArrayBuffer). */
const QUEUED = 0; // 1 while a round is queued: signals never pile up behind a slow round
const RESTART = 1; // 1 once a round asks the writer to step aside for a RESTART
const ROUNDS = 2; // rounds (and restarts) completed: the writer sees the worker keep pace
const READY = 3; // 1 once the worker has its connection

/**
 * Commits (in units of `everyCommits`) the writer may make while the worker has not finished a round
 * before it waits for one: the bound on the WAL when the worker gets little CPU.
 */
const MAX_LAG = 4;

export interface CheckpointRound {
  /** Frames in the WAL before the round, and how many of them are in the database after the passive step. */
  log: number;
  checkpointed: number;
  /** Whether the round asked the writer to step aside for a RESTART. */
  restartWanted: boolean;
}

type WorkerMessage =
  | { type: 'round'; log: number; checkpointed: number }
  | { type: 'restarted'; busy: number }
  | { type: 'error'; message: string; errcode?: number; errstr?: string };

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { DatabaseSync } = require('node:sqlite');
const state = workerData.state;
let db;
function fail(error) {
  parentPort.postMessage({ type: 'error', message: String((error && error.message) || error), errcode: error && error.errcode, errstr: error && error.errstr });
  try { if (db && db.isOpen) db.close(); } catch {}
  parentPort.close();
}
try {
  db = new DatabaseSync(workerData.path, { timeout: workerData.busyTimeoutMs });
  db.exec('PRAGMA wal_autocheckpoint = 0; PRAGMA synchronous = ' + workerData.synchronous + ';');
  const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  const restart = db.prepare('PRAGMA wal_checkpoint(RESTART)');
  Atomics.store(state, ${READY}, 1);
  parentPort.on('message', (message) => {
    if (message === 'close') { db.close(); parentPort.close(); return; }
    try {
      if (message === 'restart') {
        // The writer awaits the answer: it holds no lock now, so only other processes can make this busy.
        const done = restart.get();
        Atomics.store(state, ${RESTART}, 0);
        Atomics.add(state, ${ROUNDS}, 1);
        parentPort.postMessage({ type: 'restarted', busy: done.busy });
        return;
      }
      Atomics.store(state, ${QUEUED}, 0);
      const round = passive.get();
      if (round.log >= workerData.restartFrames) Atomics.store(state, ${RESTART}, 1);
      Atomics.add(state, ${ROUNDS}, 1);
      parentPort.postMessage({ type: 'round', log: round.log, checkpointed: round.checkpointed });
    } catch (error) { fail(error); }
  });
} catch (error) { fail(error); }
`;

export class Checkpointer {
  readonly #options: CheckpointerOptions;
  #worker: Worker | undefined;
  /** Shared with the worker: see QUEUED, RESTART, ROUNDS, READY. */
  readonly #state = new Int32Array(new SharedArrayBuffer(16));
  #commits = 0;
  #bytes = 0;
  /** Commits since the worker last finished a round (`#roundsSeen` = ROUNDS when this was reset). */
  #lag = 0;
  #roundsSeen = 0;
  #failed = false;
  #closed = false;
  readonly #rounds: ((round: CheckpointRound | undefined) => void)[] = [];
  /** What a writer that stepped aside waits for: the restart it asked for, or the lagging worker's next round. */
  #waiting: { promise: Promise<void>; resolve: () => void; until: 'restarted' | 'round' } | undefined;
  #restarts = 0;

  constructor(options: CheckpointerOptions) {
    this.#options = options;
  }

  /** Counts one commit of `bytes` bytes; signals the worker when a threshold is passed. Cheap: called on every commit. */
  committed(bytes: number): void {
    // Plain reads of the shared flags on the hot path (a stale value only delays a reaction by one
    // commit); the worker's writes and the compare-exchange in `signal` are atomic.
    const rounds = this.#state[ROUNDS];
    if (rounds !== this.#roundsSeen) {
      this.#roundsSeen = rounds;
      this.#lag = 0;
    }
    this.#lag++;
    this.#bytes += bytes;
    if (++this.#commits < this.#options.everyCommits && this.#bytes < this.#options.everyBytes) return;
    this.#commits = 0;
    this.#bytes = 0;
    this.signal();
  }

  /** Asks the worker for a round now (starting it if needed), unless one is already queued or it failed. */
  signal(): void {
    if (this.#failed || this.#closed) return;
    if (Atomics.compareExchange(this.#state, QUEUED, 0, 1) !== 0) return;
    (this.#worker ??= this.#start()).postMessage('checkpoint');
  }

  /**
   * Whether the writer should `stepAside()` before its next write: a round asked for a RESTART, or
   * the worker fell `MAX_LAG` rounds behind. A few loads from shared memory.
   */
  get wantsWriter(): boolean {
    if (this.#waiting !== undefined) return true;
    if (this.#worker === undefined || this.#failed || this.#closed) return false;
    if (this.#state[RESTART] === 1) return true;
    return this.#lag >= MAX_LAG * this.#options.everyCommits && this.#state[READY] === 1;
  }

  /**
   * Waits, without writing, until the worker restarted the WAL or finished its next round (resolves
   * also when it fails or closes: the store goes on either way).
   */
  stepAside(): Promise<void> {
    if (this.#waiting) return this.#waiting.promise;
    let resolve!: () => void;
    const promise = new Promise<void>((done) => (resolve = done));
    if (Atomics.load(this.#state, RESTART) === 1) {
      this.#waiting = { promise, resolve, until: 'restarted' };
      this.#worker?.postMessage('restart');
    } else {
      this.#waiting = { promise, resolve, until: 'round' };
      this.signal();
    }
    this.#holdProcess();
    return promise;
  }

  /** RESTART checkpoints done so far (tests, tools). */
  get restarts(): number {
    return this.#restarts;
  }

  /** Resolves with the next round the worker reports, or undefined if it fails or closes first (tests, tools). */
  nextRound(): Promise<CheckpointRound | undefined> {
    const round = new Promise<CheckpointRound | undefined>((resolve) => this.#rounds.push(resolve));
    this.#holdProcess();
    return round;
  }

  /** Whether the worker failed (the store checkpoints by itself then). */
  get failed(): boolean {
    return this.#failed;
  }

  /** Stops the worker (it finishes a round in progress, then closes its connection). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#worker?.postMessage('close');
    this.#stopped();
  }

  #start(): Worker {
    const { path, synchronous, restartFrames, busyTimeoutMs } = this.#options;
    // execArgv: []: the host's flags (say --input-type=module) must not change how the worker's code is read.
    const worker = new Worker(WORKER_SOURCE, {
      eval: true, execArgv: [],
      workerData: { path, synchronous: synchronous.toUpperCase(), restartFrames, busyTimeoutMs, state: this.#state },
    });
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'error') {
        this.#fail(Object.assign(new Error(message.message), { errcode: message.errcode, errstr: message.errstr }));
        return;
      }
      // busy = 1: another process was reading or writing; a later round asks again.
      if (message.type === 'restarted' && message.busy === 0) this.#restarts++;
      if (message.type === 'round') {
        const round = { log: message.log, checkpointed: message.checkpointed, restartWanted: message.log >= restartFrames };
        for (const resolve of this.#rounds.splice(0)) resolve(round);
      }
      // A round that ends while the writer waits for its restart does not free it: the WAL has not started over.
      if (this.#waiting?.until !== 'restarted' || message.type === 'restarted') this.#resumeWriter();
      this.#releaseProcess();
    });
    worker.on('error', (error) => this.#fail(error));
    worker.on('exit', (code) => {
      if (code !== 0) this.#fail(new Error(`The checkpoint worker exited with code ${code}.`));
    });
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
    return worker;
  }

  /**
   * Someone awaits the worker: keep the process alive until it answers (else a script whose only
   * pending work is that write would exit with the write unfinished).
   */
  #holdProcess(): void {
    this.#worker?.ref();
  }

  /** Nobody awaits the worker any more: it must not keep the process alive. */
  #releaseProcess(): void {
    if (this.#waiting === undefined && this.#rounds.length === 0) this.#worker?.unref();
  }

  /** Lets a writer that stepped aside go on. */
  #resumeWriter(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting === undefined) return;
    this.#lag = 0;
    waiting.resolve();
  }

  /** The worker is gone: nobody may wait for it any more. */
  #stopped(): void {
    this.#resumeWriter();
    for (const resolve of this.#rounds.splice(0)) resolve(undefined);
    this.#releaseProcess();
  }

  #fail(error: Error): void {
    if (this.#failed || this.#closed) return;
    this.#failed = true;
    this.#stopped();
    this.#options.onError(error);
  }
}
