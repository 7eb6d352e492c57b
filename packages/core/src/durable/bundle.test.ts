import { describe, expect, it } from 'vitest';
import { canonicalize, generateAuditSigner } from '../audit/index.ts';
import { entryKey, Journal, journalStartKey, sha256Hex, toBase64 } from '../journal/index.ts';
import { listAll, MemoryStore } from '../store/index.ts';
import { AGENT_FORMAT, AgentStore, type AgentRecord } from './agent-store.ts';
import { exportBundle, openBundle, writeBundle } from './bundle.ts';
import { captureSnapshot } from './snapshot.ts';

const component = new TextEncoder().encode('\0asm pretend component bytes');

async function sourceStore() {
  const agents = new AgentStore(new MemoryStore());
  const componentHash = await agents.putComponent(component);
  const record: AgentRecord = {
    format: AGENT_FORMAT, id: 'agent-7', type: 'payer', entry: 'run', componentHash, goal: 'invoice 7', tenant: 'acme', priority: 0, workspaceId: 'agent-7',
    budget: { fuel: 1000, tokens: null, wallMs: null, calls: null }, status: 'suspended', suspendReason: 'approval', result: null, createdAt: 1, updatedAt: 2,
  };
  await agents.putRecord(record);
  const journal = await Journal.open(agents.store, 'agent-7');
  journal.complete(journal.begin({ interface: 'agentos:runtime/random', function: 'getRandomU64', args: [], effect: 'read', fuelAtCall: 10n, startedAt: 1 }).seq, { result: 77n, endedAt: 1 });
  await journal.flush();
  await agents.putApproval('agent-7', { id: 'agent-7.1', agentId: 'agent-7', status: 'pending' } as { id: string });
  return { agents, record };
}

describe('agent bundles', () => {
  it('round-trips record, journal, approvals and component into another store', async () => {
    const { signer } = await generateAuditSigner();
    const { agents, record } = await sourceStore();
    const bundle = await exportBundle({ agents, id: 'agent-7', signer });
    const opened = await openBundle(bundle, [signer.publicKey]);
    const target = new AgentStore(new MemoryStore());
    await writeBundle(target, opened);
    expect(await target.getRecord('agent-7')).toEqual(record);
    expect(await target.getComponent(record.componentHash)).toEqual(component);
    expect((await target.openJournal('agent-7')).entries).toEqual((await agents.openJournal('agent-7')).entries);
    expect(await target.approvals('agent-7')).toEqual([{ id: 'agent-7.1', agentId: 'agent-7', status: 'pending' }]);
  });

  it('refuses a signed bundle whose component does not match its manifest with hash-mismatch', async () => {
    const { signer } = await generateAuditSigner();
    const { agents } = await sourceStore();
    const parsed = JSON.parse(new TextDecoder().decode(await exportBundle({ agents, id: 'agent-7', signer })));
    const evil = new TextEncoder().encode('\0asm something else entirely');
    parsed.body.components[0].bytes = toBase64(evil);
    // Re-signed by the trusted key, so only the hash check can catch it.
    const signature = await signer.sign(new TextEncoder().encode(canonicalize(parsed.body)));
    parsed.signature.value = toBase64(signature);
    const forged = new TextEncoder().encode(JSON.stringify(parsed));
    await expect(openBundle(forged, [signer.publicKey])).rejects.toMatchObject({ code: 'hash-mismatch' });
    expect(sha256Hex(evil)).not.toBe(parsed.body.manifest.components[0].sha256);
  });

  it('refuses bytes that are not a bundle', async () => {
    await expect(openBundle(new TextEncoder().encode('{"body":{}}'), [])).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('carries the agent’s snapshot under the signature and writes it on import; a bundle without one clears a stale one', async () => {
    const { signer } = await generateAuditSigner();
    const { agents } = await sourceStore();
    const memory = new WebAssembly.Memory({ initial: 1 });
    new Uint8Array(memory.buffer).fill(5, 0, 100);
    const snapshot = captureSnapshot({ seq: 1, fuelUsed: 99n, memories: [memory] });
    await agents.putSnapshot('agent-7', snapshot);
    const opened = await openBundle(await exportBundle({ agents, id: 'agent-7', signer }), [signer.publicKey]);
    expect(opened.snapshot).toEqual(snapshot);
    const target = new AgentStore(new MemoryStore());
    await writeBundle(target, opened);
    expect(await target.getSnapshot('agent-7')).toEqual(snapshot);

    await agents.store.delete('agents/agent-7/snapshot');
    const without = await openBundle(await exportBundle({ agents, id: 'agent-7', signer }), [signer.publicKey]);
    expect(without.snapshot).toBeUndefined();
    await writeBundle(target, without);
    expect(await target.getSnapshot('agent-7')).toBeUndefined();
  });

  it('refuses a tampered snapshot: signature-invalid as sent, hash-mismatch when re-signed without its manifest entry', async () => {
    const { signer } = await generateAuditSigner();
    const { agents } = await sourceStore();
    await agents.putSnapshot('agent-7', captureSnapshot({ seq: 1, fuelUsed: 99n, memories: [new WebAssembly.Memory({ initial: 1 })] }));
    const parsed = JSON.parse(new TextDecoder().decode(await exportBundle({ agents, id: 'agent-7', signer })));
    const evil = captureSnapshot({ seq: 1, fuelUsed: 99n, memories: [new WebAssembly.Memory({ initial: 2 })] });
    parsed.body.snapshot = toBase64(evil);
    const encode = () => new TextEncoder().encode(JSON.stringify(parsed));
    await expect(openBundle(encode(), [signer.publicKey])).rejects.toMatchObject({ code: 'signature-invalid' });
    parsed.signature.value = toBase64(await signer.sign(new TextEncoder().encode(canonicalize(parsed.body))));
    await expect(openBundle(encode(), [signer.publicKey])).rejects.toMatchObject({ code: 'hash-mismatch' });
    delete parsed.body.manifest.snapshot;
    parsed.signature.value = toBase64(await signer.sign(new TextEncoder().encode(canonicalize(parsed.body))));
    await expect(openBundle(encode(), [signer.publicKey])).rejects.toMatchObject({ code: 'hash-mismatch' });
  });

  /** The source agent after three calls, snapshotted at 3 and compacted, then a fourth call: its journal keeps position 3 only. */
  async function compactedSource() {
    const { agents, record } = await sourceStore();
    const journal = await agents.openJournal('agent-7');
    const call = (fuel: bigint) => journal.complete(journal.begin({ interface: 'agentos:runtime/random', function: 'getRandomU64', args: [], effect: 'read', fuelAtCall: fuel, startedAt: 2 }).seq, { result: fuel, endedAt: 2 });
    call(20n);
    call(30n);
    const snapshot = captureSnapshot({ seq: 3, fuelUsed: 35n, memories: [new WebAssembly.Memory({ initial: 1 })] });
    await journal.flush();
    await agents.putSnapshot('agent-7', snapshot);
    expect(await journal.discardBefore(3)).toBe(3);
    call(40n);
    await journal.flush();
    return { agents, record, snapshot };
  }

  it('moves a compacted agent: the importing store gets its journal start, its retained entries and its snapshot', async () => {
    const { signer } = await generateAuditSigner();
    const { agents, snapshot } = await compactedSource();
    const bytes = await exportBundle({ agents, id: 'agent-7', signer });
    expect(JSON.parse(new TextDecoder().decode(bytes)).body.journalStart).toBe(3);
    const opened = await openBundle(bytes, [signer.publicKey]);
    expect(opened).toMatchObject({ journalStart: 3, journal: [{ seq: 3, fuelAtCall: '40' }] });

    // The target held an older, uncompacted copy of the agent: none of its entries may survive the import.
    const target = new AgentStore(new MemoryStore());
    const old = await target.openJournal('agent-7');
    for (let i = 0; i < 5; i++) old.complete(old.begin({ interface: 'x', function: 'y', args: [i], effect: 'read', fuelAtCall: BigInt(i), startedAt: 0 }).seq, { result: i, endedAt: 0 });
    await old.flush();
    await writeBundle(target, opened);
    const journal = await target.openJournal('agent-7');
    expect(journal.first).toBe(3);
    expect(journal.length).toBe(4);
    expect(journal.entries).toEqual((await agents.openJournal('agent-7')).entries);
    expect((await listAll(target.store, 'agents/agent-7/journal/')).map((k) => k.key)).toEqual([entryKey('agent-7', 3)]);
    expect(await target.getSnapshot('agent-7')).toEqual(snapshot);
  });

  it('clears the journal start of a compacted copy when the imported agent was never compacted', async () => {
    const { signer } = await generateAuditSigner();
    const compacted = await compactedSource();
    const target = new AgentStore(new MemoryStore());
    await writeBundle(target, await openBundle(await exportBundle({ agents: compacted.agents, id: 'agent-7', signer }), [signer.publicKey]));
    const { agents } = await sourceStore();
    const opened = await openBundle(await exportBundle({ agents, id: 'agent-7', signer }), [signer.publicKey]);
    expect(opened.journalStart).toBe(0);
    await writeBundle(target, opened);
    expect(await target.store.get(journalStartKey('agent-7'))).toBeUndefined();
    const journal = await target.openJournal('agent-7');
    expect([journal.first, journal.length]).toEqual([0, 1]);
  });

  it('refuses a compacted agent without its snapshot (invalid-argument, snapshot-missing), even re-signed by a trusted key', async () => {
    const { signer } = await generateAuditSigner();
    const { agents } = await compactedSource();
    const parsed = JSON.parse(new TextDecoder().decode(await exportBundle({ agents, id: 'agent-7', signer })));
    delete parsed.body.snapshot;
    delete parsed.body.manifest.snapshot;
    parsed.signature.value = toBase64(await signer.sign(new TextEncoder().encode(canonicalize(parsed.body))));
    await expect(openBundle(new TextEncoder().encode(JSON.stringify(parsed)), [signer.publicKey])).rejects.toMatchObject({
      code: 'invalid-argument', details: { reason: 'snapshot-missing', journalStart: 3, snapshotSeq: null },
    });
  });

  it('refuses a bundle whose journal does not run on from its start (invalid-argument, journal-gap)', async () => {
    const { signer } = await generateAuditSigner();
    const { agents } = await compactedSource();
    const parsed = JSON.parse(new TextDecoder().decode(await exportBundle({ agents, id: 'agent-7', signer })));
    parsed.body.journalStart = 2;
    parsed.signature.value = toBase64(await signer.sign(new TextEncoder().encode(canonicalize(parsed.body))));
    await expect(openBundle(new TextEncoder().encode(JSON.stringify(parsed)), [signer.publicKey])).rejects.toMatchObject({
      code: 'invalid-argument', details: { reason: 'journal-gap', journalStart: 2 },
    });
  });
});
