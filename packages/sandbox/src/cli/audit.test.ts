import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog, formatPublicKey, generateAuditSigner } from '@agentos/core';
import { main } from './main.ts';
import { recordingIo } from './test-io.ts';

async function exportedLog() {
  const { signer } = await generateAuditSigner();
  const log = new AuditLog({ signer, checkpointEvery: 2 });
  for (let i = 0; i < 5; i++) log.append({ kind: 'capability-call', data: { agent: 'a1', n: i } });
  return { jsonl: await log.exportJsonl(), publicKey: formatPublicKey(signer.publicKey) };
}

describe('agentos audit verify', () => {
  it('exits 0 for an intact log checked against its key', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agentos-audit-'));
    const { jsonl, publicKey } = await exportedLog();
    await writeFile(join(dir, 'log.jsonl'), jsonl);
    const io = recordingIo(dir);
    expect(await main(['audit', 'verify', 'log.jsonl', '--key', publicKey, '--json'], io)).toBe(0);
    expect(JSON.parse(io.out.join('')).valid).toBe(true);
  });

  it('exits 1 with a stable code when an entry was altered', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agentos-audit-'));
    const { jsonl, publicKey } = await exportedLog();
    await writeFile(join(dir, 'log.jsonl'), jsonl.replace('"n":3', '"n":4'));
    const io = recordingIo(dir);
    expect(await main(['audit', 'verify', 'log.jsonl', '--key', publicKey, '--json'], io)).toBe(1);
    const result = JSON.parse(io.out.join(''));
    expect(result.valid).toBe(false);
    expect(typeof result.code).toBe('string');
  });

  it('exits 2 with not-found for a missing file', async () => {
    const io = recordingIo(tmpdir());
    expect(await main(['audit', 'verify', 'no-such-log.jsonl'], io)).toBe(2);
    expect(io.err.join('')).toContain('not-found');
  });
});
