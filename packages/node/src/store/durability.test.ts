import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
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

/**
 * Runs the writer from record `first` and SIGKILLs it once it acknowledged `ackCount` records; returns the last
 * acknowledged and how many WAL restarts its background checkpointer had made by then.
 */
function writeThenKill(options: { path: string; synchronous: 'full' | 'normal'; first: number; ackCount: number; mode?: string }): Promise<{ last: number; restarts: number }> {
  return new Promise((resolve, reject) => {
    const args = [CHILD, options.path, options.synchronous, String(options.first), ...(options.mode ? [options.mode] : [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let last = options.first - 1;
    let restarts = 0;
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() as string;
      for (const line of lines) [last, restarts] = line.split(' ').map(Number);
      if (last - options.first + 1 >= options.ackCount) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve({ last, restarts }) : reject(new Error(`writer exited ${code}: ${stderr}`))));
  });
}

describe('SqliteStore durability across SIGKILL', () => {
  const cases = [
    { synchronous: 'full', busyCheckpoints: false, ackCounts: [37, 5, 61] },
    { synchronous: 'normal', busyCheckpoints: false, ackCounts: [37, 5, 61] },
    // Background checkpoints every 8 commits and WAL restarts past 16 frames: kills land during checkpoints and restarts.
    { synchronous: 'normal', busyCheckpoints: true, ackCounts: [400, 7, 350] },
    // Through the journal log (putMany): kills land between appends, inside drains and truncations.
    { synchronous: 'full', mode: 'put-many', ackCounts: [37, 5, 61] },
    { synchronous: 'normal', mode: 'put-many', ackCounts: [400, 7, 350] },
    { synchronous: 'normal', mode: 'put-many-busy', ackCounts: [150, 3, 120, 40] },
  ] as const;
  for (const testCase of cases) {
    const { synchronous, ackCounts } = testCase;
    const busyCheckpoints = 'busyCheckpoints' in testCase && testCase.busyCheckpoints;
    const mode = 'mode' in testCase ? testCase.mode : busyCheckpoints ? 'busy-checkpoints' : undefined;
    it(`keeps every acknowledged write and no torn batch when the writer is killed (synchronous=${synchronous}${mode ? `, ${mode}` : ''})`, async () => {
      const path = join(dir, `${synchronous}${mode ? `-${mode}` : ''}.db`);
      let next = 0;
      const acked: number[] = [];
      /** Size of the journal log each kill left behind (records the next store must apply). */
      const logSizes: number[] = [];
      for (const ackCount of ackCounts) {
        const { last, restarts } = await writeThenKill({ path, synchronous, first: next, ackCount, mode });
        if (busyCheckpoints && ackCount > 100) expect(restarts, 'WAL restarts before the kill').toBeGreaterThan(0);
        acked.push(last);
        logSizes.push(statSync(`${path}-log`, { throwIfNoEntry: false })?.size ?? 0);
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
      expect(acked[acked.length - 1]).toBeGreaterThanOrEqual(ackCounts.reduce((a, b) => a + b, 0) - 1);
      if (mode === 'put-many' || mode === 'put-many-busy') expect(Math.max(...logSizes), 'log bytes left by a kill').toBeGreaterThan(0);
    });
  }
});
