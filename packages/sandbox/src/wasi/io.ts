/**
 * wasi:io — errors, pollables and byte streams, the plumbing every other interface shares.
 *
 * Everything here is synchronous: sources and sinks are in memory (stdin bytes, stdout sinks,
 * virtual files), so a stream is always ready. Only timers can be "not ready"; blocking on one
 * goes through the clock capability (a virtual clock jumps, the real clock waits).
 */

import { GuestError, checkLimit } from './guest-error.ts';

const symbolDispose: symbol = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for('dispose');

/** wasi:io/error `error`: an opaque failure; filesystem streams attach a filesystem error code. */
export class IoError {
  readonly #message: string;
  /** The wasi:filesystem error code this error stands for, if it came from a file. */
  readonly filesystemCode: string | undefined;

  constructor(message: string, filesystemCode?: string) {
    this.#message = message;
    this.filesystemCode = filesystemCode;
  }

  toDebugString(): string {
    return this.#message;
  }
}

/** What a pollable waits on. `block` must only return once `ready()` is true (or throw). */
export interface PollSource {
  ready(): boolean;
  block(): void;
  /** For timers: the monotonic instant it becomes ready, so `poll` can wait on the soonest. */
  deadline?: bigint;
}

const ALWAYS_READY: PollSource = { ready: () => true, block: () => {} };

/** wasi:io/poll `pollable`. */
export class Pollable {
  readonly #source: PollSource;

  constructor(source: PollSource = ALWAYS_READY) {
    this.#source = source;
  }

  ready(): boolean {
    return this.#source.ready();
  }

  block(): void {
    if (!this.#source.ready()) this.#source.block();
  }

  /** The instant a timer fires (undefined for everything else). */
  get deadline(): bigint | undefined {
    return this.#source.deadline;
  }
}

/**
 * wasi:io/poll `poll`: indices of the ready pollables, blocking on the first one if none is.
 * @throws Error (a trap) when the list is empty, as the WIT requires.
 */
export function poll(list: Pollable[]): Uint32Array {
  if (list.length === 0) throw new Error('wasi:io/poll poll: the list of pollables must not be empty');
  let ready = readyIndices(list);
  if (ready.length === 0) {
    // Only timers are ever not ready: wait for the soonest, then report all that fired.
    soonest(list).block();
    ready = readyIndices(list);
  }
  return Uint32Array.from(ready);
}

function soonest(list: Pollable[]): Pollable {
  let best = list[0];
  for (const p of list) {
    if (p.deadline !== undefined && (best.deadline === undefined || p.deadline < best.deadline)) best = p;
  }
  return best;
}

function readyIndices(list: Pollable[]): number[] {
  const ready: number[] = [];
  for (let i = 0; i < list.length; i++) if (list[i].ready()) ready.push(i);
  return ready;
}

/** Where an input stream's bytes come from. `read` returns up to `max` bytes, or `null` at the end. */
export interface ByteSource {
  read(max: number): Uint8Array | null;
}

/** Where an output stream's bytes go. `write` may throw a `GuestError` or an AgentOsError (a cap). */
export interface ByteSink {
  write(bytes: Uint8Array): void;
}

const CLOSED = { tag: 'closed' } as const;

/** wasi:io/streams `input-stream` over a synchronous byte source. */
export class InputStream {
  readonly #source: ByteSource;
  readonly #maxChunk: number;
  #open = true;

  constructor(options: { source: ByteSource; maxChunk: number }) {
    this.#source = options.source;
    this.#maxChunk = options.maxChunk;
  }

  read(len: bigint): Uint8Array {
    if (!this.#open) throw new GuestError(CLOSED);
    // The guest picks `len`; a short read is allowed by the WIT, so cap it instead of trapping.
    const max = Number(len < BigInt(this.#maxChunk) ? len : BigInt(this.#maxChunk));
    const bytes = this.#source.read(max);
    if (bytes === null) throw new GuestError(CLOSED);
    return bytes;
  }

  blockingRead(len: bigint): Uint8Array {
    return this.read(len);
  }

  skip(len: bigint): bigint {
    return BigInt(this.read(len).byteLength);
  }

  blockingSkip(len: bigint): bigint {
    return this.skip(len);
  }

  subscribe(): Pollable {
    return new Pollable();
  }

  [symbolDispose](): void {
    this.#open = false;
  }
}

/** The most a guest may write per check-write permit; also the WIT cap of blocking-write-and-flush. */
const WRITE_PERMIT = 4096;

/** wasi:io/streams `output-stream` over a synchronous byte sink. */
export class OutputStream {
  readonly #sink: ByteSink;
  readonly #maxChunk: number;
  #open = true;

  constructor(options: { sink: ByteSink; maxChunk: number }) {
    this.#sink = options.sink;
    this.#maxChunk = options.maxChunk;
  }

  checkWrite(): bigint {
    this.#assertOpen();
    return BigInt(WRITE_PERMIT);
  }

  write(contents: Uint8Array): void {
    this.#assertOpen();
    if (contents.byteLength > WRITE_PERMIT) {
      // The WIT says writing more than the permit traps.
      throw new Error(`wasi:io/streams write of ${contents.byteLength} bytes exceeds the ${WRITE_PERMIT}-byte permit`);
    }
    this.#sink.write(contents);
  }

  blockingWriteAndFlush(contents: Uint8Array): void {
    this.write(contents);
  }

  flush(): void {
    this.#assertOpen();
  }

  blockingFlush(): void {
    this.#assertOpen();
  }

  subscribe(): Pollable {
    return new Pollable();
  }

  writeZeroes(len: bigint): void {
    this.#assertOpen();
    // Guest-chosen length of a host allocation: refuse before allocating.
    this.write(new Uint8Array(checkLimit({ what: 'write-zeroes', requested: len, limit: Math.min(this.#maxChunk, WRITE_PERMIT) })));
  }

  blockingWriteZeroesAndFlush(len: bigint): void {
    this.writeZeroes(len);
  }

  splice(src: InputStream, len: bigint): bigint {
    this.#assertOpen();
    const max = len < BigInt(WRITE_PERMIT) ? len : BigInt(WRITE_PERMIT);
    const bytes = src.read(max);
    this.#sink.write(bytes);
    return BigInt(bytes.byteLength);
  }

  blockingSplice(src: InputStream, len: bigint): bigint {
    return this.splice(src, len);
  }

  [symbolDispose](): void {
    this.#open = false;
  }

  #assertOpen(): void {
    if (!this.#open) throw new GuestError(CLOSED);
  }
}
