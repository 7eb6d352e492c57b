import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAgent } from '../../../../test/e2e/agents.ts';
import { agentCommand, parseBudget } from './agent-command.ts';

const MAIN = fileURLToPath(new URL('../../../sandbox/src/cli/main.ts', import.meta.url));
const POLICY = {
  version: 1, id: 'cli-test',
  rules: [
    { id: 'allow-basics', kind: 'capability', effect: 'allow', capabilities: ['log', 'clock', 'random', 'kv.*', 'tools.*'] },
    { id: 'allow-egress', kind: 'capability', effect: 'allow', capabilities: ['http.fetch'] },
    { id: 'approve-payments', kind: 'approval', agentTypes: ['payer'], capabilities: ['http.fetch'], roles: ['finance'] },
  ],
};
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agentos-agent-cli-'));
  await writeFile(join(dir, 'payer.wasm'), await buildAgent('payer'));
  await writeFile(join(dir, 'policy.json'), JSON.stringify(POLICY));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Runs `agentos agent …` in this process. */
async function agent(...args: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await agentCommand(args, { stdout: (t) => (out += t), stderr: (t) => (out += t), cwd: dir });
  return { code, out };
}

/** Runs `agentos agent …` in a new process, like an operator in another terminal. */
async function agentProcess(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [MAIN, 'agent', ...args], { cwd: dir });
    return { code: 0, out: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, out: failed.stdout + failed.stderr };
  }
}

describe('agentos agent', () => {
  it('starts an agent that waits for an approval, and another process approves it and runs it to the end by replay', async () => {
    const started = await agent('start', 'payer.wasm', '--goal', 'invoice 42', '--policy', 'policy.json', '--json');
    expect(started.code).toBe(0);
    const waiting = JSON.parse(started.out) as { id: string; status: string; suspendReason: string; pendingApprovals: { id: string; roles: string[] }[] };
    expect(waiting).toMatchObject({ status: 'suspended', suspendReason: 'approval' });
    const request = waiting.pendingApprovals[0];
    expect(request.roles).toEqual(['finance']);
    // The database is the default one in the working directory.
    const listed = JSON.parse((await agent('status', '--json')).out) as { agents: { id: string }[] };
    expect(listed.agents.map((a) => a.id)).toEqual([waiting.id]);

    const refused = await agentProcess('approve', waiting.id, request.id, '--as', 'mallory', '--role', 'intern');
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/policy-denied: .*needs role finance/);

    const approved = await agentProcess('approve', waiting.id, request.id, '--as', 'alice', '--role', 'finance', '--json');
    expect(approved.code).toBe(0);
    const done = JSON.parse(approved.out) as { status: string; result: { ok: boolean; value: string } };
    expect(done.status).toBe('completed');
    // payer reports the nonce it drew before it asked: replay restored its memory in the new process.
    expect(done.result.value).toMatch(/\(nonce \d+\)$/);
    const human = (await agent('status', waiting.id)).out;
    expect(human).toContain(`${waiting.id}  payer  completed`);
    expect(human).toContain(done.result.value.slice(-20));
  });

  it('exports an agent as a signed bundle that another database imports only when it trusts the key', async () => {
    const { agents } = JSON.parse((await agent('status', '--json')).out) as { agents: { id: string; result: unknown }[] };
    const exported = JSON.parse((await agent('export', agents[0].id, '-o', 'payer.bundle', '--json')).out) as { publicKey: string; bytes: number };
    expect(exported.bytes).toBeGreaterThan(1000);
    await expect(agent('import', 'payer.bundle', '--db', 'other/agentos.db')).rejects.toMatchObject({ code: 'signature-invalid' });
    const imported = await agent('import', 'payer.bundle', '--db', 'other/agentos.db', '--trust', exported.publicKey, '--json');
    expect(JSON.parse(imported.out)).toMatchObject({ id: agents[0].id, status: 'completed', result: agents[0].result });
  });

  it('refuses bad usage with usage errors and unknown agents with not-found', async () => {
    await expect(agent('start', 'payer.wasm')).rejects.toMatchObject({ code: 'invalid-argument', details: { usage: true } });
    await expect(agent('launch')).rejects.toMatchObject({ details: { usage: true } });
    await expect(agent('status', 'no-such-agent')).rejects.toMatchObject({ code: 'not-found' });
    await expect(agent('start', 'never-started-type', '--goal', 'x')).rejects.toMatchObject({ code: 'not-found' });
    expect(() => parseBudget('fuel=1e9,tokens=-1')).toThrow(/positive numbers/);
    expect(parseBudget('fuel=1e9,calls=5')).toEqual({ fuel: 1e9, calls: 5 });
  });
});
