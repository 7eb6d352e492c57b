import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAgent } from '../../../../test/e2e/agents.ts';
import { encodeJson } from '../../../core/src/store/index.ts';
import { Lease } from './lease.ts';
import { NodeHost } from './node-host.ts';

const POLICY = {
  version: 1, id: 'host-test',
  rules: [
    { id: 'allow', kind: 'capability', effect: 'allow', capabilities: ['*'] },
    { id: 'approve-payments', kind: 'approval', capabilities: ['http.fetch'], roles: ['finance'] },
  ],
};
let dir: string;
let payer: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agentos-node-host-'));
  payer = await buildAgent('payer');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('NodeHost', () => {
  it('queues commands for a live process driving the database, and the next driver applies them', async () => {
    const dbPath = join(dir, 'queue.db');
    const first = await NodeHost.open({ dbPath, policy: POLICY, synchronous: 'normal' });
    const id = await first.start({ component: payer, type: 'payer', goal: 'invoice 7' });
    expect((await first.agents.getRecord(id))?.suspendReason).toBe('approval');
    await first.close();

    // Another process holds the lease (alive: a sleeping child).
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    const host = await NodeHost.open({ dbPath });
    await host.store.put('host/lease', encodeJson({ pid: other.pid, hostname: hostname(), since: Date.now() }));
    const outcome = await host.command({ action: 'terminate', agentId: id });
    expect(outcome).toMatchObject({ applied: false, queuedFor: { pid: other.pid } });
    expect((await Lease.pending(host.store)).map((q) => q.command)).toEqual([{ action: 'terminate', agentId: id }]);
    expect((await host.agents.getRecord(id))?.status).toBe('suspended');
    await expect(host.start({ component: payer, goal: 'x' })).rejects.toMatchObject({ code: 'illegal-state' });
    await host.close();

    // The holder dies without releasing (SIGKILL): the next host takes over and applies the queue.
    other.kill('SIGKILL');
    await new Promise((resolve) => other.once('exit', resolve));
    const next = await NodeHost.open({ dbPath });
    expect(await next.drive()).toBe(true);
    expect((await next.agents.getRecord(id))?.status).toBe('terminated');
    expect(await Lease.pending(next.store)).toEqual([]);
    await next.close();
  });

  it('keeps the policy in the database for later processes, which enforce it on approvals', async () => {
    const dbPath = join(dir, 'kept.db');
    const first = await NodeHost.open({ dbPath, policy: POLICY });
    const id = await first.start({ component: payer, type: 'payer', goal: 'invoice 8' });
    await first.close();
    // Opened without a policy: the stored one still asks finance to approve.
    const second = await NodeHost.open({ dbPath });
    const [request] = await second.pendingApprovals(id);
    await expect(second.command({ action: 'approve', agentId: id, requestId: request.id, approver: 'eve', role: 'ops', approved: true })).rejects.toMatchObject({ code: 'policy-denied' });
    await second.command({ action: 'approve', agentId: id, requestId: request.id, approver: 'ann', role: 'finance', approved: false });
    const record = await second.agents.getRecord(id);
    expect(record).toMatchObject({ status: 'completed', result: { ok: true } });
    expect(String(record?.result?.value)).toMatch(/^not paid: denied: http.fetch needed a/);
    await second.close();
  });

  it('refuses to act on its stale agents once another host drove the database since', async () => {
    const dbPath = join(dir, 'stale.db');
    const first = await NodeHost.open({ dbPath, policy: POLICY });
    const id = await first.start({ component: payer, type: 'payer', goal: 'invoice 9' });
    const [request] = await first.pendingApprovals(id);
    const second = await NodeHost.open({ dbPath });
    await second.command({ action: 'approve', agentId: id, requestId: request.id, approver: 'ann', role: 'finance', approved: true });
    expect((await second.agents.getRecord(id))?.status).toBe('completed');
    await second.close();
    // first still holds the agent as it was before the approval: it must not run it again.
    await expect(first.command({ action: 'terminate', agentId: id })).rejects.toMatchObject({ code: 'illegal-state' });
    expect((await first.agents.getRecord(id))?.status).toBe('completed');
    await first.close();
  });
});
