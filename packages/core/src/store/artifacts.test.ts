import { describe, expect, it } from 'vitest';
import { parseArtifact } from '../bus/index.ts';
import { VirtualClock } from '../clock/index.ts';
import { sha256Hex } from './artifacts.ts';
import { MemoryStore } from './memory-store.ts';
import { Workspaces } from './workspace.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('Artifacts', () => {
  it('stores a blob with its content type and SHA-256, and reads it back verified', async () => {
    const ws = new Workspaces({ store: new MemoryStore(), clock: new VirtualClock({ start: 1234 }) }).for('a');
    const info = await ws.artifacts.put({ name: 'reports/q1.md', contentType: 'text/markdown; charset=utf-8', data: bytes('abc') });
    expect(info).toEqual({
      name: 'reports/q1.md', contentType: 'text/markdown; charset=utf-8', size: 3, createdAt: 1234,
      // FIPS 180-2 test vector for "abc".
      sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    });
    const found = await ws.artifacts.get('reports/q1.md');
    expect(found?.info).toEqual(info);
    expect(new TextDecoder().decode(found?.data)).toBe('abc');
    expect((await ws.artifacts.list()).map((a) => a.name)).toEqual(['reports/q1.md']);
    expect(await ws.artifacts.get('missing')).toBeUndefined();
  });

  it('refuses to serve bytes that no longer match the recorded digest', async () => {
    const store = new MemoryStore();
    const ws = new Workspaces({ store }).for('a');
    await ws.artifacts.put({ name: 'x', contentType: 'application/octet-stream', data: bytes('original') });
    await store.put('agent/a/artifacts/data/x', bytes('tampered'));
    // Digest first: an `await` inside the matcher's argument would leave the rejection unhandled meanwhile.
    const expected = await sha256Hex(bytes('original'));
    await expect(ws.artifacts.get('x')).rejects.toMatchObject({ code: 'internal', details: expect.objectContaining({ expected }) });
  });

  it('refuses bad names and content types before writing', async () => {
    const store = new MemoryStore();
    const ws = new Workspaces({ store }).for('a');
    await expect(ws.artifacts.put({ name: '../b', contentType: 'text/plain', data: bytes('x') })).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(ws.artifacts.put({ name: 'ok', contentType: 'not a type', data: bytes('x') })).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(store.size).toBe(0);
  });

  it('deletes metadata and bytes together', async () => {
    const store = new MemoryStore();
    const ws = new Workspaces({ store }).for('a');
    await ws.artifacts.put({ name: 'x', contentType: 'text/plain', data: bytes('x') });
    expect(await ws.artifacts.delete('x')).toBe(true);
    expect(await ws.artifacts.delete('x')).toBe(false);
    expect(store.size).toBe(0);
  });

  it('converts to a valid A2A artifact with the bytes inline', async () => {
    const ws = new Workspaces({ store: new MemoryStore() }).for('a');
    await ws.artifacts.put({ name: 'hello.txt', contentType: 'text/plain', data: bytes('hello') });
    const artifact = parseArtifact(await ws.artifacts.toA2A('hello.txt'));
    expect(artifact.parts).toEqual([{ kind: 'file', file: { name: 'hello.txt', mimeType: 'text/plain', bytes: 'aGVsbG8=' } }]);
    expect(artifact.artifactId).toBe(`sha256:${await sha256Hex(bytes('hello'))}`);
  });
});
