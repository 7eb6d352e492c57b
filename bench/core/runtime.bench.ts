/**
 * Agent Runtime benches (packages/core/src/runtime):
 * 1. Memory per live agent: N agents each with a live sandbox instance, all
 *    parked mid-run (suspended inside an http call, waiting for approval).
 *    Measured: growth of V8 heap + external memory (which includes every wasm
 *    linear memory and the instances' ArrayBuffers) after a full GC, divided by
 *    N. It covers everything the runtime holds per agent — process record,
 *    sandbox Store, fuel account, instance, glue state, host-import closures,
 *    approval request, audit entries — except the compiled module shared by all
 *    agents of a type. Measured for two agents doing the same job: the lean
 *    payer (examples/agents/lean-payer, a WAT core module, one page of memory)
 *    and the QuickJS payer (examples/agents/payer), whose JS engine heap
 *    (~1.4 MiB of linear memory) is a floor no host change can lower. Also:
 *    resident memory (Linux RssAnon growth: the pages really touched, including
 *    the suspended JSPI stacks V8 keeps outside the heap) and N queued (not yet
 *    instantiated) agents.
 * 2. 10,000 agents, each running a small real tool component (echo, QuickJS)
 *    to completion through admission, scheduler and gate, in one process:
 *    wall time, agents/s and peak RSS. BENCH_QUICK=1 runs 200 agents.
 * Run: `npx node --expose-gc bench/core/runtime.bench.ts`.
 */
import { readFileSync } from 'node:fs';
import { AuditLog, generateAuditSigner, PolicyEngine } from '../../packages/core/src/index.ts';
import { Runtime } from '../../packages/core/src/runtime/index.ts';
import { Engine } from '../../packages/sandbox/src/index.ts';
import { buildAgent } from '../../test/e2e/agents.ts';
import { buildFixture } from '../../test/fixtures/index.ts';
import { LocalInternet, POLICY, TENANT, worldCapabilities } from '../../test/e2e/world.ts';
import { QUICK, baseConditions, emit, gc } from '../support.ts';

const AGENTS = QUICK ? 200 : 10_000;
const LIVE = QUICK ? 50 : 300;
const LIVE_LEAN = QUICK ? 100 : 1_000;

const engine = new Engine();
const { signer } = await generateAuditSigner();
const echo = (await buildFixture('echo')).bytes;
const payer = await buildAgent('payer');
const leanPayer = await buildAgent('lean-payer');
// The payment approval applies to both payers.
const policy = { ...POLICY, rules: POLICY.rules.map((r) => (r.id === 'approve-payments' ? { ...r, agentTypes: ['payer', 'lean-payer'] } : r)) };

async function runtime(types: string[]): Promise<Runtime> {
  const capabilities = worldCapabilities({ entitled: false });
  for (const agentType of types) capabilities.entitle({ tenant: TENANT, agentType, capabilities: ['*'], maxCallsPerMinute: 1_000_000_000, maxTokenBudget: 1_000_000 });
  const rt = new Runtime({
    engine, capabilities, policy: new PolicyEngine({ policy }), audit: new AuditLog({ signer }),
    implementations: { http: new LocalInternet() }, scheduler: { kind: 'fcfs' },
  });
  await rt.registerTool('echo', echo);
  await rt.registerAgent('payer', payer);
  await rt.registerAgent('lean-payer', leanPayer);
  return rt;
}

function memory(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.external;
}

/** Anonymous resident memory in bytes (Linux RssAnon: touched heap, wasm memory and stack pages), or RSS elsewhere. */
function resident(): { bytes: number; source: string } {
  try {
    const kib = /^RssAnon:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (kib) return { bytes: Number(kib[1]) * 1024, source: 'RssAnon (/proc/self/status)' };
  } catch {
    // not Linux
  }
  return { bytes: process.memoryUsage().rss, source: 'process.memoryUsage().rss' };
}

interface LiveMemory {
  agents: number;
  allParked: boolean;
  perLiveKiB: number;
  linearKiB: number;
  perQueuedKiB: number;
  residentKiB: number;
  residentSource: string;
}

/** Spawns `count` agents of `type`, runs them until each is parked waiting for its approval, and measures the growth. */
async function liveMemory(type: 'payer' | 'lean-payer', count: number): Promise<LiveMemory> {
  const rt = await runtime([type]);
  // Warm-up: one agent instantiated and finished, so lazily built shared state is not counted.
  const warm = await rt.spawn({ type, goal: 'warm-up', tenant: TENANT, budget: {} });
  await rt.run();
  rt.approve(rt.status(warm).pendingApprovals[0].id, { approver: 'alice', role: 'finance', approved: true });
  await rt.run();
  // Then as many agents parked and left alone: the pages the process freed after loading
  // (transpiling, compiling) and V8's spare heap pages are used up by them, not by the measured
  // batch, whose resident growth would otherwise read far too low.
  const settled: string[] = [];
  for (let i = 0; i < count; i++) settled.push(await rt.spawn({ type, goal: `settle ${i}`, tenant: TENANT, budget: {} }));
  await rt.run();
  const before = memory();
  const residentBefore = resident();
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await rt.spawn({ type, goal: `invoice ${i}`, tenant: TENANT, budget: {} }));
  const queued = memory();
  await rt.run();
  const parked = memory();
  const residentParked = resident();
  const result: LiveMemory = {
    agents: count,
    allParked: ids.every((id) => rt.status(id).suspendReason === 'approval'),
    perLiveKiB: (parked - before) / count / 1024,
    linearKiB: ids.reduce((sum, id) => sum + rt.status(id).memoryBytes, 0) / count / 1024,
    perQueuedKiB: (queued - before) / count / 1024,
    residentKiB: (residentParked.bytes - residentBefore.bytes) / count / 1024,
    residentSource: residentParked.source,
  };
  for (const id of [...settled, ...ids]) rt.terminate(id, 'bench done');
  return result;
}

// 1. memory per agent
const lean = await liveMemory('lean-payer', LIVE_LEAN);
const quickjs = await liveMemory('payer', LIVE);

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
const measured = 'heapUsed + external after GC, minus the shared compiled module';
emit([
  {
    name: 'runtime memory per live agent (lean WAT agent parked mid-call)', value: +lean.perLiveKiB.toFixed(1), unit: 'KiB', target: '<= 256 KiB', met: lean.perLiveKiB <= 256,
    conditions: { ...conditions, agents: lean.agents, allParked: lean.allParked, measured, linearMemoryKiB: +lean.linearKiB.toFixed(1), component: 'examples/agents/lean-payer (WAT core module)' },
  },
  {
    name: 'runtime memory per live agent, without the guest linear memory (lean WAT agent)', value: +(lean.perLiveKiB - lean.linearKiB).toFixed(1), unit: 'KiB', target: null,
    conditions: { ...conditions, agents: lean.agents, linearMemoryKiB: +lean.linearKiB.toFixed(1), note: 'what the host side (runtime + sandbox + jco glue) adds per live agent' },
  },
  {
    name: 'runtime resident memory growth per live agent (lean WAT agent)', value: +lean.residentKiB.toFixed(1), unit: 'KiB', target: null,
    conditions: { ...conditions, agents: lean.agents, source: lean.residentSource, note: 'pages really touched, incl. the suspended JSPI stack and V8 heap pages; not a heap figure' },
  },
  {
    name: 'runtime memory per live agent (QuickJS agent parked mid-call)', value: +quickjs.perLiveKiB.toFixed(1), unit: 'KiB', target: null,
    conditions: {
      ...conditions, agents: quickjs.agents, allParked: quickjs.allParked, measured, linearMemoryKiB: +quickjs.linearKiB.toFixed(1), component: 'examples/agents/payer',
      note: 'the QuickJS engine heap (linear memory) is the floor of this figure; the 256 KiB target applies to the lean agent',
    },
  },
  {
    name: 'runtime memory per live agent, without the guest linear memory', value: +(quickjs.perLiveKiB - quickjs.linearKiB).toFixed(1), unit: 'KiB', target: null,
    conditions: { ...conditions, agents: quickjs.agents, linearMemoryKiB: +quickjs.linearKiB.toFixed(1), component: 'examples/agents/payer', note: 'what the host side (runtime + sandbox + jco glue) adds per live agent' },
  },
  {
    name: 'runtime resident memory growth per live agent (QuickJS agent)', value: +quickjs.residentKiB.toFixed(1), unit: 'KiB', target: null,
    conditions: { ...conditions, agents: quickjs.agents, source: quickjs.residentSource, linearMemoryKiB: +quickjs.linearKiB.toFixed(1), note: 'pages really touched, incl. the suspended JSPI stack and V8 heap pages; not a heap figure' },
  },
  {
    name: 'runtime memory per queued agent (spawned, not yet instantiated)', value: +quickjs.perQueuedKiB.toFixed(2), unit: 'KiB', target: null,
    conditions: { ...conditions, agents: quickjs.agents },
  },
  {
    name: `runtime ${AGENTS} agents each running the echo tool to completion`, value: Math.round(totalMs), unit: 'ms', target: null,
    conditions: { ...conditions, agents: AGENTS, completed, spawnMs: Math.round(spawnMs), concurrency: 8, tool: 'examples/tools/echo (QuickJS)' },
  },
  { name: 'runtime agents completed per second (echo tool)', value: Math.round(AGENTS / (totalMs / 1000)), unit: 'agents/s', target: null, conditions: { ...conditions, agents: AGENTS } },
  { name: 'runtime peak RSS growth running the agents', value: Math.round((peakRss - rssBefore) / 1024 / 1024), unit: 'MiB', target: null, conditions: { ...conditions, agents: AGENTS, rssBeforeMiB: Math.round(rssBefore / 1048576) } },
]);
