/**
 * Verifies an exported `agentos-audit/1` log (see format.ts) without trusting
 * anything in it except what the caller supplies (the public key).
 *
 * Detects: any changed byte (every line must be the canonical JSON of what it
 * parses to, every head must match the recomputed chain, every signature must
 * verify), deleted / duplicated / reordered entries (seq must run 1, 2, 3, …
 * and the chain breaks), entries spliced in from another log (the genesis head
 * binds every head to this log's header), and truncation whenever a newer
 * checkpoint survives (it claims entries that are not there) or the tail is no
 * longer sealed by a checkpoint. A truncation exactly at a checkpoint that also
 * drops every later checkpoint is only detectable against a checkpoint known
 * from elsewhere: pass it as `expect`.
 */
import { canonicalize } from './canonical-json.ts';
import {
  type Checkpoint,
  checkpointMessage,
  FORMAT,
  fromBase64Url,
  genesisHead,
  type Header,
  LEAF_PREFIX,
  NODE_PREFIX,
  toBase64Url,
} from './format.ts';
import { sha256, toHex } from './sha256.ts';
import { importPublicKey, keyIdOf, parsePublicKey, verifySignature } from './signer.ts';

/** Stable reasons a log fails verification. */
export type AuditVerifyCode =
  | 'malformed'
  | 'not-canonical'
  | 'seq-mismatch'
  | 'head-mismatch'
  | 'checkpoint-mismatch'
  | 'truncated'
  | 'bad-signature'
  | 'unknown-key'
  | 'unsealed';

export interface AuditVerifyOptions {
  /** Trusted Ed25519 public key (raw bytes, or text as {@link parsePublicKey} accepts). Without it the key in the header is used, which proves integrity only against accidents, not against someone who can rewrite the whole file. */
  publicKey?: Uint8Array | string;
  /** A checkpoint known from elsewhere (a witness, an earlier export): the log must contain it. */
  expect?: { seq: number; head: string };
  /** Accept entries after the last checkpoint (a live log exported without sealing). Default false. */
  allowUnsealed?: boolean;
}

export type AuditVerifyResult =
  | {
      valid: true;
      logId: string;
      entries: number;
      checkpoints: number;
      head: string;
      keyId: string;
      keySource: 'trusted' | 'header';
    }
  | { valid: false; code: AuditVerifyCode; message: string; line: number };

const encoder = new TextEncoder();

/**
 * Verifies an exported audit log. Never throws for a bad log — the result says
 * what is wrong and on which line (1-based).
 * @throws {AgentOsError} 'invalid-argument' when `options.publicKey` is not an Ed25519 key.
 */
export async function verifyAuditLog(jsonl: string, options: AuditVerifyOptions = {}): Promise<AuditVerifyResult> {
  const trusted =
    options.publicKey === undefined
      ? undefined
      : typeof options.publicKey === 'string'
        ? parsePublicKey(options.publicKey)
        : options.publicKey;
  const trustedKey = trusted === undefined ? undefined : await importPublicKey(trusted);
  try {
    return await verify(jsonl, options, trusted, trustedKey);
  } catch (failure) {
    if (failure instanceof VerifyFailure) return { valid: false, code: failure.code, message: failure.message, line: failure.line };
    throw failure;
  }
}

async function verify(
  jsonl: string,
  options: AuditVerifyOptions,
  trusted: Uint8Array | undefined,
  trustedKey: CryptoKey | undefined,
): Promise<AuditVerifyResult> {
  if (!jsonl.endsWith('\n')) fail('malformed', 'the log does not end with a newline (cut short?)', lineCount(jsonl));
  const lines = jsonl.slice(0, -1).split('\n');

  const header = parseLine(lines[0], 1) as Header;
  if (
    !hasExactKeys(header, ['createdAt', 'format', 'keyId', 'logId', 'publicKey', 'type']) ||
    header.type !== 'header' || header.format !== FORMAT || typeof header.logId !== 'string' ||
    typeof header.keyId !== 'string' || typeof header.publicKey !== 'string' || typeof header.createdAt !== 'number'
  ) {
    fail('malformed', `the first line is not an ${FORMAT} header`, 1);
  }
  let headerKey: Uint8Array;
  try {
    headerKey = fromBase64Url(header.publicKey);
  } catch {
    fail('malformed', 'the header public key is not base64url', 1);
  }
  if (keyIdOf(headerKey) !== header.keyId) fail('malformed', 'the header key id does not match its public key', 1);
  if (trusted && keyIdOf(trusted) !== header.keyId) {
    fail('unknown-key', `the log was signed with key ${header.keyId}, not the trusted key ${keyIdOf(trusted)}`, 1);
  }
  const keyId = header.keyId;
  const key = trustedKey ?? (await importPublicKey(headerKey));

  const heads: string[] = [toHex(genesisHead(lines[0]))];
  let current = heads[0];
  const node = new Uint8Array(65);
  node[0] = NODE_PREFIX;
  let seq = 0;
  let lastCheckpoint = -1;
  let checkpointCount = 0;
  const signatures: { checkpoint: Checkpoint; line: number }[] = [];

  for (let i = 1; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = parseLine(lines[i], lineNo) as Record<string, unknown>;
    if (line.type === 'entry') {
      const entry = line.entry as Record<string, unknown>;
      if (
        !hasExactKeys(line, ['entry', 'head', 'type']) || !isEntry(entry) || typeof line.head !== 'string'
      ) {
        fail('malformed', 'not a well-formed entry line', lineNo);
      }
      if (entry.seq !== seq + 1) {
        fail('seq-mismatch', `expected entry ${seq + 1} but found entry ${entry.seq} (deleted, duplicated or reordered)`, lineNo);
      }
      seq++;
      const body = encoder.encode(canonicalize(entry));
      const leafInput = new Uint8Array(body.length + 1);
      leafInput[0] = LEAF_PREFIX;
      leafInput.set(body, 1);
      node.set(fromHexUnchecked(current), 1);
      sha256(leafInput, leafInput.length, node, 33);
      current = toHex(sha256(node));
      if (line.head !== current) {
        fail('head-mismatch', `entry ${seq} does not chain from the previous entries of this log (changed, or spliced from another log)`, lineNo);
      }
      heads.push(current);
    } else if (line.type === 'checkpoint') {
      const checkpoint = line.checkpoint as Checkpoint;
      if (!hasExactKeys(line, ['checkpoint', 'type']) || !isCheckpoint(checkpoint)) {
        fail('malformed', 'not a well-formed checkpoint line', lineNo);
      }
      if (checkpoint.seq > seq) {
        fail('truncated', `checkpoint ${checkpoint.seq} covers entries after ${seq} that are missing`, lineNo);
      }
      if (checkpoint.seq < seq || checkpoint.seq <= lastCheckpoint) {
        fail('seq-mismatch', `checkpoint ${checkpoint.seq} is out of place after entry ${seq}`, lineNo);
      }
      if (checkpoint.keyId !== keyId) fail('unknown-key', `checkpoint signed by ${checkpoint.keyId}, expected ${keyId}`, lineNo);
      if (checkpoint.head !== current) fail('checkpoint-mismatch', `checkpoint ${checkpoint.seq} does not match the chain head`, lineNo);
      lastCheckpoint = checkpoint.seq;
      checkpointCount++;
      signatures.push({ checkpoint, line: lineNo });
    } else {
      fail('malformed', `unknown line type ${JSON.stringify(line.type)}`, lineNo);
    }
  }

  // Verify all signatures concurrently: each is an independent WebCrypto call.
  const outcomes = await Promise.all(
    signatures.map(({ checkpoint }) => {
      const { signature, ...unsigned } = checkpoint;
      let bytes: Uint8Array;
      try {
        bytes = fromBase64Url(signature);
      } catch {
        return false;
      }
      // Only the canonical encoding counts; otherwise unused base64 bits could be flipped unnoticed.
      if (toBase64Url(bytes) !== signature) return false;
      return verifySignature(key, bytes, checkpointMessage(header.logId, unsigned));
    }),
  );
  const bad = outcomes.indexOf(false);
  if (bad >= 0) fail('bad-signature', `checkpoint ${signatures[bad].checkpoint.seq} has an invalid signature`, signatures[bad].line);

  if (!options.allowUnsealed && lastCheckpoint !== seq) {
    fail('unsealed', `entries after ${Math.max(lastCheckpoint, 0)} are not covered by a signed checkpoint (truncated, or exported unsealed)`, lines.length);
  }
  if (options.expect) {
    const { seq: expectedSeq, head } = options.expect;
    if (expectedSeq > seq) fail('truncated', `the log ends at entry ${seq} but a checkpoint of entry ${expectedSeq} is known`, lines.length);
    if (heads[expectedSeq] !== head) fail('checkpoint-mismatch', `the head after entry ${expectedSeq} differs from the known checkpoint`, expectedSeq + 1);
  }
  return { valid: true, logId: header.logId, entries: seq, checkpoints: checkpointCount, head: current, keyId, keySource: trusted ? 'trusted' : 'header' };
}

function parseLine(text: string | undefined, line: number): unknown {
  if (text === undefined || text === '') fail('malformed', 'empty line', line);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    fail('malformed', 'not JSON', line);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('malformed', 'not a JSON object', line);
  let canonical: string;
  try {
    canonical = canonicalize(value);
  } catch {
    fail('not-canonical', 'holds a value with no canonical form', line);
  }
  // Equivalent spellings (1E5 for 1e5, reordered keys, escapes) would hash the same; refuse them.
  if (canonical !== text) fail('not-canonical', 'the line is not canonical JSON (RFC 8785)', line);
  return value;
}

function isEntry(value: unknown): value is { seq: number; at: number; kind: string; data?: unknown } {
  if (typeof value !== 'object' || value === null) return false;
  const e = value as Record<string, unknown>;
  const keys = 'data' in e ? ['at', 'data', 'kind', 'seq'] : ['at', 'kind', 'seq'];
  return hasExactKeys(e, keys) && Number.isInteger(e.seq) && typeof e.at === 'number' && typeof e.kind === 'string';
}

function isCheckpoint(value: unknown): value is Checkpoint {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    hasExactKeys(c, ['at', 'head', 'keyId', 'seq', 'signature']) && Number.isInteger(c.seq) && (c.seq as number) >= 0 &&
    typeof c.head === 'string' && typeof c.at === 'number' && typeof c.keyId === 'string' && typeof c.signature === 'string'
  );
}

function hasExactKeys(value: object, sortedKeys: string[]): boolean {
  const keys = Object.keys(value).sort();
  return keys.length === sortedKeys.length && keys.every((k, i) => k === sortedKeys[i]);
}

function fromHexUnchecked(hex: string): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function lineCount(text: string): number {
  return text.split('\n').length;
}

/** Internal only: unwinds verification to the first failure, which becomes the result. */
class VerifyFailure extends Error {
  readonly code: AuditVerifyCode;
  readonly line: number;
  constructor(code: AuditVerifyCode, message: string, line: number) {
    super(message);
    this.code = code;
    this.line = line;
  }
}

function fail(code: AuditVerifyCode, message: string, line: number): never {
  throw new VerifyFailure(code, message, line);
}
