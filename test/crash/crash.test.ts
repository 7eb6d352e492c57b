import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENT_FORMAT, AgentStore, captureSnapshot } from '../../packages/core/src/durable/index.ts';
import { entryKey, journalStartKey } from '../../packages/core/src/journal/index.ts';
import { SqliteStore } from '../../packages/node/src/index.ts';
import { checkDatabase, runCrashCampaign } from './driver.ts';

// `npx node test/crash/run.ts --points 1000` runs the full campaign (test/crash/RESULTS.md); CI kills a few.
const POINTS = Number(process.env.CRASH_POINTS ?? 6);
const dir = mkdtempSync(join(tmpdir(), 'agentos-crash-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The record of a running agent `id`, as the host writes it before the first journal entry. */
function putRunningAgent(store: SqliteStore, id: string): Promise<void> {
  return new AgentStore(store).putRecord({
    format: AGENT_FORMAT, id, type: 't', entry: 'run', componentHash: '00', goal: '', tenant: 'local', priority: 0, workspaceId: id,
    budget: { fuel: null, tokens: null, wallMs: null, calls: null }, status: 'running', suspendReason: null, result: null, createdAt: 0, updatedAt: 0,
  });
}

describe('durable agents under SIGKILL', () => {
  it(`lose no acknowledged step, tear no record and repeat no effect across ${POINTS} kills, ending like an uninterrupted run`, async () => {
    const summary = await runCrashCampaign({ points: POINTS, seed: 20261121, steps: 2, killsPerRun: 3 });
    expect(summary.failures).toEqual([]);
    expect(summary.points).toBe(POINTS);
    expect(summary.checks.finalOutputs).toBeGreaterThanOrEqual(Math.ceil(POINTS / 3));
    expect(summary.killsAfterFirstAck).toBeGreaterThan(0);
    expect(summary.baseline.effects).toBe(2);
  }, 600_000);

  it('reports a lost acknowledged entry, a changed one and a torn record', async () => {
    const path = join(dir, 'damaged.db');
    const store = new SqliteStore({ path });
    await putRunningAgent(store, 'a1');
    const entry = (seq: number, result: string) => JSON.stringify({ seq, interface: 'agentos:runtime/clock', function: 'now', args: [], state: 'completed', result, fuelAtCall: '1', startedAt: 0, endedAt: 0, effect: 'read' });
    await store.put(entryKey('a1', 0), new TextEncoder().encode(entry(0, 'x')));
    store.close();
    const acknowledged = new Map([[entryKey('a1', 0), entry(0, 'y')], [entryKey('a1', 1), entry(1, 'z')]]);
    const { problems } = await checkDatabase(path, acknowledged);
    expect(problems.some((p) => p.startsWith(`acknowledged entry ${entryKey('a1', 0)} changed`))).toBe(true);
    expect(problems).toContain(`lost acknowledged entry ${entryKey('a1', 1)}`);

    const torn = new SqliteStore({ path });
    await torn.put(entryKey('a1', 1), new TextEncoder().encode('{"seq":1,"interf'));
    torn.close();
    const again = await checkDatabase(path, new Map());
    expect(again.problems.some((p) => p.startsWith(`torn value at ${entryKey('a1', 1)}`))).toBe(true);
  });

  it('accepts acknowledged entries a compaction deleted behind a snapshot, and reports a compacted journal without one', async () => {
    const path = join(dir, 'compacted.db');
    const store = new SqliteStore({ path });
    await putRunningAgent(store, 'a2');
    const entry = (seq: number) => JSON.stringify({ seq, interface: 'agentos:runtime/clock', function: 'now', args: [], state: 'completed', result: 1, fuelAtCall: String(seq), startedAt: 0, endedAt: 0, effect: 'read' });
    await store.put(journalStartKey('a2'), new TextEncoder().encode('{"first":1}'));
    await store.put(entryKey('a2', 1), new TextEncoder().encode(entry(1)));
    const acknowledged = new Map([0, 1].map((seq) => [entryKey('a2', seq), entry(seq)]));
    await new AgentStore(store).putSnapshot('a2', captureSnapshot({ seq: 1, fuelUsed: 1n, memories: [] }));
    store.close();
    expect((await checkDatabase(path, acknowledged)).problems).toEqual([]);

    const lost = new SqliteStore({ path });
    await lost.delete('agents/a2/snapshot');
    lost.close();
    expect((await checkDatabase(path, acknowledged)).problems).toEqual(['journal starts at 1 without a snapshot there or later']);
  });
});
