/**
 * The receiver's memory of messages it has seen, for de-duplicating
 * redeliveries.
 *
 * Message ids are (origin bus, sequence number), and each origin numbers its
 * messages densely, so the state of a message is one byte in a chunk of 4096
 * consecutive sequence numbers — no string hashing and ~1 byte per message
 * instead of a Map entry. A chunk is dropped once nothing in it has been
 * touched for `windowMs` (the bus makes the window longer than every
 * redelivery), so memory is bounded by message rate × window.
 */

/** The handler is running (async); a duplicate must not run it again nor ack early. */
export const BUSY = 1;
/** The handler finished; a duplicate is acknowledged again (the first ack may be lost). */
export const DONE = 2;

export type SeenState = 0 | typeof BUSY | typeof DONE;

const CHUNK_BITS = 12;
const CHUNK_MASK = (1 << CHUNK_BITS) - 1;

interface Chunk {
  states: Uint8Array;
  touched: number;
}

class OriginWindow {
  readonly chunks = new Map<number, Chunk>();
  // The last chunk used: consecutive sequence numbers hit it without a Map lookup.
  lastKey = -1;
  last: Chunk | undefined;

  chunk(seq: number, create: boolean, now: number): Chunk | undefined {
    const key = Math.floor(seq / (CHUNK_MASK + 1));
    if (key === this.lastKey) return this.last;
    let chunk = this.chunks.get(key);
    if (chunk === undefined) {
      if (!create) return undefined;
      chunk = { states: new Uint8Array(CHUNK_MASK + 1), touched: now };
      this.chunks.set(key, chunk);
    }
    this.lastKey = key;
    this.last = chunk;
    return chunk;
  }
}

export class SeenMessages {
  readonly #origins = new Map<string, OriginWindow>();
  readonly #windowMs: number;
  #now: number;
  #sweptAt: number;

  constructor(options: { windowMs: number; now: number }) {
    this.#windowMs = options.windowMs;
    this.#now = options.now;
    this.#sweptAt = options.now;
  }

  get(origin: string, seq: number): SeenState {
    const chunk = this.#origins.get(origin)?.chunk(seq, false, this.#now);
    return chunk === undefined ? 0 : (chunk.states[seq & CHUNK_MASK] as SeenState);
  }

  /** Records `state` for a message; 0 forgets it (its handler failed, so a redelivery must run it again). */
  set(origin: string, seq: number, state: SeenState): void {
    let window = this.#origins.get(origin);
    if (window === undefined) this.#origins.set(origin, (window = new OriginWindow()));
    const chunk = window.chunk(seq, true, this.#now) as Chunk;
    chunk.states[seq & CHUNK_MASK] = state;
    chunk.touched = this.#now;
  }

  /** Tells the current time; drops chunks untouched for a window (checked at most twice per window). */
  tick(now: number): void {
    this.#now = now;
    if (now - this.#sweptAt < this.#windowMs / 2) return;
    this.#sweptAt = now;
    for (const [origin, window] of this.#origins) {
      for (const [key, chunk] of window.chunks) {
        if (now - chunk.touched >= this.#windowMs) window.chunks.delete(key);
      }
      window.lastKey = -1;
      window.last = undefined;
      if (window.chunks.size === 0) this.#origins.delete(origin);
    }
  }

  /** Chunks held, for tests and memory estimates (each ~4 KiB). */
  get chunks(): number {
    let n = 0;
    for (const window of this.#origins.values()) n += window.chunks.size;
    return n;
  }
}
