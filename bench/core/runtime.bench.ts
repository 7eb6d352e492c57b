/**
 * Agent Runtime benches (packages/core/src/runtime):
 * 1. Memory per live agent: N agents each with a live sandbox instance, all
 *    parked mid-run (suspended inside an http call, waiting for approval).
 *    Measured: growth of V8 heap + external memory (which includes every wasm
 *    linear memory and the instances' ArrayBuffers) after a full GC, divided by
 *    N. It covers everything the runtime holds per agent — process record,
 *    sandbox Store, fuel account, instance, glue state, host-import closures,
 *    approval request, audit entries — except the compiled module shared by all
 *    agents of a type. Also measured for N queued (not yet instantiated) agents.
 * 2. 10,000 agents, each running a small real tool component (echo, QuickJS)
 *    to completion through admission, scheduler and gate, in one process:
 *    wall time, agents/s and peak RSS. BENCH_QUICK=1 runs 200 agents.
 * Run: `npx node --expose-gc bench/core/runtime.bench.ts`.
 */
import { AuditLog, generateAuditSigner, PolicyEngine } from '../../packages/core/src/index.ts';
import { Runtime } from '../../packages/core/src/runtime/index.ts';
import { Engine } from '../../packages/sandbox/src/index.ts';
import { buildAgent } from '../../test/e2e/agents.ts';
import { buildFixture } from '../../test/fixtures/index.ts';
import { LocalInternet, POLICY, TENANT, worldCapabilities } from '../../test/e2e/world.ts';
import { QUICK, baseConditions, emit, gc } from '../support.ts';

const AGENTS = QUICK ? 200 : 10_000;
const LIVE = QUICK ? 50 : 300;

const engine = new Engine();
const { signer } = await generateAuditSigner();
const echo = (await buildFixture('echo')).bytes;
const payer = await buildAgent('payer');

async function runtime(types: string[]): Promise<Runtime> {
  const capabilities = worldCapabilities({ entitled: false });
  for (const agentType of types) capabilities.entitle({ tenant: TENANT, agentType, capabilities: ['*'], maxCallsPerMinute: 1_000_000_000, maxTokenBudget: 1_000_000 });
  const rt = new Runtime({
    engine, capabilities, policy: new PolicyEngine({ policy: POLICY }), audit: new AuditLog({ signer }),
    implementations: { http: new LocalInternet() }, scheduler: { kind: 'fcfs' },
  });
  await rt.registerTool('echo', echo);
  await rt.registerAgent('payer', payer);
  return rt;
}

function memory(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

// 1. memory per agent
const live = await runtime(['payer']);
// Warm-up: one payer instantiated and finished, so lazily built shared state is not counted.
const warm = await live.spawn({ type: 'payer', goal: 'warm-up', tenant: TENANT, budget: {} });
await live.run();
live.approve(live.status(warm).pendingApprovals[0].id, { approver: 'alice', role: 'finance', approved: true });
await live.run();
const before = memory();
const ids: string[] = [];
for (let i = 0; i < LIVE; i++) ids.push(await live.spawn({ type: 'payer', goal: `invoice ${i}`, tenant: TENANT, budget: {} }));
const queued = memory();
await live.run();
const parked = memory();
const allParked = ids.every((id) => live.status(id).suspendReason === 'approval');
const perLiveKiB = (parked - before) / LIVE / 1024;
const linearKiB = ids.reduce((sum, id) => sum + live.status(id).memoryBytes, 0) / LIVE / 1024;
const perQueuedKiB = (queued - before) / LIVE / 1024;
for (const id of ids) live.terminate(id, 'bench done');

// 2. many agents running a small tool
const many = await runtime(['echo']);
const rssBefore = process.memoryUsage().rss;
let peakRss = rssBefore;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
const started = performance.now();
const spawned: string[] = [];
for (let i = 0; i < AGENTS; i++) spawned.push(await many.spawn({ type: 'echo', goal: JSON.stringify({ agent: i }), tenant: TENANT, budget: { fuel: 100_000_000 } }));
const spawnMs = performance.now() - started;
await many.run();
const totalMs = performance.now() - started;
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
const completed = spawned.filter((id) => many.status(id).status === 'completed').length;

const conditions = baseConditions({ gcExposed: 'gc' in globalThis });
emit([
  {
    name: 'runtime memory per live agent (QuickJS agent parked mid-call)', value: +perLiveKiB.toFixed(1), unit: 'KiB', target: '<= 256 KiB', met: perLiveKiB <= 256,
    conditions: { ...conditions, agents: LIVE, allParked, measured: 'heapUsed + external after GC, minus the shared compiled module', component: 'examples/agents/payer' },
  },
  {
    name: 'runtime memory per live agent, without the guest linear memory', value: +(perLiveKiB - linearKiB).toFixed(1), unit: 'KiB', target: null,
    conditions: { ...conditions, agents: LIVE, linearMemoryKiB: +linearKiB.toFixed(1), note: 'what the host side (runtime + sandbox + jco glue) adds per live agent' },
  },
  {
    name: 'runtime memory per queued agent (spawned, not yet instantiated)', value: +perQueuedKiB.toFixed(2), unit: 'KiB', target: null,
    conditions: { ...conditions, agents: LIVE },
  },
  {
    name: `runtime ${AGENTS} agents each running the echo tool to completion`, value: Math.round(totalMs), unit: 'ms', target: null,
    conditions: { ...conditions, agents: AGENTS, completed, spawnMs: Math.round(spawnMs), concurrency: 8, tool: 'examples/tools/echo (QuickJS)' },
  },
  { name: 'runtime agents completed per second (echo tool)', value: Math.round(AGENTS / (totalMs / 1000)), unit: 'agents/s', target: null, conditions: { ...conditions, agents: AGENTS } },
  { name: 'runtime peak RSS growth running the agents', value: Math.round((peakRss - rssBefore) / 1024 / 1024), unit: 'MiB', target: null, conditions: { ...conditions, agents: AGENTS, rssBeforeMiB: Math.round(rssBefore / 1048576) } },
]);
