import { describe, expect, it } from 'vitest';
import { MemoryStore } from './memory-store.ts';
import { listAll } from './store.ts';
import { getJson, putJson } from './json.ts';
import { Workspaces } from './workspace.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined): string | undefined => (value === undefined ? undefined : new TextDecoder().decode(value));

describe('Workspace namespaces', () => {
  it("keeps each agent's files under its own prefix and out of other agents' listings", async () => {
    const store = new MemoryStore();
    const spaces = new Workspaces({ store });
    await spaces.for('a').put('notes/x', bytes('from a'));
    await spaces.for('ab').put('notes/x', bytes('from ab'));
    await spaces.for('a').put('b/notes/x', bytes('a nested'));
    expect(text(await spaces.for('a').get('notes/x'))).toBe('from a');
    expect(text(await spaces.for('ab').get('notes/x'))).toBe('from ab');
    expect((await spaces.for('a').list()).entries.map((e) => e.path)).toEqual(['b/notes/x', 'notes/x']);
    expect((await spaces.for('ab').list()).entries.map((e) => e.path)).toEqual(['notes/x']);
    expect((await listAll(store)).map((k) => k.key)).toEqual(['agent/a/files/b/notes/x', 'agent/a/files/notes/x', 'agent/ab/files/notes/x']);
  });

  it.each([
    ['..', 'a parent segment'],
    ['../b/files/secret', 'a climb into a sibling'],
    ['notes/../../b/files/secret', 'a climb in the middle'],
    ['./x', 'a dot segment'],
    ['/agent/b/files/secret', 'an absolute path'],
    ['notes//x', 'an empty segment'],
    ['notes/', 'a trailing slash'],
    ['', 'the empty path'],
    ['..\\b', 'a backslash separator'],
    ['x\u0000y', 'a NUL'],
    ['x\ny', 'a newline'],
    ['\ud800', 'a lone surrogate'],
    ['a/'.repeat(40) + 'x', 'too many segments'],
  ])('refuses %j (%s) with invalid-argument on every operation', async (path) => {
    const spaces = new Workspaces({ store: new MemoryStore() });
    const ws = spaces.for('a');
    await expect(ws.put(path, bytes('x'))).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(ws.get(path)).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(ws.delete(path)).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(ws.batch([{ type: 'put', path: 'ok', value: bytes('1') }, { type: 'delete', path }])).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(await ws.get('ok')).toBeUndefined();
  });

  it('refuses agent ids that could reach into another namespace', () => {
    const spaces = new Workspaces({ store: new MemoryStore() });
    for (const agent of ['', '.', '..', 'a/b', 'a/../b', 'a\u0000', 'x\\y']) {
      expect(() => spaces.for(agent), JSON.stringify(agent)).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    }
  });

  it("cannot list or page into another agent's keys through prefix or cursor tricks", async () => {
    const store = new MemoryStore();
    const spaces = new Workspaces({ store });
    await spaces.for('b').put('secret', bytes('b only'));
    await spaces.for('a').put('z', bytes('mine'));
    const a = spaces.for('a');
    await expect(a.list({ prefix: '../' })).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(a.list({ prefix: '/' })).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(a.list({ cursor: '../../b/files/secret' })).rejects.toMatchObject({ code: 'invalid-argument' });
    // A cursor past every own key ends the listing instead of running on into the next namespace.
    expect((await a.list({ cursor: 'zzzz' })).entries).toEqual([]);
    expect((await a.list({ prefix: '' })).entries.map((e) => e.path)).toEqual(['z']);
  });

  it('pages through a listing with relative cursors', async () => {
    const ws = new Workspaces({ store: new MemoryStore() }).for('a');
    for (const name of ['d/1', 'd/2', 'd/3', 'e/1']) await ws.put(name, bytes(name));
    const first = await ws.list({ prefix: 'd/', limit: 2 });
    expect(first).toMatchObject({ entries: [{ path: 'd/1' }, { path: 'd/2' }], cursor: 'd/2' });
    const second = await ws.list({ prefix: 'd/', limit: 2, cursor: first.cursor });
    expect(second.entries.map((e) => e.path)).toEqual(['d/3']);
    expect(second.cursor).toBeUndefined();
  });

  it('stores JSON through the helpers', async () => {
    const ws = new Workspaces({ store: new MemoryStore() }).for('a');
    await putJson(ws, 'state.json', { step: 3, done: false });
    expect(await getJson(ws, 'state.json')).toEqual({ step: 3, done: false });
    expect(await getJson(ws, 'missing.json')).toBeUndefined();
    await ws.put('bad.json', bytes('{nope'));
    await expect(getJson(ws, 'bad.json')).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});

describe('Workspace batches', () => {
  it('compares and sets with the version from entry()', async () => {
    const ws = new Workspaces({ store: new MemoryStore() }).for('a');
    await ws.put('counter', bytes('1'));
    const seen = await ws.entry('counter');
    await ws.put('counter', bytes('2')); // a concurrent writer
    const stale = await ws.batch([{ type: 'put', path: 'counter', value: bytes('2b') }], { preconditions: [{ path: 'counter', version: seen!.version }] });
    expect(stale).toMatchObject({ ok: false, conflict: { path: 'counter', expected: seen!.version } });
    expect(text(await ws.get('counter'))).toBe('2');
    const fresh = await ws.entry('counter');
    const ok = await ws.batch([{ type: 'put', path: 'counter', value: bytes('3') }], { preconditions: [{ path: 'counter', version: fresh!.version }] });
    expect(ok.ok).toBe(true);
    expect(text(await ws.get('counter'))).toBe('3');
  });

  it('leaves nothing written when a batch fails its precondition', async () => {
    const ws = new Workspaces({ store: new MemoryStore() }).for('a');
    await ws.put('lock', bytes('held'));
    const result = await ws.batch(
      [{ type: 'put', path: 'a', value: bytes('1') }, { type: 'put', path: 'b', value: bytes('2') }, { type: 'delete', path: 'lock' }],
      { preconditions: [{ path: 'lock', version: null }] },
    );
    expect(result.ok).toBe(false);
    expect((await ws.list()).entries.map((e) => e.path)).toEqual(['lock']);
    expect(await ws.usage()).toMatchObject({ bytes: 4, keys: 1 });
  });

  it('notices writes made behind its back and still enforces preconditions', async () => {
    const store = new MemoryStore();
    const ws = new Workspaces({ store }).for('a');
    await ws.put('x', bytes('1'));
    const before = await ws.entry('x');
    await store.put('agent/a/files/x', bytes('changed elsewhere')); // e.g. another process on a shared backend
    const result = await ws.batch([{ type: 'put', path: 'x', value: bytes('2') }], { preconditions: [{ path: 'x', version: before!.version }] });
    expect(result.ok).toBe(false);
    await ws.put('x', bytes('3')); // an unguarded write recounts and succeeds
    expect(text(await ws.get('x'))).toBe('3');
    expect(await ws.usage()).toMatchObject({ bytes: 1, keys: 1 });
  });
});

describe('Workspace quotas', () => {
  it('refuses a write over the byte quota with quota-exceeded and writes nothing', async () => {
    const store = new MemoryStore();
    const ws = new Workspaces({ store, quota: { maxBytes: 10, maxKeys: 100 } }).for('a');
    await ws.put('a', bytes('123456'));
    await expect(ws.put('b', bytes('12345'))).rejects.toMatchObject({
      code: 'quota-exceeded', details: expect.objectContaining({ maxBytes: 10, bytes: 6, requestedBytes: 11 }),
    });
    expect(await ws.get('b')).toBeUndefined();
    await ws.put('a', bytes('1234567890')); // replacing counts the difference, not the sum
    expect(await ws.usage()).toMatchObject({ bytes: 10, keys: 1, quota: { maxBytes: 10, maxKeys: 100 } });
  });

  it('checks the whole batch before writing any of it', async () => {
    const store = new MemoryStore();
    const ws = new Workspaces({ store, quota: { maxBytes: 1000, maxKeys: 3 } }).for('a');
    await ws.put('keep', bytes('k'));
    const ops = ['n1', 'n2', 'n3'].map((path) => ({ type: 'put' as const, path, value: bytes('v') }));
    await expect(ws.batch(ops)).rejects.toMatchObject({ code: 'quota-exceeded' });
    expect(store.size).toBe(1);
    // Deleting in the same batch makes room.
    expect((await ws.batch([{ type: 'delete', path: 'keep' }, ...ops])).ok).toBe(true);
    expect(await ws.usage()).toMatchObject({ keys: 3 });
  });

  it('serializes concurrent writes so racing puts cannot overshoot the quota together', async () => {
    const ws = new Workspaces({ store: new MemoryStore(), quota: { maxBytes: 10, maxKeys: 100 } }).for('a');
    const results = await Promise.allSettled([1, 2, 3].map((i) => ws.put(`f${i}`, bytes('12345'))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(await ws.usage()).toMatchObject({ bytes: 10, keys: 2 });
  });

  it('counts artifacts against the same quota, per agent', async () => {
    const spaces = new Workspaces({ store: new MemoryStore(), quota: (agent) => (agent === 'big' ? undefined : { maxBytes: 64, maxKeys: 10 }) });
    const small = spaces.for('small');
    await expect(small.artifacts.put({ name: 'r', contentType: 'text/plain', data: new Uint8Array(60) })).rejects.toMatchObject({ code: 'quota-exceeded' });
    expect(await small.artifacts.list()).toEqual([]);
    await spaces.for('big').artifacts.put({ name: 'r', contentType: 'text/plain', data: new Uint8Array(10_000) });
    expect((await spaces.for('big').usage()).bytes).toBeGreaterThan(10_000);
  });

  it('refuses malformed quotas with invalid-argument', () => {
    expect(() => new Workspaces({ store: new MemoryStore(), quota: { maxBytes: -1, maxKeys: 1 } })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });
});
