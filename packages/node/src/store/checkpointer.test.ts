import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isAgentOsError, type AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { SqliteStore } from './sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'agentos-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = (): string => join(dir, `store-${files++}.db`);
const value = new Uint8Array(300).fill(7);
const keyOf = (n: number): string => `agents/a/journal/${String(n).padStart(12, '0')}`;
const walBytes = (path: string): number => statSync(`${path}-wal`).size;
const STORE_MODULE = new URL('./sqlite-store.ts', import.meta.url).href;

describe('SqliteStore background checkpoints', () => {
  it('keeps the WAL bounded over many commits by checkpointing and restarting it from the worker', async () => {
    const path = freshPath();
    const store = new SqliteStore({ path, synchronous: 'normal', checkpointTuning: { everyCommits: 16, restartFrames: 64 } });
    expect(store.database.prepare('PRAGMA wal_autocheckpoint').get()).toEqual({ wal_autocheckpoint: 0 });
    // The first round starts the worker; after it, checkpoints keep pace with the writes.
    expect(await store.checkpoint()).toMatchObject({ restartWanted: false });
    const commits = 4000;
    let largest = 0;
    for (let n = 0; n < commits; n++) {
      await store.put(keyOf(n), value);
      if (n % 100 === 99) largest = Math.max(largest, walBytes(path));
    }
    // Each commit appends at least one 4 KiB frame: without checkpoints the WAL would hold all of them.
    const unbounded = commits * 4096;
    expect(store.walRestarts).toBeGreaterThan(0);
    expect(largest).toBeLessThan(unbounded / 4);
    // Everything written is there, from a second connection too.
    const reader = new SqliteStore({ path });
    expect((await reader.get(keyOf(commits - 1)))?.value).toEqual(value);
    expect(reader.database.prepare('SELECT count(*) AS n FROM kv').get()).toEqual({ n: commits });
    reader.close();
    store.close();
  });

  it('truncates the WAL on close', async () => {
    const path = freshPath();
    const store = new SqliteStore({ path, synchronous: 'normal' });
    for (let n = 0; n < 50; n++) await store.put(keyOf(n), value);
    expect(walBytes(path)).toBeGreaterThan(0);
    const reader = new SqliteStore({ path });
    store.close();
    // Another connection is open, so the file stays, but empty: every frame is in the database.
    expect(walBytes(path)).toBe(0);
    expect((await reader.get(keyOf(49)))?.value).toEqual(value);
    reader.close();
  });

  it('lets a second store read and write while the first one checkpoints in the background', async () => {
    const path = freshPath();
    const writer = new SqliteStore({ path, synchronous: 'normal', checkpointTuning: { everyCommits: 16, restartFrames: 64 } });
    const other = new SqliteStore({ path, synchronous: 'normal' });
    await writer.checkpoint();
    for (let n = 0; n < 1500; n++) {
      await writer.put(keyOf(n), value);
      if (n % 250 === 0) {
        expect((await other.get(keyOf(n)))?.value, `record ${n}`).toEqual(value);
        await other.put(`other/${n}`, value);
      }
    }
    expect(writer.walRestarts).toBeGreaterThan(0);
    expect((await writer.list({ prefix: 'other/' })).keys).toHaveLength(6);
    expect(other.database.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    other.close();
    writer.close();
  });

  it('reports a worker failure to onCheckpointError and goes on with inline checkpoints', async () => {
    const path = freshPath();
    const errors: AgentOsError[] = [];
    const store = new SqliteStore({ path, synchronous: 'normal', onCheckpointError: (error) => errors.push(error) });
    await store.put('k', value);
    // The worker opens the path itself: a directory there makes its open fail (this connection keeps its files open).
    unlinkSync(path);
    mkdirSync(path);
    expect(await store.checkpoint()).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(errors).toHaveLength(1);
    expect(errors[0].code).toBe('internal');
    expect(errors[0].message).toMatch(/checkpoint/);
    expect(store.database.prepare('PRAGMA wal_autocheckpoint').get()).toEqual({ wal_autocheckpoint: 1000 });
    expect(await store.put('k2', value)).toBeGreaterThan(0);
    expect((await store.get('k2'))?.value).toEqual(value);
    store.close();
  });

  it('throws a worker failure from the next write when nobody listens for it, once', async () => {
    const path = freshPath();
    const store = new SqliteStore({ path, synchronous: 'normal' });
    await store.put('k', value);
    unlinkSync(path);
    mkdirSync(path);
    await store.checkpoint();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const failure = await store.put('k2', value).catch((error: unknown) => error);
    expect(isAgentOsError(failure) && failure.code).toBe('internal');
    expect(await store.get('k2')).toBeUndefined();
    expect(await store.put('k2', value)).toBeGreaterThan(0);
    store.close();
  });

  it('never keeps the process alive, even when the store is not closed', () => {
    const path = freshPath();
    const script = `
      import { SqliteStore } from ${JSON.stringify(STORE_MODULE)};
      const store = new SqliteStore({ path: ${JSON.stringify(path)}, synchronous: 'normal', onCheckpointError: (error) => console.error(error) });
      await store.put('k', new Uint8Array(3));
      // The store's worker is unref'd: this timer keeps the process up until the round is back.
      const wait = setTimeout(() => {}, 10_000);
      const round = await store.checkpoint();
      clearTimeout(wait);
      console.log(JSON.stringify(round));
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    // The worker did run a round (and then did not hold the process open).
    expect(JSON.parse(child.stdout)).toMatchObject({ restartWanted: false });
  });
});
