import { describe, expect, it } from 'vitest';
import { AuditLog } from './audit-log.ts';
import { auditVerifyCommand } from './cli.ts';
import { formatPublicKey, generateAuditSigner } from './signer.ts';

const { signer } = await generateAuditSigner();
const log = new AuditLog({ signer });
log.append({ kind: 'agent.start', data: { agent: 'a1' } });
log.append({ kind: 'tool.call', data: { tool: 'web.fetch' } });
const good = await log.exportJsonl();
const tampered = good.replace('web.fetch', 'web.fetcH');

function run(argv: string[], files: Record<string, string | Uint8Array> = {}) {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: (t: string) => void (stdout += t),
    stderr: { write: (t: string) => (stderr += t) },
    readFile: async (path: string) => {
      if (!(path in files)) throw new Error(`ENOENT ${path}`);
      return files[path];
    },
  };
  return auditVerifyCommand(argv, io).then((code) => ({ code, stdout, stderr }));
}

describe('agentos audit verify', () => {
  it('exits 0 for a valid log checked against a trusted key given inline', async () => {
    const r = await run(['verify', 'log.jsonl', '--key', formatPublicKey(signer.publicKey)], { 'log.jsonl': good });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid: 2 entries');
    expect(r.stdout).toContain('trusted key');
  });

  it('reads the key from a file when --key is not a key itself', async () => {
    const r = await run(['verify', 'log.jsonl', '--key', 'pub.key', '--json'], {
      'log.jsonl': new TextEncoder().encode(good),
      'pub.key': formatPublicKey(signer.publicKey) + '\n',
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: true, entries: 2, keySource: 'trusted' });
  });

  it('exits 1 with the stable reason for a tampered log', async () => {
    const r = await run(['verify', 'log.jsonl', '--json'], { 'log.jsonl': tampered });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ valid: false, code: 'head-mismatch', line: 3 });
    const human = await run(['verify', 'log.jsonl'], { 'log.jsonl': tampered });
    expect(human.stderr).toMatch(/^invalid \(head-mismatch\) at line 3/);
  });

  it('exits 2 with not-found for a missing file and invalid-argument for bad usage', async () => {
    expect(await run(['verify', 'missing.jsonl'])).toMatchObject({ code: 2, stderr: expect.stringContaining('error not-found') });
    expect(await run(['verify'])).toMatchObject({ code: 2, stderr: expect.stringContaining('error invalid-argument') });
    expect(await run(['verify', 'a', '--frobnicate'])).toMatchObject({ code: 2 });
    const badKey = await run(['verify', 'log.jsonl', '--key', 'nope', '--json'], { 'log.jsonl': good, nope: 'xyz' });
    expect(badKey.code).toBe(2);
    expect(JSON.parse(badKey.stdout).error.code).toBe('invalid-argument');
  });
});
