import { describe, expect, it } from 'vitest';
import { canonicalize, generateAuditSigner } from '../audit/index.ts';
import { Journal, sha256Hex, toBase64 } from '../journal/index.ts';
import { MemoryStore } from '../store/index.ts';
import { AGENT_FORMAT, AgentStore, type AgentRecord } from './agent-store.ts';
import { exportBundle, openBundle, writeBundle } from './bundle.ts';

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
});
