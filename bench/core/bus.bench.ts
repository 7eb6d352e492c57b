/**
 * Message bus benchmark: direct messages per second through the in-process
 * bus (policy hook and rate limiter off and on), across a cloning link
 * between two buses, request/response round trips and topic fan-out.
 *
 * Each figure is the median of several timed runs after a warm-up run; a run
 * sends a fixed number of messages in batches (flushed by `bus.flush()` or by
 * the microtask the bus schedules itself) and counts deliveries, checking that
 * every message arrived and was acknowledged.
 *
 * Run: npx node --expose-gc bench/core/bus.bench.ts   (BENCH_QUICK=1 for a short run)
 * Prints: {"results":[{"name","value","unit","target","conditions"}]}
 */
import { ALLOW, Bus, createLink } from '../../packages/core/src/bus/index.ts';
import { QUICK, baseConditions as machine, cpuSeconds, emit, gc, median, type BenchResult } from '../support.ts';

const MESSAGES = QUICK ? 200_000 : 1_000_000;
const RUNS = QUICK ? 3 : 5;
const BATCH = 1000;

const baseConditions = machine({
  runs: RUNS,
  statistic: 'median',
  timing: 'process CPU time (user+system): equal to wall time on an idle core, and stable on a shared machine; median wall-clock rate in wallRate',
});

/** A run returns how many operations it did and its start times; the rate is computed here. */
type Run = () => Promise<{ count: number; cpu: NodeJS.CpuUsage; wall: number }>;

async function measure(run: Run): Promise<{ value: number; wallRate: number }> {
  await run(); // warm-up: JIT and map growth
  const rates: number[] = [];
  const walls: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    gc();
    const { count, cpu, wall } = await run();
    rates.push(count / cpuSeconds(cpu));
    walls.push(count / ((performance.now() - wall) / 1000));
  }
  return { value: Math.round(median(rates)), wallRate: Math.round(median(walls)) };
}

function begin(): { cpu: NodeJS.CpuUsage; wall: number } {
  return { cpu: process.cpuUsage(), wall: performance.now() };
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`bench invariant failed: ${what}`);
}

/** Direct messages over the loopback, flushed every BATCH sends. */
function directRun(options: { guarded: boolean; flush: 'explicit' | 'microtask' }): Run {
  return async () => {
    const bus = new Bus(options.guarded ? { authorize: () => ALLOW, rateLimit: { capacity: 1e12, refillPerSecond: 1e12 } } : {});
    let delivered = 0;
    bus.attach('sink', () => void delivered++);
    const source = bus.attach('source');
    const start = begin();
    for (let sent = 0; sent < MESSAGES; sent += BATCH) {
      for (let j = 0; j < BATCH; j++) source.send('sink', j);
      if (options.flush === 'explicit') bus.flush();
      else await Promise.resolve();
    }
    await Promise.resolve();
    check(delivered === MESSAGES && bus.unacknowledged === 0, 'every message delivered and acked');
    bus.close();
    return { count: MESSAGES, ...start };
  };
}

/** Two buses joined by a link that structured-clones each batch, as a MessageChannel would. */
function linkRun(): Run {
  const count = MESSAGES / 10;
  return async () => {
    const [a, b] = createLink({ clone: true });
    const left = new Bus({ transport: a });
    const right = new Bus({ transport: b });
    let delivered = 0;
    right.attach('sink', () => void delivered++);
    const source = left.attach('source');
    const start = begin();
    for (let sent = 0; sent < count; sent += BATCH) {
      for (let j = 0; j < BATCH; j++) source.send('sink', { n: j, text: 'hello' });
      left.flush();
      await Promise.resolve();
    }
    for (let i = 0; i < 3; i++) await Promise.resolve();
    check(delivered === count && left.unacknowledged === 0, 'every linked message delivered and acked');
    left.close();
    right.close();
    return { count, ...start };
  };
}

/** Request/response: BATCH concurrent requests at a time, each awaited. */
function requestRun(): Run {
  const count = MESSAGES / 10;
  return async () => {
    const bus = new Bus();
    bus.attach('echo', (m) => m.body);
    const client = bus.attach('client');
    const start = begin();
    let answered = 0;
    for (let sent = 0; sent < count; sent += BATCH) {
      const replies: Promise<unknown>[] = [];
      for (let j = 0; j < BATCH; j++) replies.push(client.request('echo', j));
      answered += (await Promise.all(replies)).length;
    }
    check(answered === count, 'every request answered');
    bus.close();
    return { count, ...start };
  };
}

/** Publish to a topic with 10 subscriptions, 5 of which match (exact, `*` and `>` patterns). */
function fanOutRun(): Run {
  const count = MESSAGES / 4;
  return async () => {
    const bus = new Bus();
    let delivered = 0;
    const sub = bus.attach('sub');
    for (const pattern of ['jobs.eu.done', 'jobs.*.done', 'jobs.>', '>', 'jobs.eu.*', 'jobs.us.done', 'jobs.*.failed', 'logs.>', 'jobs.eu', 'x.*.y']) {
      sub.subscribe(pattern, () => void delivered++);
    }
    const pub = bus.attach('pub');
    const start = begin();
    for (let sent = 0; sent < count; sent += BATCH) {
      for (let j = 0; j < BATCH; j++) pub.publish('jobs.eu.done', j);
      bus.flush();
    }
    check(delivered === count * 5, 'five deliveries per publish');
    bus.close();
    return { count, ...start };
  };
}

const results: BenchResult[] = [];

async function measured(run: Run, conditions: Record<string, unknown>): Promise<{ value: number; conditions: Record<string, unknown> }> {
  const { value, wallRate } = await measure(run);
  return { value, conditions: { ...conditions, wallRate } };
}

const direct = { ...baseConditions, transport: 'loopback', messages: MESSAGES, batch: BATCH, body: 'small integer', handler: 'sync counter' };
results.push({
  name: 'bus.direct.messages-per-second', unit: 'msg/s', target: '≥ 1000000',
  ...(await measured(directRun({ guarded: false, flush: 'explicit' }), { ...direct, flush: 'bus.flush() every batch', authorize: 'none', rateLimit: 'none' })),
});
results.push({
  name: 'bus.direct.messages-per-second.microtask-flush', unit: 'msg/s', target: '≥ 1000000',
  ...(await measured(directRun({ guarded: false, flush: 'microtask' }), { ...direct, flush: 'automatic, one microtask per batch', authorize: 'none', rateLimit: 'none' })),
});
results.push({
  name: 'bus.direct.messages-per-second.guarded', unit: 'msg/s', target: '≥ 1000000',
  ...(await measured(directRun({ guarded: true, flush: 'explicit' }), { ...direct, flush: 'bus.flush() every batch', authorize: 'allow-all function', rateLimit: 'token bucket (never empty)' })),
});
results.push({
  name: 'bus.link.messages-per-second', unit: 'msg/s', target: null,
  ...(await measured(linkRun(), { ...baseConditions, transport: 'createLink({ clone: true }) between two buses', messages: MESSAGES / 10, batch: BATCH, body: '{ n, text }' })),
});
results.push({
  name: 'bus.request.round-trips-per-second', unit: 'req/s', target: null,
  ...(await measured(requestRun(), { ...baseConditions, transport: 'loopback', requests: MESSAGES / 10, concurrent: BATCH, handler: 'sync echo' })),
});
results.push({
  name: 'bus.publish.publishes-per-second', unit: 'msg/s', target: null,
  ...(await measured(fanOutRun(), { ...baseConditions, transport: 'loopback', publishes: MESSAGES / 4, subscriptions: 10, matching: 5 })),
});
emit(results);
