import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../audit/index.ts';
import { MemoryStore } from '../store/index.ts';
import { generateKeyFile, type KeyFile, type ManifestFields, signerFromKeyFile, signManifest } from '../trust/index.ts';
import { Registry } from './registry.ts';

const FIELDS: ManifestFields = {
  name: 'echo',
  version: '1.0.0',
  description: 'Returns its JSON input unchanged.',
  world: 'agentos:runtime/tool@0.1.0',
  inputSchema: {},
  outputSchema: {},
  capabilities: ['log'],
};

async function tool(key: KeyFile, version: string, fields: Partial<ManifestFields> = {}) {
  const component = new TextEncoder().encode(`echo ${version}`);
  const signed = await signManifest({ fields: { ...FIELDS, ...fields, version }, component, signer: await signerFromKeyFile(key) });
  return { signed, component };
}

function registry(store = new MemoryStore()) {
  const events: AuditEvent[] = [];
  let clock = 0;
  return { registry: new Registry({ store, audit: (e) => void events.push(e), now: () => ++clock }), events, store };
}

async function publishAll(r: Registry, key: KeyFile, versions: string[]) {
  for (const v of versions) {
    const { signed, component } = await tool(key, v);
    await r.publish(signed, component);
  }
}

describe('Registry', () => {
  it('publishes, lists and fetches a tool, verified on the way out', async () => {
    const key = await generateKeyFile();
    const { registry: r } = registry();
    const { signed, component } = await tool(key, '1.0.0');
    const info = await r.publish(signed, component);
    expect(info).toMatchObject({ name: 'echo', version: '1.0.0', sha256: signed.manifest.component.sha256, size: component.length });
    expect(await r.list()).toEqual([{ name: 'echo', owner: { keyId: key.kid, publicKey: key.publicKey.x }, versions: [info] }]);
    const fetched = await r.fetch('echo', '1.0.0');
    expect(fetched.signed).toEqual(signed);
    expect(fetched.component).toEqual(component);
  });

  it('resolves ranges to the highest matching version', async () => {
    const key = await generateKeyFile();
    const { registry: r } = registry();
    await publishAll(r, key, ['1.0.0', '1.2.0', '1.10.1', '2.0.0-rc.1', '2.0.0', '2.3.0', '3.0.0-beta.1']);
    const table: [string, string][] = [['^1.0.0', '1.10.1'], ['~1.2', '1.2.0'], ['*', '2.3.0'], ['>=2.0.0-rc.1 <2.0.0', '2.0.0-rc.1'],
      ['1.x || ^3.0.0-beta', '3.0.0-beta.1'], ['<2', '1.10.1'], ['2.0.0', '2.0.0']];
    for (const [range, version] of table) expect((await r.resolve('echo', range)).version, range).toBe(version);
    await expect(r.resolve('echo', '^4')).rejects.toMatchObject({ code: 'not-found', details: { available: ['1.0.0', '1.2.0', '1.10.1', '2.0.0-rc.1', '2.0.0', '2.3.0', '3.0.0-beta.1'] } });
    await expect(r.resolve('nothing-here', '*')).rejects.toMatchObject({ code: 'not-found' });
    await expect(r.resolve('echo', '>>1')).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('skips yanked versions when resolving but still fetches them by exact version', async () => {
    const key = await generateKeyFile();
    const { registry: r, events } = registry();
    await publishAll(r, key, ['1.0.0', '1.1.0']);
    await r.yank('echo', '1.1.0', { reason: 'leaks input to logs' });
    expect((await r.resolve('echo', '^1.0.0')).version).toBe('1.0.0');
    await expect(r.resolve('echo', '1.1.0')).rejects.toMatchObject({ code: 'not-found' });
    const fetched = await r.fetch('echo', '1.1.0');
    expect(fetched.info.yanked).toMatchObject({ reason: 'leaks input to logs' });
    expect((await r.list())[0].versions.map((v) => [v.version, v.yanked !== undefined])).toEqual([['1.0.0', false], ['1.1.0', true]]);
    await r.yank('echo', '1.1.0', { yanked: false });
    expect((await r.resolve('echo', '^1.0.0')).version).toBe('1.1.0');
    expect(events.filter((e) => e.kind === 'registry.yank').map((e) => e.data)).toMatchObject([{ yanked: true }, { yanked: false }]);
    await expect(r.yank('echo', '9.9.9')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('audits every publish and resolution, refused ones included', async () => {
    const key = await generateKeyFile();
    const { registry: r, events } = registry();
    const { signed, component } = await tool(key, '1.0.0');
    await r.publish(signed, component);
    await r.publish(signed, component);
    await expect(r.publish(signed, component.subarray(1))).rejects.toMatchObject({ code: 'hash-mismatch' });
    await r.resolve('echo', '^1');
    await expect(r.resolve('echo', '^2')).rejects.toMatchObject({ code: 'not-found' });
    expect(events.map((e) => [e.kind, (e.data as { outcome: string }).outcome])).toEqual([
      ['registry.publish', 'published'], ['registry.publish', 'unchanged'], ['registry.publish', 'hash-mismatch'],
      ['registry.resolve', 'resolved'], ['registry.resolve', 'not-found'],
    ]);
    expect(events[3].data).toMatchObject({ name: 'echo', range: '^1', version: '1.0.0', sha256: signed.manifest.component.sha256 });
  });

  it('keeps versions immutable and names owned by their first key', async () => {
    const key = await generateKeyFile();
    const { registry: r } = registry();
    await publishAll(r, key, ['1.0.0']);
    const changed = await tool(key, '1.0.0', { description: 'Something else.' });
    await expect(r.publish(changed.signed, changed.component)).rejects.toMatchObject({ code: 'illegal-state' });
    const build = await tool(key, '1.0.0+build.2');
    await expect(r.publish(build.signed, build.component)).rejects.toMatchObject({ code: 'illegal-state' });
    const stranger = await tool(await generateKeyFile(), '1.0.1');
    await expect(r.publish(stranger.signed, stranger.component)).rejects.toMatchObject({ code: 'key-changed' });
    expect((await r.list())[0].versions.map((v) => v.version)).toEqual(['1.0.0']);
  });

  it('catches a tampered backend on fetch', async () => {
    const key = await generateKeyFile();
    const { registry: r, store } = registry();
    const { signed, component } = await tool(key, '1.0.0');
    await r.publish(signed, component);
    const blobKey = `registry/blobs/sha256/${signed.manifest.component.sha256}`;
    const blob = (await store.get(blobKey))!.value;
    blob[0] ^= 1;
    await store.put(blobKey, blob);
    await expect(r.fetch('echo', '1.0.0')).rejects.toMatchObject({ code: 'hash-mismatch' });
    const manifestKey = 'registry/manifests/echo/1.0.0';
    const file = new TextDecoder().decode((await store.get(manifestKey))!.value);
    await store.put(manifestKey, new TextEncoder().encode(file.replace('unchanged', 'changed!!')));
    await expect(r.fetch('echo', '1.0.0')).rejects.toMatchObject({ code: 'signature-invalid' });
  });

  it('keeps both versions when two publishes race', async () => {
    const key = await generateKeyFile();
    const { registry: r } = registry();
    const [a, b] = [await tool(key, '1.0.0'), await tool(key, '1.0.1')];
    await Promise.all([r.publish(a.signed, a.component), r.publish(b.signed, b.component)]);
    expect((await r.list())[0].versions.map((v) => v.version)).toEqual(['1.0.0', '1.0.1']);
  });
});
