import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { listAll } from '../../../core/src/store/index.ts';
import { SqliteStore } from './sqlite-store.ts';

const CHILD = fileURLToPath(new URL('./durability.child.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'agentos-sigkill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const encoder = new TextEncoder();
const recordValue = (n: number): Uint8Array => encoder.encode(`record ${n} `.repeat(1 + ((n * 7919) % 700)));

/** Runs the writer from record `first` and SIGKILLs it once it acknowledged `ackCount` records; returns the last acknowledged. */
function writeThenKill(options: { path: string; synchronous: 'full' | 'normal'; first: number; ackCount: number }): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, options.path, options.synchronous, String(options.first)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let last = options.first - 1;
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() as string;
      for (const line of lines) last = Number(line);
      if (last - options.first + 1 >= options.ackCount) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(last) : reject(new Error(`writer exited ${code}: ${stderr}`))));
  });
}

describe('SqliteStore durability across SIGKILL', () => {
  for (const synchronous of ['full', 'normal'] as const) {
    it(`keeps every acknowledged write and no torn batch when the writer is killed (synchronous=${synchronous})`, async () => {
      const path = join(dir, `${synchronous}.db`);
      let next = 0;
      const acked: number[] = [];
      for (const ackCount of [37, 5, 61]) {
        const last = await writeThenKill({ path, synchronous, first: next, ackCount });
        acked.push(last);
        const store = new SqliteStore({ path });
        expect(store.database.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
        const keys = (await listAll(store, 'rec/')).map((k) => k.key);
        // Every acknowledged record is there with its exact bytes; at most one unacknowledged record follows.
        for (let n = 0; n <= last; n++) {
          const key = `rec/${String(n).padStart(8, '0')}`;
          const found = n % 3 === 0 ? await store.get(`${key}/b`) : await store.get(key);
          expect(found?.value, `record ${n}`).toEqual(recordValue(n));
        }
        const records = new Set(keys.map((k) => Number(k.slice(4, 12))));
        expect(Math.max(...records)).toBeLessThanOrEqual(last + 1);
        // Batches are all or nothing.
        for (const n of records) if (n % 3 === 0) expect(keys.filter((k) => k.startsWith(`rec/${String(n).padStart(8, '0')}/`))).toHaveLength(3);
        next = Math.max(...records) + 1;
        store.close();
      }
      expect(acked[2]).toBeGreaterThanOrEqual(37 + 5 + 61 - 1);
    });
  }
});
