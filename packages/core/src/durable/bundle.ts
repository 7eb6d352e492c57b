/**
 * Migration bundles: one agent, packed to move between hosts (Node, browser,
 * edge) as one byte string — a file, a request body, a Durable Object value.
 *
 * Format `agentos-bundle/1`, UTF-8 JSON: `{ body, signature }` where `body` =
 * { format, manifest: { agentId, components: [{ sha256, size }], snapshot?: { seq, sha256, size } },
 * record, journal, approvals, components: [{ sha256, bytes (base64) }], snapshot? (base64) }
 * and `signature` = { keyId, publicKey, value } (base64), an Ed25519 signature over
 * the RFC 8785 canonical JSON of `body`. Importers check the key is trusted,
 * the signature, and every component and the snapshot against the SHA-256 the
 * signed manifest records, before anything is written.
 *
 * The snapshot (snapshot.ts format) is the agent's latest one, when it has one: the
 * importing host restores it and replays only the journal entries after its `seq`.
 * A bundle without one (older exporters, agents never snapshotted) imports by full replay.
 *
 * A compacted agent's journal no longer starts at 0: the body then says where
 * (`journalStart`, absent = 0), and the importing store gets the journal-start key
 * so its journal opens at the same position. Such a bundle can only be resumed
 * from its snapshot, so one without a snapshot, or whose snapshot lies before the
 * journal's start or whose entries do not run on from it, is refused.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { canonicalize, keyIdOf, type AuditSigner } from '../audit/index.ts';
import { entryKey, fromBase64, journalPrefix, journalStartKey, sha256Hex, toBase64, type JournalEntry } from '../journal/index.ts';
// WebCrypto's digest for snapshots (megabytes); the journal's synchronous one for components as before.
import { encodeJson, listAll, sha256Hex as digestHex, type BatchOp } from '../store/index.ts';
import type { AgentRecord, AgentStore } from './agent-store.ts';
import { AGENT_FORMAT, snapshotKey } from './agent-store.ts';
import { readSnapshot } from './snapshot.ts';

export const BUNDLE_FORMAT = 'agentos-bundle/1';

/** What a verified bundle holds. */
export interface OpenedBundle {
  record: AgentRecord;
  /** The retained journal entries, from position `journalStart`. */
  journal: JournalEntry[];
  /** Position of the journal's first entry: 0 unless the agent was compacted (then it has a snapshot). */
  journalStart: number;
  approvals: ({ id: string; agentId: string } & Record<string, unknown>)[];
  components: { sha256: string; bytes: Uint8Array }[];
  /** The agent's latest snapshot (snapshot.ts format), checked against the manifest; absent: replay from the start. */
  snapshot?: Uint8Array;
  /** Key id of the signer. */
  keyId: string;
}

interface Body {
  format: typeof BUNDLE_FORMAT;
  manifest: { agentId: string; components: { sha256: string; size: number }[]; snapshot?: { seq: number; sha256: string; size: number } };
  record: AgentRecord;
  journal: JournalEntry[];
  /** Absent: 0 (and so in bundles of agents never compacted, which sign the same body as before). */
  journalStart?: number;
  approvals: OpenedBundle['approvals'];
  components: { sha256: string; bytes: string }[];
  snapshot?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Packs and signs an agent from the store (flush first).
 * @throws AgentOsError 'not-found' for an unknown agent or a missing component.
 */
export async function exportBundle(options: { agents: AgentStore; id: string; signer: AuditSigner }): Promise<Uint8Array> {
  const { agents, id, signer } = options;
  const record = await agents.getRecord(id);
  if (!record) throw new AgentOsError('not-found', `No durable agent ${id} in this store.`, { details: { id } });
  const journal = await agents.openJournal(id);
  const bytes = await agents.getComponent(record.componentHash);
  const snapshot = await agents.getSnapshot(id);
  const body: Body = {
    format: BUNDLE_FORMAT,
    manifest: {
      agentId: id, components: [{ sha256: record.componentHash, size: bytes.length }],
      ...(snapshot ? { snapshot: { seq: readSnapshot(snapshot).seq, sha256: await digestHex(snapshot), size: snapshot.length } } : {}),
    },
    record,
    journal: [...journal.entries],
    ...(journal.first > 0 ? { journalStart: journal.first } : {}),
    approvals: await agents.approvals(id),
    components: [{ sha256: record.componentHash, bytes: toBase64(bytes) }],
    ...(snapshot ? { snapshot: toBase64(snapshot) } : {}),
  };
  const signature = await signer.sign(encoder.encode(canonicalize(body)));
  return encoder.encode(JSON.stringify({ body, signature: { keyId: signer.keyId, publicKey: toBase64(signer.publicKey), value: toBase64(signature) } }));
}

/**
 * Verifies a bundle and returns its contents.
 * @throws AgentOsError 'invalid-argument' when it is not a bundle of this format;
 *   'signature-invalid' when the key is not trusted or the signature does not verify;
 *   'hash-mismatch' when a component differs from its manifest entry; 'invalid-argument'
 *   (details.reason 'snapshot-missing' or 'journal-gap') when the journal cannot be resumed: it
 *   starts after position 0 but the bundle has no snapshot at or after its start, or its entries
 *   do not run without a gap from `journalStart`.
 */
export async function openBundle(bytes: Uint8Array, trustedKeys: readonly Uint8Array[]): Promise<OpenedBundle> {
  let parsed: { body?: Body; signature?: { keyId?: string; publicKey?: string; value?: string } };
  try {
    parsed = JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    throw new AgentOsError('invalid-argument', 'Not an agent bundle: the bytes are not UTF-8 JSON.', { cause });
  }
  const { body, signature } = parsed ?? {};
  if (body?.format !== BUNDLE_FORMAT || body.record?.format !== AGENT_FORMAT || typeof signature?.publicKey !== 'string' || typeof signature.value !== 'string') {
    throw new AgentOsError('invalid-argument', `Not an agent bundle of format ${BUNDLE_FORMAT}.`);
  }
  const publicKey = fromBase64(signature.publicKey);
  const keyId = keyIdOf(publicKey);
  if (!trustedKeys.some((key) => keyIdOf(key) === keyId)) {
    throw new AgentOsError('signature-invalid', `The bundle is signed by key ${keyId}, which is not among the trusted keys.`, { details: { keyId } });
  }
  if (!(await verify(publicKey, fromBase64(signature.value), encoder.encode(canonicalize(body))))) {
    throw new AgentOsError('signature-invalid', `The bundle's signature does not verify: it was changed after key ${keyId} signed it.`, { details: { keyId } });
  }
  const components = body.components.map((c) => ({ sha256: c.sha256, bytes: fromBase64(c.bytes) }));
  for (const listed of body.manifest.components) {
    const found = components.find((c) => c.sha256 === listed.sha256);
    if (!found || sha256Hex(found.bytes) !== listed.sha256 || found.bytes.length !== listed.size) {
      throw new AgentOsError('hash-mismatch', `Component ${listed.sha256} of the bundle is missing or does not match its SHA-256.`, { details: { sha256: listed.sha256 } });
    }
  }
  if (!body.manifest.components.some((c) => c.sha256 === body.record.componentHash)) {
    throw new AgentOsError('hash-mismatch', 'The agent runs a component its manifest does not list.', { details: { sha256: body.record.componentHash } });
  }
  const snapshot = await openedSnapshot(body);
  const journalStart = checkJournal(body, snapshot && body.manifest.snapshot?.seq);
  return { record: body.record, journal: body.journal, journalStart, approvals: body.approvals, components, keyId, ...(snapshot ? { snapshot } : {}) };
}

/**
 * Where the bundle's journal starts, once checked: its entries run on without a gap from there, and
 * a journal compacted past position 0 comes with the snapshot it was compacted at (or a later one).
 */
function checkJournal(body: Body, snapshotSeq: number | undefined): number {
  const start = body.journalStart ?? 0;
  const id = body.record.id;
  if (!Number.isInteger(start) || start < 0 || !Array.isArray(body.journal) || body.journal.some((entry, i) => entry?.seq !== start + i)) {
    throw new AgentOsError('invalid-argument', `The journal of bundled agent ${id} does not run without a gap from position ${start}; the bundle is damaged.`, {
      details: { id, reason: 'journal-gap', journalStart: start },
    });
  }
  if (start > 0 && (snapshotSeq === undefined || snapshotSeq < start)) {
    throw new AgentOsError('invalid-argument', `Bundled agent ${id} was compacted (its journal starts at position ${start}) but the bundle carries ${snapshotSeq === undefined ? 'no snapshot' : `only a snapshot at ${snapshotSeq}`}, so it cannot be resumed. Export it again from its host: bundles of compacted agents carry their snapshot.`, {
      details: { id, reason: 'snapshot-missing', journalStart: start, snapshotSeq: snapshotSeq ?? null },
    });
  }
  return start;
}

/** The bundle's snapshot, checked against the signed manifest (hash, size, position). */
async function openedSnapshot(body: Body): Promise<Uint8Array | undefined> {
  const listed = body.manifest.snapshot;
  if (listed === undefined && body.snapshot === undefined) return undefined;
  const bytes = typeof body.snapshot === 'string' ? fromBase64(body.snapshot) : undefined;
  if (!listed || !bytes || (await digestHex(bytes)) !== listed.sha256 || bytes.length !== listed.size) {
    throw new AgentOsError('hash-mismatch', 'The snapshot of the bundle is missing or does not match the SHA-256 its manifest records.', { details: { sha256: listed?.sha256 ?? null } });
  }
  if (readSnapshot(bytes).seq !== listed.seq) {
    throw new AgentOsError('hash-mismatch', `The bundle's snapshot stands for another journal position than its manifest records (${listed.seq}).`, { details: { seq: listed.seq } });
  }
  return bytes;
}

/**
 * Writes a verified bundle's agent into a store, in one batch for record, journal (with where it
 * starts), approvals and snapshot. What the store held of an agent with this id before — journal
 * entries the bundle does not have, a journal start, a snapshot — is removed in the same batch, so
 * the journal opens exactly as the bundle's.
 */
export async function writeBundle(agents: AgentStore, bundle: OpenedBundle): Promise<void> {
  for (const component of bundle.components) await agents.putComponent(component.bytes, component.sha256);
  const id = bundle.record.id;
  const kept = new Set(bundle.journal.map((entry) => entryKey(id, entry.seq)));
  const stale: BatchOp[] = (await listAll(agents.store, journalPrefix(id))).filter(({ key }) => !kept.has(key)).map(({ key }) => ({ type: 'delete', key }));
  await agents.store.batch([
    ...stale,
    bundle.journalStart > 0
      ? { type: 'put', key: journalStartKey(id), value: encodeJson({ first: bundle.journalStart }) }
      : { type: 'delete', key: journalStartKey(id) },
    ...bundle.journal.map((entry) => ({ type: 'put' as const, key: entryKey(id, entry.seq), value: encodeJson(entry) })),
    ...bundle.approvals.map((request) => ({ type: 'put' as const, key: `agents/${id}/approvals/${request.id}`, value: encodeJson(request) })),
    bundle.snapshot ? { type: 'put', key: snapshotKey(id), value: bundle.snapshot } : { type: 'delete', key: snapshotKey(id) },
    { type: 'put', key: `agents/${id}/record`, value: encodeJson(bundle.record) },
  ]);
}

async function verify(publicKey: Uint8Array, signature: Uint8Array, message: Uint8Array): Promise<boolean> {
  try {
    const key = await crypto.subtle.importKey('raw', publicKey as Uint8Array<ArrayBuffer>, 'Ed25519', false, ['verify']);
    return await crypto.subtle.verify('Ed25519', key, signature as Uint8Array<ArrayBuffer>, message as Uint8Array<ArrayBuffer>);
  } catch {
    return false;
  }
}
