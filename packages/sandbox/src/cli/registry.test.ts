/**
 * `agentos registry list|resolve|fetch|yank`, in-process through `main`, on a
 * registry folder filled by `agentos publish` (manifests signed with --manifest
 * fields, so no component has to run).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempCli, type CliRun } from './test-io.ts';

let dir: string;
let run: (...argv: string[]) => Promise<CliRun>;

/** Signs `<name>-<version>.bin` with `key` and publishes it. */
async function publish(name: string, version: string, key = 'key.json') {
  const base = `${name}-${version}`;
  await writeFile(join(dir, `${base}.fields.json`), JSON.stringify({
    name, version, description: `The ${name} tool.`, world: 'agentos:runtime/tool@0.1.0', inputSchema: {}, outputSchema: {}, capabilities: [],
  }));
  await writeFile(join(dir, `${base}.bin`), `component ${base}`);
  expect((await run('sign', `${base}.bin`, '--key', key, '--manifest', `${base}.fields.json`, '-o', `${base}.manifest.json`)).code).toBe(0);
  expect((await run('publish', `${base}.bin`, `${base}.manifest.json`)).code).toBe(0);
}

beforeAll(async () => {
  ({ dir, run } = await tempCli('agentos-registry-cli-'));
  expect((await run('keygen', '-o', 'key.json')).code).toBe(0);
  expect((await run('keygen', '-o', 'other.json')).code).toBe(0);
  for (const version of ['1.0.0', '1.1.0', '2.0.0']) await publish('word-count', version);
  await publish('echo', '0.1.0', 'other.json');
}, 60_000);

describe('agentos registry list', () => {
  it('lists every tool with its owner key and versions in version order', async () => {
    const key = JSON.parse(await readFile(join(dir, 'key.json'), 'utf8'));
    const listed = await run('registry', 'list', '--json');
    expect(listed.code).toBe(0);
    expect(listed.json.registry).toBe(join(dir, '.agentos/registry'));
    expect(listed.json.tools.map((t: { name: string }) => t.name)).toEqual(['echo', 'word-count']);
    const wordCount = listed.json.tools[1];
    expect(wordCount.owner.keyId).toBe(key.kid);
    expect(wordCount.versions.map((v: { version: string }) => v.version)).toEqual(['1.0.0', '1.1.0', '2.0.0']);
    expect(wordCount.versions[0]).toMatchObject({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), size: 'component word-count-1.0.0'.length });
    const text = await run('registry', 'list');
    expect(text.out).toMatch(/word-count\s+1\.1\.0\s+[0-9a-f]{16}/);
  });

  it('fails with not-found, creating nothing, when the registry folder does not exist', async () => {
    const missing = await run('registry', 'list', '--registry', 'nowhere', '--json');
    expect([missing.code, missing.json.ok, missing.json.error.code]).toEqual([1, false, 'not-found']);
    await expect(readFile(join(dir, 'nowhere', 'store', 'index.json'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('agentos registry resolve', () => {
  it('resolves the highest version in a range, also one typed without quotes', async () => {
    const caret = await run('registry', 'resolve', 'word-count', '^1', '--json');
    expect([caret.code, caret.json.version, caret.json.range]).toEqual([0, '1.1.0', '^1']);
    const spaced = await run('registry', 'resolve', 'word-count', '>=1.0.0', '<1.1.0', '--json');
    expect([spaced.json.version, spaced.json.range]).toEqual(['1.0.0', '>=1.0.0 <1.1.0']);
    expect((await run('registry', 'resolve', 'word-count', '--json')).json.version).toBe('2.0.0');
  });

  it('fails with not-found for an unknown tool or an unmatched range, invalid-argument for a bad range', async () => {
    expect((await run('registry', 'resolve', 'nope', '*', '--json')).json.error.code).toBe('not-found');
    const unmatched = await run('registry', 'resolve', 'word-count', '^3');
    expect(unmatched.code).toBe(1);
    expect(unmatched.err).toContain('not-found');
    expect((await run('registry', 'resolve', 'word-count', '^^1', '--json')).json.error.code).toBe('invalid-argument');
  });
});

describe('agentos registry fetch', () => {
  it('writes the verified component and its manifest, which agentos verify accepts', async () => {
    const fetched = await run('registry', 'fetch', 'word-count', '1.1.0', '-o', 'wc.bin', '--json');
    expect(fetched.json).toMatchObject({ ok: true, version: '1.1.0', yanked: null, file: join(dir, 'wc.bin'), manifest: join(dir, 'wc.bin.manifest.json') });
    expect(await readFile(join(dir, 'wc.bin'), 'utf8')).toBe('component word-count-1.1.0');
    expect(await readFile(join(dir, 'wc.bin.manifest.json'), 'utf8')).toBe(await readFile(join(dir, 'word-count-1.1.0.manifest.json'), 'utf8'));
    expect((await run('verify', 'wc.bin', 'wc.bin.manifest.json', '--key', 'key.json')).code).toBe(0);
  });

  it('never replaces an existing file without --force', async () => {
    await writeFile(join(dir, 'keep.bin'), 'mine');
    const refused = await run('registry', 'fetch', 'word-count', '1.0.0', '-o', 'keep.bin', '--json');
    expect([refused.code, refused.json.error.code]).toEqual([1, 'illegal-state']);
    expect(await readFile(join(dir, 'keep.bin'), 'utf8')).toBe('mine');
    await expect(readFile(join(dir, 'keep.bin.manifest.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect((await run('registry', 'fetch', 'word-count', '1.0.0', '-o', 'keep.bin', '--force')).code).toBe(0);
    expect(await readFile(join(dir, 'keep.bin'), 'utf8')).toBe('component word-count-1.0.0');
  });

  it('fails with hash-mismatch when the stored component was replaced, and not-found for a missing version', async () => {
    const { FolderStore } = await import('@agentos/node');
    const copy = join(dir, 'tampered');
    // A second registry holding the same tool, whose blob is then swapped through the store API.
    expect((await run('publish', 'echo-0.1.0.bin', 'echo-0.1.0.manifest.json', '--registry', 'tampered')).code).toBe(0);
    const store = new FolderStore({ dir: join(copy, 'store') });
    const blob = (await store.list({ prefix: 'registry/blobs/' })).keys[0].key;
    await store.put(blob, new TextEncoder().encode('swapped component'));
    const fetched = await run('registry', 'fetch', 'echo', '0.1.0', '-o', 'x.bin', '--registry', 'tampered', '--json');
    expect([fetched.code, fetched.json.error.code]).toEqual([1, 'hash-mismatch']);
    expect((await run('registry', 'fetch', 'echo', '9.9.9', '-o', 'y.bin', '--json')).json.error.code).toBe('not-found');
  });
});

describe('agentos registry yank', () => {
  it('lets only the owning key yank; resolve then skips the version, fetch still serves it, --undo restores it', async () => {
    const other = await run('registry', 'yank', 'word-count', '2.0.0', '--key', 'other.json', '--json');
    expect([other.code, other.json.error.code]).toEqual([1, 'capability-denied']);
    expect((await run('registry', 'resolve', 'word-count', '--json')).json.version).toBe('2.0.0');

    const yanked = await run('registry', 'yank', 'word-count', '2.0.0', '--key', 'key.json', '--reason', 'broken output', '--json');
    expect(yanked.json).toMatchObject({ ok: true, yanked: { reason: 'broken output' } });
    expect((await run('registry', 'resolve', 'word-count', '--json')).json.version).toBe('1.1.0');
    expect((await run('registry', 'resolve', 'word-count', '2.0.0', '--json')).json.error.code).toBe('not-found');
    const fetched = await run('registry', 'fetch', 'word-count', '2.0.0', '-o', 'old.bin');
    expect([fetched.code, fetched.err]).toEqual([0, expect.stringContaining('yanked (broken output)')]);
    expect((await run('registry', 'list')).out).toContain('yanked: broken output');

    expect((await run('registry', 'yank', 'word-count', '2.0.0', '--key', 'key.json', '--undo', '--json')).json.yanked).toBeNull();
    expect((await run('registry', 'resolve', 'word-count', '--json')).json.version).toBe('2.0.0');

    const audit = (await readFile(join(dir, '.agentos/registry/audit.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    const key = JSON.parse(await readFile(join(dir, 'key.json'), 'utf8'));
    expect(audit.filter((e) => e.kind === 'registry.yank').map((e) => [e.keyId, e.data.yanked])).toEqual([[key.kid, true], [key.kid, false]]);
  });

  it('fails with not-found for an unknown version and invalid-argument for a file that is not a key', async () => {
    expect((await run('registry', 'yank', 'word-count', '7.0.0', '--key', 'key.json', '--json')).json.error.code).toBe('not-found');
    expect((await run('registry', 'yank', 'word-count', '1.0.0', '--key', 'word-count-1.0.0.bin', '--json')).json.error.code).toBe('invalid-argument');
  });
});

describe('agentos registry usage', () => {
  it('exits 2 for a missing or unknown subcommand, a flag of another subcommand, or a missing required flag', async () => {
    expect((await run('registry')).code).toBe(2);
    expect((await run('registry', 'publish')).code).toBe(2);
    expect((await run('registry', 'list', '--key', 'key.json')).code).toBe(2);
    expect((await run('registry', 'fetch', 'word-count', '1.0.0')).code).toBe(2);
    expect((await run('registry', 'yank', 'word-count', '1.0.0')).code).toBe(2);
    expect((await run('registry', '--help')).out).toContain('Usage: agentos registry');
  });
});
