import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../clock/index.ts';
import { MemoryStore } from '../store/index.ts';
import { CheckpointManager, type Checkpointable, MemoryCheckpointStore } from './checkpoint.ts';

/** A tiny agent whose whole state is a JSON object. */
class Notebook implements Checkpointable {
  state: { notes: string[] } = { notes: [] };
  failRestore = false;
  async snapshot(): Promise<Uint8Array> {
    return new TextEncoder().encode(JSON.stringify(this.state));
  }
  async restore(bytes: Uint8Array): Promise<void> {
    if (this.failRestore) throw new Error('restore refused');
    this.state = JSON.parse(new TextDecoder().decode(bytes));
  }
}

function setup(keep = 3) {
  const target = new Notebook();
  const store = new MemoryCheckpointStore();
  const clock = new VirtualClock({ start: 500 });
  const manager = new CheckpointManager({ target, store, namespace: 'agent-1', keep, clock });
  return { target, store, clock, manager };
}

describe('CheckpointManager', () => {
  it('rolls back to the state at the latest checkpoint', async () => {
    const { target, manager, clock } = setup();
    target.state.notes.push('plan');
    const info = await manager.checkpoint({ label: 'before tool call' });
    target.state.notes.push('half-done work');
    clock.advance(10);
    const restored = await manager.rollback();
    expect(target.state).toEqual({ notes: ['plan'] });
    expect(restored).toEqual(info);
    expect(info).toMatchObject({ seq: 1, label: 'before tool call', at: 500, size: 18 });
    expect(info.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps only the last K checkpoints and deletes the older ones from the store', async () => {
    const { target, manager, store } = setup(2);
    for (const note of ['a', 'b', 'c', 'd']) {
      target.state.notes.push(note);
      await manager.checkpoint();
    }
    expect((await manager.list()).map((c) => c.seq)).toEqual([3, 4]);
    expect(await store.get('agent-1/checkpoint/1')).toBeUndefined();
    expect(await store.get('agent-1/checkpoint/2')).toBeUndefined();
    expect(store.size).toBe(3); // two checkpoints and the index
    await expect(manager.rollback(1)).rejects.toMatchObject({ code: 'not-found', details: { kept: [3, 4] } });
  });

  it('rolls back to an older checkpoint and discards the newer ones', async () => {
    const { target, manager } = setup();
    target.state.notes.push('one');
    await manager.checkpoint();
    target.state.notes.push('two');
    await manager.checkpoint();
    target.state.notes.push('three');
    await manager.checkpoint();
    await manager.rollback(1);
    expect(target.state.notes).toEqual(['one']);
    expect((await manager.list()).map((c) => c.seq)).toEqual([1]);
    expect((await manager.checkpoint()).seq).toBe(2);
  });

  it('refuses to restore damaged bytes', async () => {
    const { target, manager, store } = setup();
    target.state.notes.push('good');
    await manager.checkpoint();
    await store.put('agent-1/checkpoint/1', new TextEncoder().encode('{"notes":["evil"]}'));
    await expect(manager.rollback()).rejects.toMatchObject({ code: 'internal', details: { seq: 1 } });
    expect(target.state.notes).toEqual(['good']);
  });

  it('reports a checkpoint whose bytes are gone, and an empty history, as not-found', async () => {
    const { manager, store } = setup();
    await expect(manager.rollback()).rejects.toMatchObject({ code: 'not-found' });
    await manager.checkpoint();
    await store.delete('agent-1/checkpoint/1');
    await expect(manager.rollback()).rejects.toMatchObject({ code: 'not-found', details: { seq: 1 } });
  });

  it('keeps every checkpoint when restore fails', async () => {
    const { target, manager } = setup();
    await manager.checkpoint();
    await manager.checkpoint();
    target.failRestore = true;
    await expect(manager.rollback(1)).rejects.toThrow('restore refused');
    expect((await manager.list()).map((c) => c.seq)).toEqual([1, 2]);
  });

  it('resumes from the index in the store when a new manager opens the same namespace', async () => {
    const { target, manager, store } = setup();
    target.state.notes.push('persisted');
    await manager.checkpoint();
    const fresh = new Notebook();
    const reopened = new CheckpointManager({ target: fresh, store, namespace: 'agent-1' });
    expect((await reopened.list()).map((c) => c.seq)).toEqual([1]);
    await reopened.rollback();
    expect(fresh.state.notes).toEqual(['persisted']);
  });

  it('runs checkpoint and rollback one at a time, in call order', async () => {
    const { target, manager } = setup();
    target.state.notes.push('x');
    const first = manager.checkpoint();
    target.state.notes.push('y');
    const [a, b] = await Promise.all([first, manager.checkpoint()]);
    expect([a.seq, b.seq]).toEqual([1, 2]);
  });

  it('works on the core Store, writing each checkpoint and rollback as one batch', async () => {
    const store = new MemoryStore();
    const target = new Notebook();
    const manager = new CheckpointManager({ target, store, namespace: 'agent-2', keep: 2 });
    for (const note of ['a', 'b', 'c']) {
      target.state.notes.push(note);
      await manager.checkpoint();
    }
    const keys = async () => (await store.list({ prefix: 'agent-2/' })).keys.map((k) => k.key);
    expect(await keys()).toEqual(['agent-2/checkpoint-index', 'agent-2/checkpoint/2', 'agent-2/checkpoint/3']);
    await manager.rollback(2);
    expect(target.state.notes).toEqual(['a', 'b']);
    expect(await keys()).toEqual(['agent-2/checkpoint-index', 'agent-2/checkpoint/2']);
  });

  it('refuses keep below 1', () => {
    expect(() => new CheckpointManager({ target: new Notebook(), store: new MemoryCheckpointStore(), namespace: 'n', keep: 0 }))
      .toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });
});
