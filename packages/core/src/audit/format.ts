/**
 * The audit log's wire format (`agentos-audit/1`), shared by the writer and
 * the verifier so they cannot drift apart.
 *
 * JSONL, one canonical (RFC 8785) JSON object per line, newline-terminated:
 *   1. `{"type":"header","format":"agentos-audit/1","logId","createdAt","keyId","publicKey"}`
 *   2. `{"type":"entry","entry":{"seq","at","kind","data"?},"head"}` for seq = 1, 2, 3, …
 *   3. `{"type":"checkpoint","checkpoint":{"seq","head","at","keyId","signature"}}`
 *      placed right after the entry it covers (seq 0 = the empty log, right after the header).
 *
 * Hashes (domain-separated as in RFC 6962, so a leaf can never pose as a node):
 *   genesis  = SHA-256(0x02 || header line)        — binds every head to this log
 *   leaf(n)  = SHA-256(0x00 || JCS(entry n))
 *   head(n)  = SHA-256(0x01 || head(n-1) || leaf(n)), head(0) = genesis
 * Checkpoints sign `"agentos-audit-checkpoint/1\n" || JCS({logId, seq, head, at, keyId})`
 * with Ed25519, so a checkpoint cannot be moved to another log or position.
 */
import { canonicalize } from './canonical-json.ts';
import { sha256 } from './sha256.ts';

export const FORMAT = 'agentos-audit/1';
export const LEAF_PREFIX = 0x00;
export const NODE_PREFIX = 0x01;
export const GENESIS_PREFIX = 0x02;
const CHECKPOINT_CONTEXT = 'agentos-audit-checkpoint/1\n';

/** One event as it is hashed. `seq` starts at 1; `at` is milliseconds since the epoch. */
export interface AuditEntry {
  seq: number;
  at: number;
  kind: string;
  data?: unknown;
}

/** A signed statement "after entry `seq` the chain head was `head`". */
export interface Checkpoint {
  seq: number;
  /** Lower-case hex SHA-256 chain head. */
  head: string;
  at: number;
  keyId: string;
  /** Base64url Ed25519 signature of {@link checkpointMessage}. */
  signature: string;
}

export interface Header {
  type: 'header';
  format: typeof FORMAT;
  logId: string;
  createdAt: number;
  keyId: string;
  /** Base64url raw Ed25519 public key, for convenience; verify with a trusted key when you have one. */
  publicKey: string;
}

const encoder = new TextEncoder();

/** head(0): binds the chain to one header (log id, creation time, key). */
export function genesisHead(headerLine: string): Uint8Array {
  const body = encoder.encode(headerLine);
  const bytes = new Uint8Array(body.length + 1);
  bytes[0] = GENESIS_PREFIX;
  bytes.set(body, 1);
  return sha256(bytes);
}

/** The exact bytes a checkpoint signature covers. */
export function checkpointMessage(logId: string, checkpoint: Omit<Checkpoint, 'signature'>): Uint8Array {
  const { seq, head, at, keyId } = checkpoint;
  return encoder.encode(CHECKPOINT_CONTEXT + canonicalize({ logId, seq, head, at, keyId }));
}

export function headerLine(header: Header): string {
  return canonicalize(header);
}

export function entryLine(entryJson: string, headHex: string): string {
  // Keys in canonical order: entry < head < type. `entryJson` is already canonical.
  return `{"entry":${entryJson},"head":"${headHex}","type":"entry"}`;
}

export function checkpointLine(checkpoint: Checkpoint): string {
  return canonicalize({ type: 'checkpoint', checkpoint });
}

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** @throws {TypeError} when `text` is not base64 or base64url. */
export function fromBase64Url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) throw new TypeError('expected base64url');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '').padEnd(Math.ceil(text.replace(/=+$/, '').length / 4) * 4, '='));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
