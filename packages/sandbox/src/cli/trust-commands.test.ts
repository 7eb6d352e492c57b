/**
 * The trust commands end to end, in-process through `main`: keygen → sign →
 * verify → publish, on the echo example tool (its describe() runs in the sandbox).
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFixture } from '../../../../test/fixtures/index.ts';
import { tempCli, type CliRun } from './test-io.ts';

let dir: string;
let run: (...argv: string[]) => Promise<CliRun>;

beforeAll(async () => {
  ({ dir, run } = await tempCli('agentos-trust-cli-'));
  await writeFile(join(dir, 'echo.wasm'), (await buildFixture('echo')).bytes);
  expect((await run('keygen', '-o', 'key.json')).code).toBe(0);
  expect((await run('keygen', '-o', 'other.json')).code).toBe(0);
}, 60_000);

describe('agentos keygen', () => {
  it('writes an agentos-key/1 file readable only by its owner, and never overwrites one', async () => {
    const key = JSON.parse(await readFile(join(dir, 'key.json'), 'utf8'));
    expect(key).toMatchObject({ format: 'agentos-key/1', publicKey: { kty: 'OKP', crv: 'Ed25519' }, privateKey: { kty: 'OKP', crv: 'Ed25519' } });
    expect((await stat(join(dir, 'key.json'))).mode & 0o777).toBe(0o600);
    const again = await run('keygen', '-o', 'key.json', '--json');
    expect(again.code).toBe(1);
    expect(again.json.error.code).toBe('illegal-state');
    expect(JSON.parse(await readFile(join(dir, 'key.json'), 'utf8')).kid).toBe(key.kid);
    expect((await run('keygen')).code).toBe(2);
  });
});

describe('agentos sign, verify and publish', () => {
  it("signs with fields from the component's describe() and its imports", async () => {
    const signed = await run('sign', 'echo.wasm', '--key', 'key.json', '-o', 'echo.manifest.json', '--json');
    expect(signed.code).toBe(0);
    const file = JSON.parse(await readFile(join(dir, 'echo.manifest.json'), 'utf8'));
    expect(file.manifest).toMatchObject({
      name: 'echo', version: '1.0.0', description: 'Returns its JSON input unchanged.', world: 'agentos:runtime/tool@0.1.0',
      inputSchema: {}, outputSchema: {}, capabilities: ['log'], component: { sha256: signed.json.sha256 },
    });
    const verified = await run('verify', 'echo.wasm', 'echo.manifest.json', '--json');
    expect([verified.code, verified.json.ok, verified.json.sha256]).toEqual([0, true, signed.json.sha256]);
  }, 60_000);

  it('signs without running the component when --manifest gives every field', async () => {
    await writeFile(join(dir, 'fields.json'), JSON.stringify({
      name: 'echo', version: '1.1.0', description: 'Echoes.', world: 'agentos:runtime/tool@0.1.0', inputSchema: {}, outputSchema: {}, capabilities: [],
    }));
    // Not a component at all: describe() would fail, so success proves it was not called.
    await writeFile(join(dir, 'blob.bin'), 'not wasm');
    const signed = await run('sign', 'blob.bin', '--key', 'key.json', '--manifest', 'fields.json', '--json');
    expect(signed.code).toBe(0);
    expect(signed.json.file).toBe(join(dir, 'blob.bin.manifest.json'));
    expect((await run('verify', 'blob.bin', 'blob.bin.manifest.json')).code).toBe(0);
  });

  it('exits 1 with hash-mismatch for another component and signature-invalid for an edited manifest', async () => {
    await writeFile(join(dir, 'fields2.json'), JSON.stringify({
      name: 'echo', version: '1.2.0', description: 'Echoes.', world: 'agentos:runtime/tool@0.1.0', inputSchema: {}, outputSchema: {}, capabilities: [],
    }));
    await writeFile(join(dir, 'a.bin'), 'component a');
    await writeFile(join(dir, 'b.bin'), 'component b');
    expect((await run('sign', 'a.bin', '--key', 'key.json', '--manifest', 'fields2.json', '-o', 'a.json')).code).toBe(0);
    const replaced = await run('verify', 'b.bin', 'a.json', '--json');
    expect([replaced.code, replaced.json.error.code]).toEqual([1, 'hash-mismatch']);
    const text = await readFile(join(dir, 'a.json'), 'utf8');
    await writeFile(join(dir, 'edited.json'), text.replace('"Echoes."', '"Echoes!"'));
    const edited = await run('verify', 'a.bin', 'edited.json');
    expect(edited.code).toBe(1);
    expect(edited.err).toContain('signature-invalid');
    const other = JSON.parse(await readFile(join(dir, 'other.json'), 'utf8'));
    // `--key=…`: a base64url key may start with '-', which as a separate argument would read as a flag.
    const wrongKey = await run('verify', 'a.bin', 'a.json', `--key=${other.publicKey.x}`, '--json');
    expect([wrongKey.code, wrongKey.json.error.code]).toEqual([1, 'signature-invalid']);
    expect((await run('verify', 'a.bin', 'a.json', '--key', 'key.json')).code).toBe(0);
    expect((await run('verify', 'a.bin')).code).toBe(2);
    expect((await run('verify', 'missing.bin', 'a.json', '--json')).json.error.code).toBe('not-found');
  });

  it('publishes into a registry folder, idempotently, and refuses another key for the name', async () => {
    await writeFile(join(dir, 'fields3.json'), JSON.stringify({
      name: 'pub-tool', version: '0.1.0', description: 'Published.', world: 'agentos:runtime/tool@0.1.0', inputSchema: {}, outputSchema: {}, capabilities: [],
    }));
    await writeFile(join(dir, 'p.bin'), 'component p');
    expect((await run('sign', 'p.bin', '--key', 'key.json', '--manifest', 'fields3.json', '-o', 'p.json')).code).toBe(0);
    const first = await run('publish', 'p.bin', 'p.json', '--json');
    expect(first.json).toMatchObject({ ok: true, name: 'pub-tool', version: '0.1.0', registry: join(dir, '.agentos/registry') });
    expect((await run('publish', 'p.bin', 'p.json')).code).toBe(0);
    expect((await run('sign', 'p.bin', '--key', 'other.json', '--manifest', 'p.json', '-o', 'p-other.json')).code).toBe(0);
    const stranger = await run('publish', 'p.bin', 'p-other.json', '--json');
    expect([stranger.code, stranger.json.error.code]).toEqual([1, 'key-changed']);
    const audit = (await readFile(join(dir, '.agentos/registry/audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(audit.map((e) => [e.kind, e.data.outcome])).toEqual([['registry.publish', 'published'], ['registry.publish', 'unchanged'], ['registry.publish', 'key-changed']]);
    const { FolderStore } = await import('@agentos/node');
    const { Registry } = await import('@agentos/core');
    const registry = new Registry({ store: new FolderStore({ dir: join(dir, '.agentos/registry/store') }) });
    expect((await registry.resolve('pub-tool', '^0.1')).version).toBe('0.1.0');
  });
});
