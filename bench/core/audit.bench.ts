/**
 * Audit trail throughput: append (canonical JSON + two SHA-256 + chain) with
 * an Ed25519 checkpoint signed every 10,000 entries, waiting for the last
 * signature; plus the measurements behind choosing a synchronous pure-TS
 * SHA-256 over `crypto.subtle.digest` for small inputs, and verification speed.
 * Target: append >= 200,000 entries/s. Run: `npx node bench/core/audit.bench.ts`.
 *
 * The machine is often shared, so besides wall-clock entries/s (the target)
 * the bench reports the process CPU time per entry (all threads: the signing
 * thread pool and the GC helpers included), which moves much less with the
 * load, and the load average before and after.
 */
import { AuditLog, generateAuditSigner, sha256, verifyAuditLog } from '../../packages/core/src/audit/index.ts';
import { QUICK, baseConditions, cpuSeconds, emit, loadAverage, median } from '../support.ts';

const ENTRIES = QUICK ? 20_000 : 200_000;
const EVERY = 10_000;
const RUNS = 5;
const { signer } = await generateAuditSigner();
const loadBefore = loadAverage();

function event(i: number) {
  return {
    kind: 'policy.decision',
    at: 1_717_588_800_000 + i,
    data: { tenant: 'acme', agentType: 'researcher', capability: 'web.fetch', effect: 'allow', ruleId: `cap-${i % 60}`, revision: 3 },
  };
}

async function appendRun(): Promise<{ perSecond: number; cpuUs: number; log: AuditLog }> {
  const log = new AuditLog({ signer, checkpointEvery: EVERY });
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < ENTRIES; i++) log.append(event(i));
  await log.flush();
  const seconds = (performance.now() - start) / 1000;
  return { perSecond: ENTRIES / seconds, cpuUs: (cpuSeconds(cpu) * 1e6) / ENTRIES, log };
}

await appendRun(); // warm-up
const runs: number[] = [];
const cpuRuns: number[] = [];
let last!: AuditLog;
for (let r = 0; r < RUNS; r++) {
  const { perSecond, cpuUs, log } = await appendRun();
  runs.push(perSecond);
  cpuRuns.push(cpuUs);
  last = log;
}
const perSecond = median(runs);
const cpuPerEntry = median(cpuRuns);
const loadAfterAppend = loadAverage();
const entryBytes = new TextEncoder().encode(JSON.stringify({ seq: 1, ...event(1) })).length;

// SHA-256 of one entry-sized input: pure TS (sync) vs WebCrypto (async).
const input = crypto.getRandomValues(new Uint8Array(entryBytes + 1));
const N = 50_000;
let t = performance.now();
for (let i = 0; i < N; i++) sha256(input);
const tsUs = ((performance.now() - t) * 1000) / N;
t = performance.now();
for (let i = 0; i < N / 5; i++) await crypto.subtle.digest('SHA-256', input);
const subtleSeqUs = ((performance.now() - t) * 1000) / (N / 5);
t = performance.now();
for (let b = 0; b < N / 1000; b++) await Promise.all(Array.from({ length: 1000 }, () => crypto.subtle.digest('SHA-256', input)));
const subtleBatchUs = ((performance.now() - t) * 1000) / N;

// Ed25519 checkpoint signature.
t = performance.now();
for (let i = 0; i < 200; i++) await signer.sign(input);
const signUs = ((performance.now() - t) * 1000) / 200;

// Export + verify of the last log.
t = performance.now();
const text = await last.exportJsonl();
const exportMs = performance.now() - t;
t = performance.now();
const verified = await verifyAuditLog(text, { publicKey: signer.publicKey });
const verifyPerSecond = ENTRIES / ((performance.now() - t) / 1000);
if (!verified.valid) throw new Error(`bench log failed verification: ${verified.code}`);

const conditions = baseConditions({
  loadAverage1m: loadBefore, loadAverage1mAfter: loadAfterAppend, entries: ENTRIES, checkpointEvery: EVERY, entryBytes, runs: runs.map(Math.round),
});
emit([
  { name: 'audit.append entries/s (hash chain + Ed25519 checkpoints)', value: Math.round(perSecond), unit: 'entries/s', target: '>= 200000', met: perSecond >= 200_000, conditions },
  { name: 'audit.append CPU time per entry (all threads)', value: +cpuPerEntry.toFixed(3), unit: 'µs', target: null, conditions: { ...conditions, runs: cpuRuns.map((v) => +v.toFixed(3)), note: '1e6 / this = the entries/s of an unshared core' } },
  { name: 'sha256 pure-TS sync, one entry', value: +tsUs.toFixed(3), unit: 'µs', target: null, conditions: { inputBytes: input.length } },
  { name: 'sha256 crypto.subtle awaited one by one, one entry', value: +subtleSeqUs.toFixed(3), unit: 'µs', target: null, conditions: { inputBytes: input.length } },
  { name: 'sha256 crypto.subtle 1000 in parallel, per entry', value: +subtleBatchUs.toFixed(3), unit: 'µs', target: null, conditions: { inputBytes: input.length, note: 'the chain is sequential, so only leaves could be batched' } },
  { name: 'ed25519 checkpoint sign (WebCrypto)', value: +signUs.toFixed(1), unit: 'µs', target: null, conditions: {} },
  { name: `audit.exportJsonl ${ENTRIES / 1000}k entries`, value: Math.round(exportMs), unit: 'ms', target: null, conditions: { bytes: text.length } },
  { name: 'audit verify entries/s', value: Math.round(verifyPerSecond), unit: 'entries/s', target: null, conditions: { entries: ENTRIES, checkpoints: verified.checkpoints } },
]);
