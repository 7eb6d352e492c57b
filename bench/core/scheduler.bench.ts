/**
 * Scheduler benchmark: the cost of one scheduling decision per policy at
 * 10,000 and 100,000 queued processes, and the heap bytes one idle process
 * record costs.
 *
 * Each iteration runs one full cycle at a steady queue size: `dequeue` (the
 * decision: pick the next process and its slice), `onSliceEnd` (account the
 * fuel used) and `enqueue` (put it back). Two figures per policy and size:
 * `decision` times `dequeue` alone (what the targets are about) and `cycle`
 * times all three. Every sample is timed on its own with
 * `process.hrtime.bigint()`, whose own cost (reported as `timer.overhead`) is
 * included, so the figures are slightly pessimistic.
 *
 * Run: npx node bench/core/scheduler.bench.ts [--quick]   (or BENCH_QUICK=1)
 * Prints: {"results":[{"name","value","unit","target","conditions"}]}
 */

import v8 from 'node:v8';
import vm from 'node:vm';
import {
  FairSharePolicy, FcfsPolicy, MlfqPolicy, PriorityPolicy, TokenBudgetPolicy,
  type SchedulableProcess, type SchedulingPolicy,
} from '../../packages/core/src/scheduler/index.ts';
import { ProcessManager, type AgentProcess } from '../../packages/core/src/process/index.ts';
import { VirtualClock } from '../../packages/core/src/clock/index.ts';
import { seededRandom as seeded } from '../../packages/core/src/scheduler/testing.ts';
import { QUICK, baseConditions as machine, emit, loadAverage, timerOverheadNs, type BenchResult } from '../support.ts';

type Result = BenchResult & { target: string };

const ITERATIONS = QUICK ? 20_000 : 200_000;
const WARMUP = QUICK ? 5_000 : 50_000;
const SIZES = [10_000, 100_000];
const RECORDS = QUICK ? 10_000 : 100_000;
const SLICE = 1_000_000;

const baseConditions = machine();

type Factory = () => SchedulingPolicy<SchedulableProcess>;

const POLICIES: Record<string, Factory> = {
  fcfs: () => new FcfsPolicy({ sliceFuel: SLICE }),
  priority: () => new PriorityPolicy({ sliceFuel: SLICE, agingTicks: 64 }),
  mlfq: () => new MlfqPolicy({ baseSliceFuel: SLICE / 8, levels: 4, boostEveryFuel: 50 * SLICE }),
  'token-budget': () => {
    const random = seeded(7);
    return new TokenBudgetPolicy({ budgetTokens: Infinity, estimate: () => Math.floor(random() * 2000) });
  },
  'fair-share': () => new FairSharePolicy({ sliceFuel: SLICE, weights: { t0: 1, t1: 2, t2: 3, t3: 4 } }),
};

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function measureDecisions(policyName: string, queued: number): Result[] {
  const policy = POLICIES[policyName]();
  const random = seeded(queued);
  for (let i = 0; i < queued; i++) {
    policy.enqueue({ id: `p${i}`, tenant: `t${i % 100}`, priority: Math.floor(random() * 10) });
  }
  // Pre-drawn slice outcomes keep the PRNG out of the timed region.
  const fuel = new Float64Array(1024).map(() => Math.floor(random() * SLICE));
  const tokens = new Float64Array(1024).map(() => Math.floor(random() * 2000));
  const decisions = new Float64Array(ITERATIONS);
  const cycles = new Float64Array(ITERATIONS);
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    const start = process.hrtime.bigint();
    const decision = policy.dequeue();
    const decided = process.hrtime.bigint();
    if (decision === undefined) throw new Error(`${policyName} ran dry`);
    const used = Math.min(fuel[i & 1023], decision.sliceFuel);
    policy.onSliceEnd(decision.proc, { fuelUsed: used, exhausted: used === decision.sliceFuel, failed: (i & 63) === 0, tokensUsed: tokens[i & 1023] });
    policy.enqueue(decision.proc);
    const end = process.hrtime.bigint();
    if (i >= WARMUP) {
      decisions[i - WARMUP] = Number(decided - start);
      cycles[i - WARMUP] = Number(end - start);
    }
  }
  if (policy.size !== queued) throw new Error(`${policyName} lost processes`);
  decisions.sort();
  cycles.sort();
  const conditions = { ...baseConditions, loadavg: loadAverage(), policy: policyName, queued, iterations: ITERATIONS, warmup: WARMUP };
  const decision = { ...conditions, timed: 'dequeue' };
  const cycle = { ...conditions, timed: 'dequeue + onSliceEnd + enqueue' };
  const name = `scheduler.${policyName}`;
  return [
    { name: `${name}.decision.p50@${queued}`, value: percentile(decisions, 0.5) / 1000, unit: 'µs', target: '< 1', conditions: decision },
    { name: `${name}.decision.p99@${queued}`, value: percentile(decisions, 0.99) / 1000, unit: 'µs', target: '< 10', conditions: decision },
    { name: `${name}.cycle.p50@${queued}`, value: percentile(cycles, 0.5) / 1000, unit: 'µs', target: 'report', conditions: cycle },
    { name: `${name}.cycle.p99@${queued}`, value: percentile(cycles, 0.99) / 1000, unit: 'µs', target: 'report', conditions: cycle },
  ];
}

function collectGarbage(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/** Heap bytes per idle process: submitted, sandbox ready, waiting in an MLFQ run queue. */
function measureIdleRecord(): Result {
  const gc = collectGarbage();
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  let next = 0;
  const manager = new ProcessManager<object>({
    policy: new MlfqPolicy<AgentProcess<object>>(),
    clock: new VirtualClock({ start: Date.now() }),
    // The default id is crypto.randomUUID() (36 chars); keep the same length so strings cost the same.
    newId: () => `00000000-0000-4000-8000-${String(next++).padStart(12, '0')}`,
  });
  const sandbox = {};
  for (let i = 0; i < RECORDS; i++) {
    const submitted = manager.submit({
      goal: 'summarize the open issues',
      type: 'researcher',
      tenant: `tenant-${i % 100}`,
      budget: { fuel: 50_000_000, tokens: 20_000, wallMs: 60_000, calls: 100 },
    });
    if (!submitted.ok) throw new Error(submitted.reason);
    manager.initialize(submitted.id);
    manager.markReady(submitted.id, { sandbox });
  }
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  if (manager.queued !== RECORDS) throw new Error('records not queued');
  return {
    name: 'process.idle-record.bytes',
    value: Math.round((after - before) / RECORDS),
    unit: 'bytes',
    target: '<= 2048',
    conditions: {
      ...baseConditions, records: RECORDS, state: 'ready, queued in MLFQ, shared goal string and sandbox handle',
      includes: 'record, budget and spent, id string, manager map entry, policy queue entry and map entry',
    },
  };
}

/** What one `process.hrtime.bigint()` pair costs, since every sample includes it. */
function measureTimerOverhead(): Result {
  const samples = timerOverheadNs(ITERATIONS).sort();
  return {
    name: 'timer.overhead.p50', value: percentile(samples, 0.5) / 1000, unit: 'µs', target: 'report',
    conditions: { ...baseConditions, loadavg: loadAverage(), iterations: ITERATIONS },
  };
}

const results: Result[] = [measureIdleRecord(), measureTimerOverhead()];
for (const queued of SIZES) {
  for (const name of Object.keys(POLICIES)) results.push(...measureDecisions(name, queued));
}
emit(results);
