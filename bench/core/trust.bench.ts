/**
 * Trust benchmark: what loading a signed tool costs before it runs.
 *   - manifest-verify: parse a manifest file + Ed25519 signature check (no component)
 *   - component-hash: SHA-256 of a component (WebCrypto), in MB/s, on a 1.5 MiB
 *     component (the size of a QuickJS tool)
 *   - admit: the full door (parse, verify, hash, pin check, capability cap) for that tool
 *   - registry-resolve: resolving a range over 100 published versions (MemoryStore)
 *
 * Run: npx node --expose-gc bench/core/trust.bench.ts   (BENCH_QUICK=1 for a short run)
 * Prints: {"results":[{"name","value","unit","target","conditions"}]}
 */
import { MemoryStore } from '../../packages/core/src/store/index.ts';
import { Registry } from '../../packages/core/src/registry/index.ts';
import { encodeManifestFile, generateKeyFile, parseManifestFile, signerFromKeyFile, signManifest, TrustStore, verifyManifest } from '../../packages/core/src/trust/index.ts';
import { QUICK, baseConditions, emit, medianOfRuns } from '../support.ts';

const RUNS = QUICK ? 3 : 7;
const COMPONENT_BYTES = 1_600_000;

const conditions = baseConditions({ runs: RUNS, statistic: 'median', timing: 'wall clock (performance.now), sequential awaits' });

/** Median time per operation in µs over RUNS runs of `count` operations (after one warm-up run). */
function perOp(count: number, op: (i: number) => Promise<unknown>): Promise<number> {
  return medianOfRuns(RUNS, async () => {
    const start = performance.now();
    for (let i = 0; i < count; i++) await op(i);
    return ((performance.now() - start) * 1000) / count;
  });
}

const component = new Uint8Array(COMPONENT_BYTES);
for (let i = 0; i < component.length; i += 65536) crypto.getRandomValues(component.subarray(i, i + 65536));
const key = await generateKeyFile();
const signer = await signerFromKeyFile(key);
const fields = {
  name: 'word-count', version: '1.0.0', description: 'Counts words in a text document and returns the counts per word.',
  world: 'agentos:runtime/tool@0.1.0',
  inputSchema: { type: 'object', properties: { text: { type: 'string' }, repeat: { type: 'integer' } }, required: ['text'] },
  outputSchema: { type: 'object', additionalProperties: { type: 'integer' } },
  capabilities: ['log'],
};
const signed = await signManifest({ fields, component, signer });
const file = new TextEncoder().encode(encodeManifestFile(signed));

const verifyUs = await perOp(QUICK ? 200 : 1000, () => verifyManifest(parseManifestFile(file)));
const hashUs = await perOp(QUICK ? 5 : 20, () => crypto.subtle.digest('SHA-256', component));
const trust = new TrustStore({ store: new MemoryStore(), grants: ['log'] });
const admitUs = await perOp(QUICK ? 5 : 20, () => trust.admit(parseManifestFile(file), component));

const registry = new Registry({ store: new MemoryStore() });
const small = new TextEncoder().encode('component');
for (let i = 0; i < 100; i++) {
  const s = await signManifest({ fields: { ...fields, version: `1.${Math.floor(i / 10)}.${i % 10}` }, component: small, signer });
  await registry.publish(s, small);
}
const resolveUs = await perOp(QUICK ? 50 : 300, () => registry.resolve('word-count', '~1.4.0'));

const results = [
  { name: 'trust/manifest-verify', value: round(verifyUs), unit: 'µs/op', target: '< 500 µs', conditions: { ...conditions, manifestBytes: file.length } },
  { name: 'trust/component-hash', value: round(COMPONENT_BYTES / hashUs), unit: 'MB/s', target: '≥ 200 MB/s', conditions: { ...conditions, componentBytes: COMPONENT_BYTES } },
  { name: 'trust/admit', value: round(admitUs / 1000), unit: 'ms/op', target: '< 20 ms', conditions: { ...conditions, componentBytes: COMPONENT_BYTES, store: 'MemoryStore' } },
  { name: 'trust/registry-resolve', value: round(resolveUs), unit: 'µs/op', target: '< 1 ms', conditions: { ...conditions, versions: 100, range: '~1.4.0', store: 'MemoryStore' } },
];
emit(results);

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
