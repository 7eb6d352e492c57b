import { describe, expect, it } from 'vitest';
import { AuditLog } from './audit-log.ts';
import { generateAuditSigner, type AuditSigner } from './signer.ts';
import { verifyAuditLog } from './verify.ts';

const { signer } = await generateAuditSigner();

function clock(start = 1_700_000_000_000) {
  let t = start;
  return () => t++;
}

describe('AuditLog', () => {
  it('assigns consecutive seqs and moves the head with every entry', () => {
    const log = new AuditLog({ signer, now: clock() });
    const genesis = log.head();
    expect(log.append({ kind: 'a' })).toBe(1);
    const first = log.head();
    expect(log.append({ kind: 'b', data: { x: 1 } })).toBe(2);
    expect(new Set([genesis, first, log.head()]).size).toBe(3);
    expect(log.head(1)).toBe(first);
    expect(log.entry(2)).toEqual({ seq: 2, at: 1_700_000_000_002, kind: 'b', data: { x: 1 } });
  });

  it('computes head(n) = SHA-256(0x01 || head(n-1) || SHA-256(0x00 || JCS(entry)))', async () => {
    const log = new AuditLog({ signer, now: clock() });
    log.append({ kind: 'k', data: { b: 2, a: 'é' }, at: 5 });
    const entry = new TextEncoder().encode('{"at":5,"data":{"a":"é","b":2},"kind":"k","seq":1}');
    const leaf = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array([0, ...entry])));
    const prev = Uint8Array.from(log.head(0).match(/../g)!, (h) => parseInt(h, 16));
    const head = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array([1, ...prev, ...leaf])));
    expect(log.head(1)).toBe([...head].map((b) => b.toString(16).padStart(2, '0')).join(''));
  });

  it('keeps what was appended even if the caller mutates the object afterwards', async () => {
    const log = new AuditLog({ signer, now: clock() });
    const data = { amount: 10 };
    log.append({ kind: 'pay', data });
    data.amount = 1_000_000;
    expect(log.entry(1).data).toEqual({ amount: 10 });
    expect(await log.exportJsonl()).toContain('"amount":10');
  });

  it('signs a checkpoint every `checkpointEvery` entries in the background', async () => {
    const log = new AuditLog({ signer, checkpointEvery: 3, now: clock() });
    for (let i = 0; i < 7; i++) log.append({ kind: 'tick', data: i });
    await log.flush();
    expect(log.checkpoints.map((c) => c.seq)).toEqual([3, 6]);
    expect(log.checkpoints[1].head).toBe(log.head(6));
    expect(log.checkpoints[0].keyId).toBe(signer.keyId);
  });

  it('exports a log sealed by a checkpoint of the latest head, which verifies', async () => {
    const log = new AuditLog({ signer, checkpointEvery: 2, now: clock() });
    for (let i = 0; i < 5; i++) log.append({ kind: 'tick', data: { i } });
    const text = await log.exportJsonl();
    const lines = text.trim().split('\n').map((l) => JSON.parse(l).type);
    expect(lines).toEqual(['header', 'entry', 'entry', 'checkpoint', 'entry', 'entry', 'checkpoint', 'entry', 'checkpoint']);
    const result = await verifyAuditLog(text, { publicKey: signer.publicKey });
    expect(result).toMatchObject({ valid: true, entries: 5, checkpoints: 3, head: log.head(), keySource: 'trusted' });
  });

  it('exports and verifies an empty log', async () => {
    const log = new AuditLog({ signer, now: clock() });
    const result = await verifyAuditLog(await log.exportJsonl(), { publicKey: signer.publicKey });
    expect(result).toMatchObject({ valid: true, entries: 0, checkpoints: 1 });
  });

  it('refuses an event without a kind or with data that has no canonical form, appending nothing', () => {
    const log = new AuditLog({ signer, now: clock() });
    expect(() => log.append({ kind: '' })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => log.append({ kind: 'x', data: { n: NaN } })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(log.length).toBe(0);
  });

  it('surfaces a signer failure from flush and export', async () => {
    const failing: AuditSigner = { ...signer, sign: () => Promise.reject(new Error('hsm offline')) };
    const log = new AuditLog({ signer: failing, checkpointEvery: 1, now: clock() });
    log.append({ kind: 'x' });
    await expect(log.flush()).rejects.toThrow('hsm offline');
    await expect(log.exportJsonl()).rejects.toThrow('hsm offline');
  });

  it('refuses a checkpoint interval that is not a positive integer', () => {
    expect(() => new AuditLog({ signer, checkpointEvery: 0 })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });

  it('keeps entries across storage chunks, one larger than a chunk included, and they read back and verify', async () => {
    const log = new AuditLog({ signer, checkpointEvery: 100, now: clock() });
    const big = 'é€'.repeat(400_000); // 2 MB of UTF-8, beyond the largest chunk
    for (let i = 1; i <= 400; i++) log.append({ kind: 'tick', data: i === 250 ? { big } : { i, note: 'x'.repeat(i % 97), at: `t${i}` } });
    expect(log.entry(1)).toEqual({ seq: 1, at: 1_700_000_000_001, kind: 'tick', data: { i: 1, note: 'x', at: 't1' } });
    expect(log.entry(250).data).toEqual({ big });
    expect(log.entry(400).data).toMatchObject({ i: 400 });
    const result = await verifyAuditLog(await log.exportJsonl(), { publicKey: signer.publicKey });
    expect(result).toMatchObject({ valid: true, entries: 400, head: log.head() });
  });
});
