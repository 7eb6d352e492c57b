import { describe, expect, it } from 'vitest';
import { AuditLog } from './audit-log.ts';
import { generateAuditSigner } from './signer.ts';
import { verifyAuditLog } from './verify.ts';
import { canonicalize } from './canonical-json.ts';
import { genesisHead } from './format.ts';
import { fromHex, sha256, toHex } from './sha256.ts';

const { signer } = await generateAuditSigner();
const { signer: otherSigner } = await generateAuditSigner();

async function exportLog(options: { entries: number; every: number; logId?: string; key?: typeof signer }) {
  let t = 1_700_000_000_000;
  const log = new AuditLog({ signer: options.key ?? signer, checkpointEvery: options.every, logId: options.logId, now: () => t++ });
  for (let i = 1; i <= options.entries; i++) log.append({ kind: 'tool.call', data: { i, tool: 'web.fetch', ok: i % 2 === 0 } });
  return { log, text: await log.exportJsonl() };
}

const lines = (text: string) => text.slice(0, -1).split('\n');
const join = (ls: string[]) => ls.join('\n') + '\n';
const trusted = { publicKey: signer.publicKey };

describe('verifyAuditLog', () => {
  it('accepts an untouched log', async () => {
    const { text, log } = await exportLog({ entries: 6, every: 2 });
    expect(await verifyAuditLog(text, trusted)).toMatchObject({ valid: true, entries: 6, head: log.head(), logId: log.logId });
  });

  it('detects every single-bit flip anywhere in an exported log', async () => {
    const { text } = await exportLog({ entries: 3, every: 2 });
    const bytes = new TextEncoder().encode(text);
    const decoder = new TextDecoder();
    const undetected: number[] = [];
    for (let bit = 0; bit < bytes.length * 8; bit++) {
      const flipped = bytes.slice();
      flipped[bit >> 3] ^= 1 << (bit & 7);
      const result = await verifyAuditLog(decoder.decode(flipped), trusted);
      if (result.valid) undetected.push(bit);
    }
    expect(bytes.length * 8).toBeGreaterThan(8000);
    expect(undetected).toEqual([]);
  });

  it('detects a deleted entry', async () => {
    const { text } = await exportLog({ entries: 5, every: 10 });
    const ls = lines(text);
    ls.splice(2, 1);
    expect(await verifyAuditLog(join(ls), trusted)).toMatchObject({ valid: false, code: 'seq-mismatch', line: 3 });
  });

  it('detects a deleted entry even when the later seqs, heads and checkpoint head are rewritten', async () => {
    const { text } = await exportLog({ entries: 4, every: 10 });
    const ls = lines(text);
    ls.splice(2, 1); // drop entry 2
    // Without the private key an attacker can renumber and rehash everything but cannot re-sign.
    let head = toHex(genesisHead(ls[0]));
    const forged = [ls[0]];
    let seq = 0;
    for (const line of ls.slice(1)) {
      const parsed = JSON.parse(line);
      if (parsed.type === 'entry') {
        parsed.entry.seq = ++seq;
        const leaf = sha256(new Uint8Array([0, ...new TextEncoder().encode(canonicalize(parsed.entry))]));
        head = toHex(sha256(new Uint8Array([1, ...fromHex(head), ...leaf])));
        parsed.head = head;
      } else {
        parsed.checkpoint.seq = seq;
        parsed.checkpoint.head = head;
      }
      forged.push(canonicalize(parsed));
    }
    expect(await verifyAuditLog(join(forged), trusted)).toMatchObject({ valid: false, code: 'bad-signature' });
  });

  it('detects reordered entries', async () => {
    const { text } = await exportLog({ entries: 5, every: 10 });
    const ls = lines(text);
    [ls[2], ls[3]] = [ls[3], ls[2]];
    expect(await verifyAuditLog(join(ls), trusted)).toMatchObject({ valid: false, code: 'seq-mismatch', line: 3 });
  });

  it('detects a duplicated entry', async () => {
    const { text } = await exportLog({ entries: 5, every: 10 });
    const ls = lines(text);
    ls.splice(3, 0, ls[2]);
    expect(await verifyAuditLog(join(ls), trusted)).toMatchObject({ valid: false, code: 'seq-mismatch', line: 4 });
  });

  it('detects an entry spliced in from another log signed with the same key', async () => {
    const a = await exportLog({ entries: 5, every: 10, logId: 'log-a' });
    const b = await exportLog({ entries: 5, every: 10, logId: 'log-b' });
    const ls = lines(a.text);
    ls[3] = lines(b.text)[3]; // same seq (3), other log
    expect(await verifyAuditLog(join(ls), trusted)).toMatchObject({ valid: false, code: 'head-mismatch', line: 4 });
  });

  it('detects a whole other log presented with this log header', async () => {
    const a = await exportLog({ entries: 3, every: 10, logId: 'log-a' });
    const b = await exportLog({ entries: 3, every: 10, logId: 'log-b' });
    const spliced = join([lines(a.text)[0], ...lines(b.text).slice(1)]);
    expect(await verifyAuditLog(spliced, trusted)).toMatchObject({ valid: false, code: 'head-mismatch', line: 2 });
  });

  it('detects truncation when a newer checkpoint survives', async () => {
    const { text } = await exportLog({ entries: 6, every: 3 });
    const ls = lines(text);
    // header, e1, e2, e3, cp3, e4, e5, e6, cp6: drop e5 and e6 but keep cp6.
    const cut = [...ls.slice(0, 6), ls[8]];
    expect(await verifyAuditLog(join(cut), trusted)).toMatchObject({ valid: false, code: 'truncated', line: 7 });
  });

  it('detects truncation of an unsealed tail', async () => {
    const { text } = await exportLog({ entries: 6, every: 3 });
    const cut = lines(text).slice(0, 7); // ends after e5, with no checkpoint covering e4, e5
    expect(await verifyAuditLog(join(cut), trusted)).toMatchObject({ valid: false, code: 'unsealed' });
    expect(await verifyAuditLog(join(cut), { ...trusted, allowUnsealed: true })).toMatchObject({ valid: true, entries: 5 });
  });

  it('detects truncation at a checkpoint boundary against a checkpoint known from elsewhere', async () => {
    const { text, log } = await exportLog({ entries: 6, every: 3 });
    const cut = join(lines(text).slice(0, 5)); // header, e1..e3, cp3: internally consistent
    expect(await verifyAuditLog(cut, trusted)).toMatchObject({ valid: true, entries: 3 });
    const known = { seq: 6, head: log.head(6) };
    expect(await verifyAuditLog(cut, { ...trusted, expect: known })).toMatchObject({ valid: false, code: 'truncated' });
    expect(await verifyAuditLog(text, { ...trusted, expect: known })).toMatchObject({ valid: true });
  });

  it('detects a log re-signed with a key other than the trusted one', async () => {
    const { text } = await exportLog({ entries: 2, every: 10, key: otherSigner });
    expect(await verifyAuditLog(text)).toMatchObject({ valid: true, keySource: 'header' });
    expect(await verifyAuditLog(text, trusted)).toMatchObject({ valid: false, code: 'unknown-key', line: 1 });
  });

  it('detects a checkpoint signature copied from another log with the same key and head position', async () => {
    const a = await exportLog({ entries: 2, every: 10, logId: 'log-a' });
    const b = await exportLog({ entries: 2, every: 10, logId: 'log-b' });
    const ls = lines(a.text);
    const cp = JSON.parse(ls[3]);
    cp.checkpoint.signature = JSON.parse(lines(b.text)[3]).checkpoint.signature;
    ls[3] = JSON.stringify({ checkpoint: cp.checkpoint, type: 'checkpoint' });
    expect(await verifyAuditLog(join(ls), trusted)).toMatchObject({ valid: false, code: 'bad-signature', line: 4 });
  });

  it('refuses lines that are valid JSON but not canonical', async () => {
    const { text } = await exportLog({ entries: 1, every: 10 });
    const ls = lines(text);
    ls[1] = ls[1].replace('{"entry"', '{ "entry"');
    expect(await verifyAuditLog(join(ls), trusted)).toMatchObject({ valid: false, code: 'not-canonical', line: 2 });
  });

  it('rejects a malformed trusted key up front', async () => {
    await expect(verifyAuditLog('', { publicKey: 'not a key' })).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});
