/**
 * The crash driver: runs the agent host (host.ts) as a child process,
 * SIGKILLs it at random points (seeded) — either at the host's own probe
 * points (store write edges, right after an HTTP effect, slice ends) or after
 * a random delay — restarts it, which recovers the agent from the SQLite
 * journal, and repeats until the agent completes. After every kill and at the
 * end it checks:
 * - no torn record: `PRAGMA integrity_check`, every journal entry and agent
 *   record parses, journal positions have no gap (Journal.open);
 * - no acknowledged step lost: every journal write the host acknowledged is
 *   still there, the same or its completed form;
 * - no external effect performed twice: the test server performed exactly one
 *   effect per step (a retry reuses its Idempotency-Key), none without a key,
 *   no key retried with another body;
 * - the final output and workspace equal those of an uninterrupted run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentStore, readSnapshot } from '../../packages/core/src/durable/index.ts';
import { Journal, type JournalEntry } from '../../packages/core/src/journal/index.ts';
import { decodeJson, listAll } from '../../packages/core/src/store/index.ts';
import { SqliteStore } from '../../packages/node/src/index.ts';
import { buildFixture } from '../fixtures/index.ts';
import { buildCrashAgent } from './build.ts';
import { seededRandom } from '../../packages/core/src/scheduler/testing.ts';
import { EffectServer } from './effect-server.ts';

const HOST = fileURLToPath(new URL('./host.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CrashOptions {
  /** SIGKILLs to deliver in total. */
  points: number;
  seed: number;
  /** Steps of the agent (each: tool call, workspace write, HTTP effect). */
  steps?: number;
  /** Most kills in one agent run before it is let finish; default 8. */
  killsPerRun?: number;
  synchronous?: 'normal' | 'full';
  /** Progress lines (one per agent run). */
  log?: (line: string) => void;
}

export interface CrashSummary {
  points: number;
  runs: number;
  seed: number;
  steps: number;
  synchronous: string;
  killsAtProbe: number;
  /** Kills right after an HTTP effect returned, before its outcome was journaled. */
  killsAfterEffect: number;
  killsAtTime: number;
  /** Kills that found the agent already journaling (not at startup). */
  killsAfterFirstAck: number;
  /** Kills that left records in the journal log beside the database (SqliteStore's, applied by the next store to open it). */
  killsWithJournalLog: number;
  restarts: number;
  /** HTTP requests retried after a crash with the same key (answered from the server's record, not performed again). */
  retriedEffects: number;
  checks: { integrity: number; acknowledgedEntries: number; finalOutputs: number };
  failures: string[];
  baseline: { output: string; effects: number; probes: number; runMs: number };
  wallSeconds: number;
}

interface ChildRun {
  exit: 'killed' | 'done' | 'error';
  acks: Map<string, string>;
  done?: { id: string; status: string; result: { ok: boolean; value?: string } | null; probes: number; ms: number };
  /** Milliseconds from the child's start to its `ready` line. */
  readyMs?: number;
  stderr: string;
}

type KillPoint = { probe?: number; effect?: number; afterMs?: number };

function runHost(args: string[], kill: KillPoint): Promise<ChildRun> {
  return new Promise((resolve) => {
    const probeArgs = [...(kill.probe === undefined ? [] : ['--probe', String(kill.probe)]), ...(kill.effect === undefined ? [] : ['--effect-probe', String(kill.effect)])];
    const child = spawn(process.execPath, [HOST, ...args, ...probeArgs], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_COMPILE_CACHE: join(ROOT, '.cache/node-compile') },
    });
    const run: ChildRun = { exit: 'error', acks: new Map(), stderr: '' };
    let buffered = '';
    let timer: NodeJS.Timeout | undefined;
    child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() as string;
      for (const line of lines) {
        const message = JSON.parse(line) as { ack?: string; entry?: string; ready?: boolean; done?: boolean; ms?: number };
        if (message.ack !== undefined) run.acks.set(message.ack, message.entry as string);
        else if (message.ready) {
          run.readyMs = message.ms;
          if (kill.afterMs !== undefined) timer = setTimeout(() => child.kill('SIGKILL'), kill.afterMs);
        } else if (message.done) run.done = message as unknown as ChildRun['done'];
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      run.exit = signal === 'SIGKILL' ? 'killed' : code === 0 && run.done ? 'done' : 'error';
      resolve(run);
    });
  });
}

/** Checks the database after a kill; returns problems found (empty: all good). */
export async function checkDatabase(path: string, acknowledged: Map<string, string>): Promise<{ problems: string[]; agentId?: string }> {
  const problems: string[] = [];
  const store = new SqliteStore({ path });
  try {
    const integrity = store.database.prepare('PRAGMA integrity_check').get() as { integrity_check: string };
    if (integrity.integrity_check !== 'ok') problems.push(`integrity_check: ${integrity.integrity_check}`);
    const agents = new AgentStore(store);
    const records = await agents.records();
    for (const { key } of await listAll(store, 'agents/')) {
      if (key.includes('/journal/') || key.endsWith('/record') || key.includes('/approvals/')) {
        try {
          decodeJson((await store.get(key))!.value, key);
        } catch (error) {
          problems.push(`torn value at ${key}: ${(error as Error).message}`);
        }
      }
    }
    const agentId = records[0]?.id;
    if (agentId === undefined) {
      if (acknowledged.size > 0) problems.push('acknowledged journal entries but no agent record');
      return { problems };
    }
    const journal = await Journal.open(store, agentId);
    // A compacted journal starts after 0: the entries before were deleted on purpose, after a snapshot at or past its start.
    const snapshot = journal.first > 0 ? await agents.getSnapshot(agentId) : undefined;
    if (journal.first > 0 && !(snapshot && readSnapshot(snapshot).seq >= journal.first)) problems.push(`journal starts at ${journal.first} without a snapshot there or later`);
    for (const [key, text] of acknowledged) {
      const acked = JSON.parse(text) as JournalEntry;
      if (acked.seq < journal.first) continue;
      const found = journal.entry(acked.seq);
      if (!found) {
        problems.push(`lost acknowledged entry ${key}`);
        continue;
      }
      const same = JSON.stringify(found) === text;
      const completedLater = acked.state === 'started' && found.state === 'completed' && found.function === acked.function && JSON.stringify(found.args) === JSON.stringify(acked.args) && found.idempotencyKey === acked.idempotencyKey;
      if (!same && !completedLater) problems.push(`acknowledged entry ${key} changed: ${text} → ${JSON.stringify(found)}`);
    }
    return { problems, agentId };
  } catch (error) {
    problems.push(`check failed: ${(error as Error).message}`);
    return { problems };
  } finally {
    store.close();
  }
}

async function workspace(path: string, agentId: string): Promise<Record<string, string>> {
  const store = new SqliteStore({ path });
  try {
    const out: Record<string, string> = {};
    const prefix = `workspaces/${agentId}/kv/`;
    for (const { key } of await listAll(store, prefix)) out[key.slice(prefix.length)] = new TextDecoder().decode((await store.get(key))!.value);
    return out;
  } finally {
    store.close();
  }
}

/**
 * Runs the crash campaign: a baseline run, then agent runs killed at random points until
 * `points` kills were delivered. Never throws for a failed check: failures are in the summary.
 */
export async function runCrashCampaign(options: CrashOptions): Promise<CrashSummary> {
  const started = performance.now();
  const steps = options.steps ?? 4;
  const synchronous = options.synchronous ?? 'normal';
  const killsPerRun = options.killsPerRun ?? 8;
  const random = seededRandom(options.seed);
  const dir = mkdtempSync(join(tmpdir(), 'agentos-crash-'));
  const server = new EffectServer();
  const url = await server.start();
  const agent = await buildCrashAgent();
  const tool = (await buildFixture('wordcount')).path;
  const goal = JSON.stringify({ url, steps });
  const hostArgs = (db: string): string[] => ['--db', db, '--agent', agent, '--tool', tool, '--goal', goal, '--synchronous', synchronous, '--seed', String(options.seed)];
  const failures: string[] = [];
  const fail = (problem: string): void => {
    failures.push(problem);
    options.log?.(`FAILURE ${problem}`);
  };
  const summary: CrashSummary = {
    points: 0, runs: 0, seed: options.seed, steps, synchronous, killsAtProbe: 0, killsAfterEffect: 0, killsAtTime: 0, killsAfterFirstAck: 0, killsWithJournalLog: 0, restarts: 0, retriedEffects: 0,
    checks: { integrity: 0, acknowledgedEntries: 0, finalOutputs: 0 }, failures, baseline: { output: '', effects: 0, probes: 0, runMs: 0 }, wallSeconds: 0,
  };
  try {
    // The uninterrupted run everything is compared with.
    const baseDb = join(dir, 'baseline.db');
    const base = await runHost(hostArgs(baseDb), {});
    if (base.exit !== 'done' || !base.done?.result?.ok) throw new Error(`the baseline run failed: ${JSON.stringify(base.done)} ${base.stderr}`);
    const baseEffects = server.stats.performed.map((e) => e.body);
    const baseWorkspace = await workspace(baseDb, base.done.id);
    summary.baseline = { output: base.done.result.value as string, effects: baseEffects.length, probes: base.done.probes, runMs: base.done.ms - (base.readyMs ?? 0) };

    while (summary.points < options.points) {
      summary.runs++;
      server.reset();
      const db = join(dir, `run-${summary.runs}.db`);
      const acknowledged = new Map<string, string>();
      let kills = 0;
      let finished: ChildRun | undefined;
      for (let attempt = 0; !finished; attempt++) {
        const killNow = kills < killsPerRun && summary.points < options.points;
        // Half at probe points, a tenth right after an HTTP effect (before it is journaled), the rest at random times.
        const pick = random();
        const kill: KillPoint = !killNow ? {}
          : pick < 0.5 ? { probe: 1 + Math.floor(random() * base.done.probes) }
          : pick < 0.6 ? { effect: 1 + Math.floor(random() * steps) }
          : { afterMs: Math.floor(random() * summary.baseline.runMs) };
        const run = await runHost(hostArgs(db), kill);
        if (attempt > 0) summary.restarts++;
        for (const [key, entry] of run.acks) acknowledged.set(key, entry);
        if (run.exit === 'error') {
          fail(`run ${summary.runs}: host exited with an error: ${run.stderr.slice(-1500)}`);
          break;
        }
        if (run.exit === 'killed') {
          kills++;
          summary.points++;
          if (kill.probe !== undefined) summary.killsAtProbe++;
          else if (kill.effect !== undefined) summary.killsAfterEffect++;
          else summary.killsAtTime++;
          if (acknowledged.size > 0) summary.killsAfterFirstAck++;
          if ((statSync(`${db}-log`, { throwIfNoEntry: false })?.size ?? 0) > 0) summary.killsWithJournalLog++;
        }
        const checked = await checkDatabase(db, acknowledged);
        summary.checks.integrity++;
        summary.checks.acknowledgedEntries += acknowledged.size;
        for (const problem of checked.problems) fail(`run ${summary.runs}, attempt ${attempt}: ${problem}`);
        if (run.exit === 'done') finished = run;
      }
      if (!finished?.done) continue;
      summary.checks.finalOutputs++;
      const output = finished.done.result?.value;
      if (output !== summary.baseline.output) fail(`run ${summary.runs}: output differs from the uninterrupted run: ${JSON.stringify(finished.done.result)}`);
      const bodies = server.stats.performed.map((e) => e.body);
      if (JSON.stringify(bodies) !== JSON.stringify(baseEffects)) fail(`run ${summary.runs}: effects performed ${JSON.stringify(bodies)} instead of ${JSON.stringify(baseEffects)}`);
      if (server.stats.withoutKey > 0) fail(`run ${summary.runs}: ${server.stats.withoutKey} requests without an Idempotency-Key`);
      if (server.stats.conflicts.length > 0) fail(`run ${summary.runs}: keys retried with another body: ${server.stats.conflicts.join(', ')}`);
      summary.retriedEffects += server.stats.performed.filter((e) => e.requests > 1).length;
      const ws = await workspace(db, finished.done.id);
      if (JSON.stringify(ws) !== JSON.stringify(baseWorkspace)) fail(`run ${summary.runs}: workspace differs: ${JSON.stringify(ws)}`);
      options.log?.(`run ${summary.runs}: ${kills} kills, ${summary.points}/${options.points} points, ${failures.length} failures`);
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    summary.wallSeconds = Math.round((performance.now() - started) / 100) / 10;
  }
  return summary;
}
