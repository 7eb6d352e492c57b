/**
 * Egress overhead benchmark: what the SSRF guard and the secret redactor add
 * to a request. Guard: checks per second of one hop to an IP literal and to a
 * name with an injected (in-memory) resolver. Redactor: MB/s scanning a 1 MiB
 * response with 3 registered secrets, without and with hits.
 *
 * Run: npx node --expose-gc bench/http/egress.bench.ts   (BENCH_QUICK=1 for a short run)
 * Prints: {"results":[{"name","value","unit","target","conditions"}]}
 */
import { checkHop, parseEgressPolicy } from '../../packages/core/src/http/index.ts';
import { Redactor } from '../../packages/core/src/secrets/index.ts';
import { QUICK, baseConditions, cpuSeconds, emit, medianOfRuns } from '../support.ts';

const RUNS = QUICK ? 3 : 7;
const CHECKS = QUICK ? 20_000 : 200_000;
const SCANS = QUICK ? 5 : 30;

const conditions = baseConditions({ runs: RUNS, statistic: 'median', timing: 'process CPU time (user+system)' });
const median = (run: () => Promise<number> | number) => medianOfRuns(RUNS, run);

const policy = parseEgressPolicy({ allow: [{ host: 'api.example.com' }, { host: '93.184.216.34' }] });
const signal = new AbortController().signal;
const resolve = async () => ['93.184.216.34'];

async function checksPerSecond(url: URL): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < CHECKS; i++) await checkHop(url, 'get', { policy, resolve, allowPrivateAddresses: [], signal });
  return CHECKS / cpuSeconds(start);
}

const redactor = new Redactor();
redactor.add('A', 'sk-live-0123456789abcdef');
redactor.add('B', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789');
redactor.add('C', 'another secret value with spaces');
const clean = new Uint8Array(1024 * 1024).map((_, i) => 97 + (i % 26));
const dirty = clean.slice();
const leak = new TextEncoder().encode('sk-live-0123456789abcdef');
for (let at = 0; at + leak.length < dirty.length; at += 64 * 1024) dirty.set(leak, at);

function scanRate(bytes: Uint8Array): number {
  const start = process.cpuUsage();
  for (let i = 0; i < SCANS; i++) redactor.redactBytes(bytes);
  return (SCANS * bytes.length) / 1e6 / cpuSeconds(start);
}

const results = [
  { name: 'http.guard.ip-literal', value: Math.round(await median(() => checksPerSecond(new URL('https://93.184.216.34/x')))), unit: 'checks/s', target: null, conditions: { ...conditions, checks: CHECKS } },
  { name: 'http.guard.resolved-name', value: Math.round(await median(() => checksPerSecond(new URL('https://api.example.com/x')))), unit: 'checks/s', target: null, conditions: { ...conditions, checks: CHECKS, resolver: 'in-memory' } },
  { name: 'secrets.redact-bytes.clean', value: Math.round(await median(() => scanRate(clean))), unit: 'MB/s', target: null, conditions: { ...conditions, bytes: clean.length, secrets: 3 } },
  { name: 'secrets.redact-bytes.16-hits', value: Math.round(await median(() => scanRate(dirty))), unit: 'MB/s', target: null, conditions: { ...conditions, bytes: dirty.length, secrets: 3, hits: 16 } },
];
emit(results);
