import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal } from '../../../core/src/journal/index.ts';
import { isAgentOsError } from '../../../sandbox/src/errors/index.ts';
import { encodeKey } from './keys.ts';
import { encodeRecord } from './log-format.ts';
import { SqliteStore } from './sqlite-store.ts';

const CHILD = fileURLToPath(new URL('./journal-log.child.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'agentos-journal-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const encoder = new TextEncoder();
const text = (value: Uint8Array | undefined): string | undefined => (value === undefined ? undefined : new TextDecoder().decode(value));
let files = 0;
const freshPath = (): string => join(dir, `db${files++}.db`);
const logSize = (path: string): number => statSync(`${path}-log`, { throwIfNoEntry: false })?.size ?? -1;
/** Rows SQLite holds under `key`, read around the store (no drain). */
const rawCount = (store: SqliteStore, key: string): number =>
  Number((store.database.prepare('SELECT count(*) AS n FROM kv WHERE key = ?').get(encodeKey(key)) as { n: number }).n);
const appliedLsn = (store: SqliteStore): number =>
  Number((store.database.prepare("SELECT value FROM meta WHERE name = 'log-applied'").get() as { value: number }).value);

/** Spawns the child and hands out its JSON events in order. */
function child(args: string[], options: { fileSizeLimitKb?: number } = {}): { process: ChildProcess; next: () => Promise<Record<string, unknown>>; exited: Promise<string> } {
  const command = options.fileSizeLimitKb === undefined
    ? spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    // A real partial write: the kernel stops the write at the file size limit (EFBIG after it).
    : spawn('bash', ['-c', `ulimit -f ${options.fileSizeLimitKb}; exec "$0" "$@"`, process.execPath, CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Record<string, unknown>[] = [];
  const waiting: ((event: Record<string, unknown>) => void)[] = [];
  let buffered = '';
  let stderr = '';
  command.stderr?.on('data', (chunk: Buffer) => (stderr += chunk));
  command.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() as string;
    for (const line of lines) {
      const event = JSON.parse(line) as Record<string, unknown>;
      const resolve = waiting.shift();
      if (resolve) resolve(event);
      else events.push(event);
    }
  });
  const exited = new Promise<string>((resolve) => command.on('exit', (code, signal) => resolve(`${signal ?? code} ${stderr}`)));
  return {
    process: command,
    exited,
    next: () => (events.length > 0 ? Promise.resolve(events.shift() as Record<string, unknown>) : new Promise((resolve) => waiting.push(resolve))),
  };
}

describe('SqliteStore journal log', () => {
  it('serves putMany from the log: every read sees it, and SQLite has it after the drain', async () => {
    const path = freshPath();
    const store = new SqliteStore({ path, synchronous: 'normal', journalLogTuning: { drainMs: 1e9 } });
    expect(store.journalLogOwner).toBe(true);
    await store.putMany(['a', 'b'], [encoder.encode('1'), encoder.encode('2')]);
    await store.putMany(['a'], [encoder.encode('3')]);
    expect(logSize(path)).toBeGreaterThan(0);
    expect(rawCount(store, 'a')).toBe(0);
    expect(text((await store.get('a'))?.value)).toBe('3');
    expect(rawCount(store, 'a')).toBe(1);
    expect((await store.scan({ prefix: '' })).entries.map((e) => [e.key, text(e.value)])).toEqual([['a', '3'], ['b', '2']]);
    store.close();
    expect(existsSync(`${path}-log`)).toBe(false);
    const reopened = new SqliteStore({ path, journalLog: false });
    expect(text((await reopened.get('b'))?.value)).toBe('2');
    reopened.close();
  });

  it('carries a Journal: its flushes are appends, and a reopened store loads the same entries', async () => {
    const path = freshPath();
    const store = new SqliteStore({ path, synchronous: 'normal' });
    const journal = await Journal.open(store, 'agent-1');
    for (let i = 0; i < 50; i++) {
      const entry = journal.begin({ interface: 'agentos:runtime/http', function: 'fetch', args: [{ url: `https://x/${i}`, body: new Uint8Array([i]) }], effect: 'external', fuelAtCall: BigInt(i), startedAt: i });
      await journal.flush();
      journal.complete(entry.seq, { result: { status: 200 + i }, endedAt: i });
    }
    await journal.flush();
    expect(logSize(path)).toBeGreaterThan(0);
    const expected = JSON.stringify(journal.entries);
    store.close();
    const reopened = new SqliteStore({ path, journalLog: false });
    expect(JSON.stringify((await Journal.open(reopened, 'agent-1')).entries)).toBe(expected);
    reopened.close();
  });

  it('keeps the order the caller issued: a put after a logged putMany of the same key wins', async () => {
    const store = new SqliteStore({ path: freshPath(), journalLogTuning: { drainMs: 1e9 } });
    await store.putMany(['k'], [encoder.encode('logged')]);
    const version = await store.put('k', encoder.encode('put'));
    await store.putMany(['k'], [encoder.encode('logged again')]);
    const after = await store.get('k');
    expect(text(after?.value)).toBe('logged again');
    expect(after?.version).toBeGreaterThan(version);
    const batch = await store.batch([{ type: 'put', key: 'k', value: encoder.encode('batch') }], { preconditions: [{ key: 'k', version: after!.version }] });
    expect(batch.ok).toBe(true);
    await store.putMany(['k'], [encoder.encode('x')]);
    expect(await store.delete('k')).toBe(true);
    expect(await store.get('k')).toBeUndefined();
    store.close();
  });

  it('drains on its own within drainMs and past drainBytes, truncating the file', async () => {
    const path = freshPath();
    const store = new SqliteStore({ path, synchronous: 'normal', journalLogTuning: { drainMs: 20, drainBytes: 4096 } });
    await store.putMany(['t'], [encoder.encode('timer')]);
    expect(rawCount(store, 't')).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(rawCount(store, 't')).toBe(1);
    expect(logSize(path)).toBe(0);
    // Drained by a read before the timer: the timer still empties the file (readers drain while it has bytes).
    await store.putMany(['u'], [encoder.encode('read first')]);
    await store.get('u');
    expect(logSize(path)).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(logSize(path)).toBe(0);
    for (let n = 0; n < 9; n++) await store.putMany([`s/${n}`], [new Uint8Array(1000)]);
    // 4 KiB passed at the 4th record (and the 8th): drained at once, no timer needed.
    expect(rawCount(store, 's/3')).toBe(1);
    expect(rawCount(store, 's/8')).toBe(0);
    expect(logSize(path)).toBeLessThan(2 * 1100);
    store.close();
  });

  it('lets one store own the log; another (same process) writes to SQLite and still sees the log', async () => {
    const path = freshPath();
    const owner = new SqliteStore({ path, journalLogTuning: { drainMs: 1e9 } });
    const other = new SqliteStore({ path });
    expect(owner.journalLogOwner).toBe(true);
    expect(other.journalLogOwner).toBe(false);
    await owner.putMany(['shared'], [encoder.encode('from the owner')]);
    expect(text((await other.get('shared'))?.value)).toBe('from the owner');
    await owner.putMany(['shared'], [encoder.encode('older')]);
    // The other store's write drains the owner's record first: the later write wins.
    await other.putMany(['shared'], [encoder.encode('newer')]);
    expect(text((await owner.get('shared'))?.value)).toBe('newer');
    expect(appliedLsn(owner)).toBe(2);
    owner.close();
    // The owner is gone: the other store takes the log over at its next operation.
    await new Promise((resolve) => setTimeout(resolve, 60));
    await other.get('shared');
    expect(other.journalLogOwner).toBe(true);
    other.close();
  });

  it('lets another process read a live owner\'s records, and take the log over (draining it) once the owner is killed', async () => {
    const path = freshPath();
    const writer = child([path, 'hold']);
    expect(await writer.next()).toEqual({ owner: true });
    for (let n = 0; n < 10; n++) expect(await writer.next()).toEqual({ acked: n });
    expect(((await writer.next()).logSize as number)).toBeGreaterThan(0);
    // Alive: the records are only in the log (a bare connection does not see them), the OS lock holds.
    const bare = new DatabaseSync(path);
    expect(bare.prepare('SELECT count(*) AS n FROM kv').get()).toEqual({ n: 0 });
    bare.close();
    const reader = new SqliteStore({ path });
    expect(reader.journalLogOwner).toBe(false);
    expect(text((await reader.get('rec/9'))?.value)).toBe('value 9');
    expect(reader.journalLogOwner).toBe(false);
    writer.process.kill('SIGKILL');
    expect(await writer.exited).toMatch(/^SIGKILL/);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await reader.get('rec/0');
    expect(reader.journalLogOwner).toBe(true);
    expect(logSize(path)).toBe(0);
    await reader.putMany(['rec/10'], [encoder.encode('value 10')]);
    expect(appliedLsn(reader)).toBe(10);
    expect(text((await reader.get('rec/10'))?.value)).toBe('value 10');
    reader.close();
  });

  it('applies a dead owner\'s log at open, ignoring a torn or damaged tail and a stale tail', async () => {
    const path = freshPath();
    const seed = new SqliteStore({ path });
    await seed.putMany(['seed'], [encoder.encode('0')]);
    seed.close();
    const record = (lsn: number, key: string, value: string): Uint8Array => encodeRecord(lsn, [encodeKey(key)], [encoder.encode(value)]).record;
    const torn = record(4, 'torn', 'never acknowledged');
    const damaged = record(4, 'damaged', 'bit flip');
    damaged[damaged.byteLength - 1] ^= 0x40;
    const cases = [
      // LSN 1 was applied by the seed store: a copy of it is skipped.
      { bytes: [record(1, 'seed', 'stale copy'), record(2, 'x', 'two'), record(3, 'y', 'three'), torn.subarray(0, torn.byteLength - 3)], lsn: 3 },
      { bytes: [record(4, 'x', 'four'), damaged, record(5, 'z', 'after the damage')], lsn: 4 },
      // A stale tail: records of an earlier file left behind after new ones.
      { bytes: [record(5, 'y', 'five'), record(2, 'x', 'stale two'), record(3, 'y', 'stale three')], lsn: 5 },
    ];
    for (const { bytes, lsn } of cases) {
      writeFileSync(`${path}-log`, Buffer.concat(bytes));
      const store = new SqliteStore({ path });
      expect(appliedLsn(store)).toBe(lsn);
      expect(logSize(path)).toBe(0);
      store.close();
    }
    const store = new SqliteStore({ path, journalLog: false });
    const all = Object.fromEntries((await store.scan()).entries.map((e) => [e.key, text(e.value)]));
    expect(all).toEqual({ seed: '0', x: 'four', y: 'five' });
    store.close();
  });

  it('applies a log left behind even when opened with journalLog: false (it only never appends)', async () => {
    const path = freshPath();
    new SqliteStore({ path }).close();
    writeFileSync(`${path}-log`, encodeRecord(1, [encodeKey('left')], [encoder.encode('behind')]).record);
    const store = new SqliteStore({ path, journalLog: false });
    expect(text((await store.get('left'))?.value)).toBe('behind');
    expect(appliedLsn(store)).toBe(1);
    await store.putMany(['mine'], [encoder.encode('a transaction')]);
    expect(rawCount(store, 'mine')).toBe(1);
    expect(store.journalLogOwner).toBe(false);
    store.close();
  });

  it('rejects a putMany whose append fails part-way with \'internal\', cuts it off, and goes on', async () => {
    const path = freshPath();
    const writer = child([path, 'big-write'], { fileSizeLimitKb: 100 });
    expect(await writer.next()).toEqual({ owner: true });
    for (let n = 0; n < 3; n++) expect(await writer.next()).toEqual({ acked: n });
    const failure = await writer.next();
    expect(failure.failed).toBe('internal');
    expect(failure.logSizeAfter).toBe(failure.logSizeBefore);
    for (let n = 3; n < 6; n++) expect(await writer.next()).toEqual({ acked: n });
    expect(await writer.next()).toEqual({ closed: true });
    expect(await writer.exited).toMatch(/^0/);
    const store = new SqliteStore({ path, journalLog: false });
    expect((await store.scan()).entries.map((e) => e.key)).toEqual(['rec/0', 'rec/1', 'rec/2', 'rec/3', 'rec/4', 'rec/5']);
    // LSNs 1-3, 4 sealed (the failed append), 5-7.
    expect(appliedLsn(store)).toBe(7);
    store.close();
  });

  it('is off for \':memory:\' and refuses to be turned on there', () => {
    const store = new SqliteStore({ path: ':memory:' });
    expect(store.journalLogOwner).toBe(false);
    store.close();
    let error: unknown;
    try {
      new SqliteStore({ path: ':memory:', journalLog: true });
    } catch (caught) {
      error = caught;
    }
    expect(isAgentOsError(error) && error.code).toBe('invalid-argument');
  });
});
