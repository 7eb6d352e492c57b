import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeStoreContract } from '../../../core/src/store/testing.ts';
import { FolderStore } from './folder-store.ts';

const temp = () => mkdtemp(join(tmpdir(), 'agentos-folder-store-'));
const bytes = (text: string) => new TextEncoder().encode(text);

describeStoreContract('FolderStore', async () => new FolderStore({ dir: await temp() }));

describe('FolderStore', () => {
  it('keeps its data across instances, as another process would see it', async () => {
    const dir = await temp();
    const v = await new FolderStore({ dir }).put('registry/tools/echo', bytes('{"name":"echo"}'));
    const reopened = await new FolderStore({ dir }).get('registry/tools/echo');
    expect(reopened?.version).toBe(v);
    expect(new TextDecoder().decode(reopened?.value)).toBe('{"name":"echo"}');
  });

  it('stores equal values once and removes objects no key references', async () => {
    const dir = await temp();
    const store = new FolderStore({ dir });
    await store.batch([{ type: 'put', key: 'a', value: bytes('same') }, { type: 'put', key: 'b', value: bytes('same') }]);
    expect(await readdir(join(dir, 'objects'))).toHaveLength(1);
    await store.put('a', bytes('other'));
    await store.put('a', bytes('third'));
    expect(await readdir(join(dir, 'objects'))).toHaveLength(2);
    await store.delete('b');
    await store.delete('a');
    expect(await readdir(join(dir, 'objects'))).toHaveLength(0);
  });

  it('refuses to serve a value changed on disk', async () => {
    const dir = await temp();
    const store = new FolderStore({ dir });
    await store.put('k', bytes('original'));
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8'));
    await writeFile(join(dir, 'objects', index.keys.k.sha256), 'edited');
    await expect(store.get('k')).rejects.toMatchObject({ code: 'internal' });
  });

  it('waits for a held lock and fails with timeout when it is not released', async () => {
    const dir = await temp();
    const store = new FolderStore({ dir, lockTimeoutMs: 50 });
    await store.put('k', bytes('1'));
    await writeFile(join(dir, '.lock'), '');
    await expect(store.put('k', bytes('2'))).rejects.toMatchObject({ code: 'timeout' });
    expect(new TextDecoder().decode((await store.get('k'))?.value)).toBe('1');
  });

  it('serializes concurrent writers in one process without losing versions', async () => {
    const store = new FolderStore({ dir: await temp() });
    const versions = await Promise.all(Array.from({ length: 20 }, (_, i) => store.put(`k${i}`, bytes(String(i)))));
    expect(new Set(versions).size).toBe(20);
    expect((await store.list()).keys).toHaveLength(20);
  });
});
