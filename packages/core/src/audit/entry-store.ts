/**
 * Where the audit log keeps its entries: each one's canonical JSON as UTF-8
 * (exactly the bytes the leaf hash covers), back to back in chunks that are
 * filled once and never copied or moved.
 *
 * Why bytes and not strings: append writes the entry straight into its final
 * place (`writeEntry`), hashes it there, and is done — no string to build,
 * flatten and encode, and nothing per entry for the garbage collector to
 * trace or copy (200,000 retained strings made every minor collection slower).
 * Reading an entry back (rare: `entry()`, export) decodes it.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { writeBytes, writeCanonical, writeNumber, writeString } from './canonical-bytes.ts';

const FIRST_CHUNK = 16 * 1024;
const MAX_CHUNK = 1024 * 1024;

const decoder = new TextDecoder();

export class EntryStore {
  readonly #chunks: Uint8Array[] = [];
  #chunk = new Uint8Array(FIRST_CHUNK);
  #used = 0;
  /** Entry n (1-based) is #chunks[#chunkOf[n]] bytes [#starts[n], #ends[n]). */
  #chunkOf = new Uint32Array(1024);
  #starts = new Uint32Array(1024);
  #ends = new Uint32Array(1024);
  #count = 0;

  constructor() {
    this.#chunks.push(this.#chunk);
  }

  get count(): number {
    return this.#count;
  }

  /** The chunk the next entry is written into, from {@link position}; it may be too small (see {@link reserve}). */
  get buffer(): Uint8Array {
    return this.#chunk;
  }

  get position(): number {
    return this.#used;
  }

  /**
   * Makes room for `size` bytes at the write position, starting a new chunk
   * when the current one has less left (the rest of it stays unused).
   * @throws {AgentOsError} 'limit-exceeded' for one entry over 1 GiB.
   */
  reserve(size: number): void {
    if (this.#chunk.length - this.#used >= size) return;
    if (size > 1 << 30) throw new AgentOsError('limit-exceeded', 'An audit entry over 1 GiB is refused.', { details: { bytes: size } });
    this.#chunk = new Uint8Array(Math.max(size, Math.min(this.#chunk.length * 2, MAX_CHUNK)));
    this.#chunks.push(this.#chunk);
    this.#used = 0;
  }

  /** Records the next entry as `buffer` bytes [position, end). */
  commit(end: number): void {
    const n = ++this.#count;
    if (n >= this.#ends.length) {
      this.#chunkOf = grow(this.#chunkOf);
      this.#starts = grow(this.#starts);
      this.#ends = grow(this.#ends);
    }
    this.#chunkOf[n] = this.#chunks.length - 1;
    this.#starts[n] = this.#used;
    this.#ends[n] = end;
    this.#used = end;
  }

  /** The canonical JSON of entry `seq` (1 ≤ seq ≤ count). */
  text(seq: number): string {
    return decoder.decode(this.#chunks[this.#chunkOf[seq]].subarray(this.#starts[seq], this.#ends[seq]));
  }
}

function grow(array: Uint32Array<ArrayBuffer>): Uint32Array<ArrayBuffer> {
  const grown = new Uint32Array(array.length * 2);
  grown.set(array);
  return grown;
}

const AT = bytesOf('{"at":');
const DATA = bytesOf(',"data":');
const KIND = bytesOf(',"kind":');
const SEQ = bytesOf(',"seq":');

/** The parts of one entry, validated by the caller (`at` finite, `seq` a positive integer). */
export interface EntryFields {
  seq: number;
  at: number;
  kind: string;
  /** Omitted from the entry when undefined. */
  data: unknown;
}

/**
 * Writes the canonical JSON of `{seq, at, kind, data?}` at `p` and returns
 * the end. The envelope's keys are in canonical order by construction
 * (at < data < kind < seq), so only `data` needs the general writer. Writes
 * past the end of `out` are dropped but counted: an end beyond `out.length`
 * means "reserve that much and write again".
 * @throws {AgentOsError} 'invalid-argument' when `data` or `kind` has no canonical form.
 */
export function writeEntry(entry: EntryFields, out: Uint8Array, p: number): number {
  p = writeBytes(AT, out, p);
  p = writeNumber(entry.at, out, p);
  if (entry.data !== undefined) {
    p = writeBytes(DATA, out, p);
    p = writeCanonical(entry.data, out, p);
  }
  p = writeBytes(KIND, out, p);
  p = writeString(entry.kind, out, p);
  p = writeBytes(SEQ, out, p);
  p = writeNumber(entry.seq, out, p);
  out[p++] = 0x7d; // }
  return p;
}

function bytesOf(ascii: string): Uint8Array {
  return new TextEncoder().encode(ascii);
}
