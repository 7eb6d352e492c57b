/**
 * AuditLog: an append-only, hash-chained record of what agents did and what
 * the policy engine decided, with Ed25519-signed checkpoints of the chain head.
 *
 * `append` is synchronous and cheap (two small SHA-256s with the pure-TS
 * hasher); signing is async and comparatively slow, so the log signs a
 * checkpoint every `checkpointEvery` entries in the background and `flush()`
 * waits for those signatures. `exportJsonl()` seals the tail with a final
 * checkpoint, so an export is always fully covered by signatures.
 * Entries are stored as their canonical JSON (UTF-8), so a caller mutating an
 * object after appending it cannot rewrite history.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { type EntryFields, EntryStore, writeEntry } from './entry-store.ts';
import {
  type AuditEntry,
  type Checkpoint,
  checkpointLine,
  checkpointMessage,
  entryLine,
  FORMAT,
  genesisHead,
  type Header,
  headerLine,
  LEAF_PREFIX,
  NODE_PREFIX,
  toBase64Url,
} from './format.ts';
import { type DigestPair, type PrefixedInput, sha256Pair, sha256Prefixed, wordsToHex } from './sha256.ts';
import type { AuditSigner } from './signer.ts';

export interface AuditLogOptions {
  signer: AuditSigner;
  /** Defaults to a random UUID. */
  logId?: string;
  /** Sign a checkpoint after every this many entries (default 10,000). */
  checkpointEvery?: number;
  /** Clock in ms since the epoch (default `Date.now`); injectable for tests. */
  now?: () => number;
}

/** What a caller appends; `seq` is assigned by the log and `at` defaults to the clock. */
export interface AuditEvent {
  kind: string;
  data?: unknown;
  at?: number;
}

export class AuditLog {
  readonly logId: string;
  readonly header: Header;
  readonly #headerLine: string;
  readonly #signer: AuditSigner;
  readonly #checkpointEvery: number;
  readonly #now: () => number;
  /** The canonical JSON of every entry, as UTF-8. */
  readonly #entries = new EntryStore();
  /** The leaf hash's input (0x00 || entry bytes) and the entry's fields: objects reused by every append. */
  readonly #leafInput: PrefixedInput = { prefix: LEAF_PREFIX, bytes: new Uint8Array(0), start: 0, length: 0 };
  readonly #fields: EntryFields = { seq: 0, at: 0, kind: '', data: undefined };
  /** head(n) as eight big-endian words at [8n, 8n + 8); head(0) is the genesis head. */
  #heads = new Int32Array(8 * 1024);
  readonly #leaf = new Int32Array(8);
  /** Arguments of the chain hash, kept in one object so that append allocates none. */
  readonly #pair: DigestPair;
  readonly #checkpoints: Checkpoint[] = [];
  readonly #pending = new Set<Promise<void>>();
  #failure: unknown;

  /** @throws {AgentOsError} 'invalid-argument' when `checkpointEvery` is not a positive integer. */
  constructor(options: AuditLogOptions) {
    const every = options.checkpointEvery ?? 10_000;
    if (!Number.isInteger(every) || every < 1) {
      throw new AgentOsError('invalid-argument', 'checkpointEvery must be a positive integer.', { details: { checkpointEvery: every } });
    }
    this.#signer = options.signer;
    this.#checkpointEvery = every;
    this.#now = options.now ?? Date.now;
    this.logId = options.logId ?? crypto.randomUUID();
    this.header = {
      type: 'header',
      format: FORMAT,
      logId: this.logId,
      createdAt: this.#now(),
      keyId: options.signer.keyId,
      publicKey: toBase64Url(options.signer.publicKey),
    };
    this.#headerLine = headerLine(this.header);
    const genesis = genesisHead(this.#headerLine);
    for (let i = 0; i < 8; i++) {
      this.#heads[i] = (genesis[4 * i] << 24) | (genesis[4 * i + 1] << 16) | (genesis[4 * i + 2] << 8) | genesis[4 * i + 3];
    }
    this.#pair = { left: this.#heads, leftOffset: 0, right: this.#leaf, rightOffset: 0 };
  }

  /** Number of entries; also the seq of the last one. */
  get length(): number {
    return this.#entries.count;
  }

  /** Hex chain head after entry `seq` (default: the latest). */
  head(seq = this.length): string {
    if (!Number.isInteger(seq) || seq < 0 || seq > this.length) {
      throw new AgentOsError('not-found', `No entry ${seq} in this audit log (it has ${this.length}).`);
    }
    return wordsToHex(this.#heads, seq * 8);
  }

  /** Signed checkpoints made so far, oldest first (pending signatures not included). */
  get checkpoints(): readonly Checkpoint[] {
    return this.#checkpoints;
  }

  /**
   * Appends one event and returns its seq. Synchronous: the entry is hashed
   * into the chain before this returns.
   * @throws {AgentOsError} 'invalid-argument' when `data` has no canonical JSON form
   *   (see `canonicalize`), or `kind` is empty or not well-formed text; nothing is appended then.
   */
  append(event: AuditEvent): number {
    if (typeof event.kind !== 'string' || event.kind === '') {
      throw new AgentOsError('invalid-argument', 'An audit event needs a non-empty string kind.');
    }
    const seq = this.#entries.count + 1;
    const at = event.at ?? this.#now();
    if (!Number.isFinite(at)) throw new AgentOsError('invalid-argument', 'An audit event time must be a finite number of ms.');
    const fields = this.#fields;
    fields.seq = seq;
    fields.at = at;
    fields.kind = event.kind;
    fields.data = event.data;
    // The canonical JSON of {seq, at, kind, data?} is written where it is kept. When the
    // chunk is too small the write runs on uncounted, and is redone in a fresh chunk.
    const entries = this.#entries;
    let end: number;
    try {
      end = writeEntry(fields, entries.buffer, entries.position);
      if (end > entries.buffer.length) {
        entries.reserve(end - entries.position);
        end = writeEntry(fields, entries.buffer, entries.position);
      }
    } finally {
      fields.data = undefined; // do not keep the caller's object alive
    }
    // leaf = SHA-256(0x00 || entry), hashed in place behind its prefix.
    const input = this.#leafInput;
    input.bytes = entries.buffer;
    input.start = entries.position;
    input.length = end - entries.position;
    sha256Prefixed(input, this.#leaf, 0);
    // head(n) = SHA-256(0x01 || head(n-1) || leaf), on words: no byte round trip.
    if (this.#heads.length < (seq + 1) * 8) {
      const grown = new Int32Array(this.#heads.length * 2);
      grown.set(this.#heads);
      this.#heads = grown;
      this.#pair.left = grown;
    }
    this.#pair.leftOffset = (seq - 1) * 8;
    sha256Pair(NODE_PREFIX, this.#pair, this.#heads, seq * 8);
    entries.commit(end);

    if (seq % this.#checkpointEvery === 0) this.#schedule(seq);
    return seq;
  }

  /** The entry with this seq, parsed from its stored canonical JSON. */
  entry(seq: number): AuditEntry {
    if (!Number.isInteger(seq) || seq < 1 || seq > this.length) {
      throw new AgentOsError('not-found', `No entry ${seq} in this audit log (it has ${this.length}).`);
    }
    return JSON.parse(this.#entries.text(seq)) as AuditEntry;
  }

  /**
   * Signs a checkpoint of the current head now and returns it.
   * @throws when the signer fails (the error is the signer's).
   */
  async checkpoint(): Promise<Checkpoint> {
    const seq = this.length;
    // A background signature of this very head may be in flight; wait rather than sign twice.
    await this.flush();
    const existing = this.#checkpoints.findLast((c) => c.seq === seq);
    if (existing) return existing;
    await this.#schedule(seq);
    if (this.#failure !== undefined) throw this.#failure;
    return this.#checkpoints.findLast((c) => c.seq === seq)!;
  }

  /**
   * Waits for every checkpoint signature started so far.
   * @throws the first signer error, if any signature failed.
   */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
    if (this.#failure !== undefined) throw this.#failure;
  }

  /**
   * The whole log as `agentos-audit/1` JSONL (see format.ts), sealed by a
   * checkpoint of the latest head.
   * @throws when a checkpoint signature failed.
   */
  async exportJsonl(): Promise<string> {
    await this.checkpoint();
    await this.flush();
    const checkpoints = this.#checkpoints;
    const lines: string[] = [this.#headerLine];
    let next = 0;
    for (let seq = 0; seq <= this.length; seq++) {
      if (seq > 0) lines.push(entryLine(this.#entries.text(seq), wordsToHex(this.#heads, seq * 8)));
      while (next < checkpoints.length && checkpoints[next].seq === seq) lines.push(checkpointLine(checkpoints[next++]));
    }
    return lines.join('\n') + '\n';
  }

  /** Starts signing a checkpoint of head(seq); the promise never rejects (failures surface in `flush`). */
  #schedule(seq: number): Promise<void> {
    const unsigned = { seq, head: this.head(seq), at: this.#now(), keyId: this.#signer.keyId };
    const message = checkpointMessage(this.logId, unsigned);
    const task = this.#signer.sign(message).then(
      (signature) => {
        this.#checkpoints.push({ ...unsigned, signature: toBase64Url(signature) });
        // Signatures may finish out of order; keep the list ordered by seq.
        this.#checkpoints.sort((a, b) => a.seq - b.seq);
      },
      (error: unknown) => {
        this.#failure ??= error;
      },
    );
    const tracked = task.finally(() => this.#pending.delete(tracked));
    this.#pending.add(tracked);
    return tracked;
  }
}
