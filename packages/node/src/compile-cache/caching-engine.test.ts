import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture } from '../../../../test/fixtures/index.ts';
import { Engine, Store } from '../../../sandbox/src/index.ts';
import { CachingEngine } from './caching-engine.ts';

const LOG = { 'agentos:runtime/log': { log: () => {} } };
let dir: string;
let bytes: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agentos-compile-cache-'));
  bytes = (await buildFixture('wordcount')).bytes;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function countWords(component: Awaited<ReturnType<Engine['load']>>): Promise<{ output: unknown; fuel: bigint }> {
  const store = new Store({ fuel: 10n ** 10n });
  const instance = await component.instantiate(store, { imports: LOG });
  const output = await instance.call('invoke', ['{"text":"one two three"}']);
  return { output, fuel: store.fuel.used };
}

describe('CachingEngine', () => {
  it('loads a component from disk in a new engine with the same output and fuel as Engine.load', async () => {
    const fresh = await countWords(await new Engine().load(bytes));
    const first = new CachingEngine({ directory: dir });
    const stored = await countWords(await first.load(bytes));
    const entries = await readdir(dir);
    expect(entries).toHaveLength(1);
    const second = new CachingEngine({ directory: dir });
    const started = performance.now();
    const cached = await second.load(bytes);
    const cachedMs = performance.now() - started;
    expect(await countWords(cached)).toEqual(fresh);
    expect(stored).toEqual(fresh);
    expect(await readdir(dir)).toEqual(entries);
    // Loading from disk skips transpiling and metering: far under the seconds they take.
    expect(cachedMs).toBeLessThan(1500);
  });

  it('keeps separate entries per load options and rebuilds a damaged entry', async () => {
    const engine = new CachingEngine({ directory: dir });
    await engine.load(bytes, { maxMemoryBytes: 32 * 1024 * 1024 });
    const entries = await readdir(dir);
    expect(entries.length).toBe(2);
    for (const entry of entries) await writeFile(join(dir, entry, 'manifest.json'), '{ not json');
    const repaired = await countWords(await new CachingEngine({ directory: dir }).load(bytes));
    expect(repaired.output).toBe((await countWords(await new Engine().load(bytes))).output);
  });
});
