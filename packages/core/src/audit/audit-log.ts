/**
 * AuditLog: an append-only, hash-chained record of what agents did and what
 * the policy engine decided, with Ed25519-signed checkpoints of the chain head.
 *
 * `append` is synchronous and cheap (two small SHA-256s with the pure-TS
 * hasher); signing is async and comparatively slow, so the log signs a
 * checkpoint every `checkpointEvery` entries in the background and `flush()`
 * waits for those signatures. `exportJsonl()` seals the tail with a final
 * checkpoint, so an export is always fully covered by signatures.
 * Entries are stored as their canonical JSON, so a caller mutating an object
 * after appending it cannot rewrite history.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { canonicalize, quote } from './canonical-json.ts';
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
import { sha256, toHex } from './sha256.ts';
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

const encoder = new TextEncoder();

export class AuditLog {
  readonly logId: string;
  readonly header: Header;
  readonly #headerLine: string;
  readonly #signer: AuditSigner;
  readonly #checkpointEvery: number;
  readonly #now: () => number;
  /** Canonical JSON of entry n at index n - 1. */
  readonly #entries: string[] = [];
  /** head(n) at bytes [32n, 32n + 32); head(0) is the genesis head. */
  #heads = new Uint8Array(32 * 1024);
  #scratch = new Uint8Array(1024);
  readonly #node = new Uint8Array(65);
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
    this.#heads.set(genesisHead(this.#headerLine), 0);
    this.#node[0] = NODE_PREFIX;
  }

  /** Number of entries; also the seq of the last one. */
  get length(): number {
    return this.#entries.length;
  }

  /** Hex chain head after entry `seq` (default: the latest). */
  head(seq = this.length): string {
    if (!Number.isInteger(seq) || seq < 0 || seq > this.length) {
      throw new AgentOsError('not-found', `No entry ${seq} in this audit log (it has ${this.length}).`);
    }
    return toHex(this.#heads, seq * 32, 32);
  }

  /** Signed checkpoints made so far, oldest first (pending signatures not included). */
  get checkpoints(): readonly Checkpoint[] {
    return this.#checkpoints;
  }

  /**
   * Appends one event and returns its seq. Synchronous: the entry is hashed
   * into the chain before this returns.
   * @throws {AgentOsError} 'invalid-argument' when `data` has no canonical JSON form
   *   (see {@link canonicalize}) or `kind` is empty; nothing is appended then.
   */
  append(event: AuditEvent): number {
    if (typeof event.kind !== 'string' || event.kind === '') {
      throw new AgentOsError('invalid-argument', 'An audit event needs a non-empty string kind.');
    }
    const seq = this.#entries.length + 1;
    const at = event.at ?? this.#now();
    if (!Number.isFinite(at)) throw new AgentOsError('invalid-argument', 'An audit event time must be a finite number of ms.');
    // The canonical form of {seq, at, kind, data}, written in sorted key order
    // by hand: the envelope is fixed, so only `data` needs the general path.
    const data = event.data === undefined ? undefined : canonicalize(event.data);
    const json =
      '{"at":' + String(at) + (data === undefined ? '' : ',"data":' + data) + ',"kind":' + quote(event.kind) + ',"seq":' + seq + '}';

    // leaf = SHA-256(0x00 || json), hashed straight out of a reused buffer.
    if (this.#scratch.length < json.length * 3 + 1) this.#scratch = new Uint8Array(json.length * 3 + 1024);
    this.#scratch[0] = LEAF_PREFIX;
    const { written } = encoder.encodeInto(json, this.#scratch.subarray(1));
    const node = this.#node;
    sha256(this.#scratch, written + 1, node, 33);
    // head(n) = SHA-256(0x01 || head(n-1) || leaf)
    if (this.#heads.length < (seq + 1) * 32) {
      const grown = new Uint8Array(this.#heads.length * 2);
      grown.set(this.#heads);
      this.#heads = grown;
    }
    node.set(this.#heads.subarray((seq - 1) * 32, seq * 32), 1);
    sha256(node, 65, this.#heads, seq * 32);
    this.#entries.push(json);

    if (seq % this.#checkpointEvery === 0) this.#schedule(seq);
    return seq;
  }

  /** The entry with this seq, parsed from its stored canonical JSON. */
  entry(seq: number): AuditEntry {
    const json = this.#entries[seq - 1];
    if (json === undefined) throw new AgentOsError('not-found', `No entry ${seq} in this audit log (it has ${this.length}).`);
    return JSON.parse(json) as AuditEntry;
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
      if (seq > 0) lines.push(entryLine(this.#entries[seq - 1], toHex(this.#heads, seq * 32, 32)));
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
