import { describe, expect, it } from 'vitest';
import { MemoryStore } from './memory-store.ts';
import { Workspaces } from './workspace.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('Blackboard', () => {
  it('denies agents without a grant, and allows exactly what was granted', async () => {
    const spaces = new Workspaces({ store: new MemoryStore() });
    const board = spaces.blackboard('plan');
    board.grant('writer', { read: true, write: true });
    board.grant('reader', { read: true });
    await board.view('writer').put('step/1', bytes('research'));
    expect(new TextDecoder().decode(await board.view('reader').get('step/1'))).toBe('research');
    await expect(board.view('reader').put('step/2', bytes('x'))).rejects.toMatchObject({ code: 'capability-denied', details: expect.objectContaining({ access: 'write' }) });
    await expect(board.view('stranger').get('step/1')).rejects.toMatchObject({ code: 'capability-denied' });
    await expect(board.view('stranger').list()).rejects.toMatchObject({ code: 'capability-denied' });
    expect((await board.view('reader').list()).entries.map((e) => e.path)).toEqual(['step/1']);
  });

  it('takes access away at once on revoke, even from a view handed out earlier', async () => {
    const board = new Workspaces({ store: new MemoryStore() }).blackboard('b');
    board.grant('a', { read: true, write: true });
    const view = board.view('a');
    await view.put('x', bytes('1'));
    board.revoke('a');
    await expect(view.get('x')).rejects.toMatchObject({ code: 'capability-denied' });
    await expect(view.delete('x')).rejects.toMatchObject({ code: 'capability-denied' });
  });

  it('needs read as well as write for a batch with preconditions', async () => {
    const board = new Workspaces({ store: new MemoryStore() }).blackboard('b');
    board.grant('w', { write: true });
    await board.view('w').batch([{ type: 'put', path: 'x', value: bytes('1') }]);
    await expect(board.view('w').batch([{ type: 'put', path: 'y', value: bytes('1') }], { preconditions: [{ path: 'x', version: null }] }))
      .rejects.toMatchObject({ code: 'capability-denied', details: expect.objectContaining({ access: 'read' }) });
  });

  it('is separate from agent workspaces and from other boards, and has its own quota', async () => {
    const store = new MemoryStore();
    const spaces = new Workspaces({ store });
    const board = spaces.blackboard('shared', { quota: { maxBytes: 4, maxKeys: 10 } });
    board.grant('a', { read: true, write: true });
    spaces.blackboard('other').grant('a', { read: true, write: true });
    await spaces.for('a').put('x', bytes('private'));
    await board.view('a').put('x', bytes('pub'));
    expect(await spaces.blackboard('other').view('a').get('x')).toBeUndefined();
    expect(new TextDecoder().decode(await spaces.for('a').get('x'))).toBe('private');
    await expect(board.view('a').put('y', bytes('12'))).rejects.toMatchObject({ code: 'quota-exceeded' });
    expect(spaces.blackboard('shared')).toBe(board);
    expect(() => spaces.blackboard('../agent')).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });
});
