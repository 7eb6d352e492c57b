/**
 * The agent host process the crash driver kills: a NodeHost over the
 * driver's SQLite file that starts the crash agent (first run) or recovers it
 * from the journal (every later run) and drives it to the end.
 *
 * It reports on stdout, one JSON line each, written synchronously so that a
 * line the driver reads was really written before any later kill:
 * - `{"ready":true}` once the agent is loaded, before it runs;
 * - `{"ack":key,"entry":…}` after a journal write resolved (acknowledged by the store);
 * - `{"done":true,"id":…,"result":…}` when the agent ended.
 * With `--probe N` the process SIGKILLs itself at the N-th probe point: before
 * or after a store write, after an HTTP effect returned but before it is
 * journaled, at a slice end. So kills land exactly on the edges that matter,
 * besides the driver's own kills at random times.
 *
 * `--effect-probe N` kills it right after its N-th HTTP effect returned.
 *
 * Usage: node test/crash/host.ts --db <file> --agent <wasm> --tool <wasm> --goal <json> [--probe N] [--effect-probe N] [--synchronous normal|full]
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { PutManyStore } from '../../packages/core/src/journal/index.ts';
import { NodeHost, fetchHttp } from '../../packages/node/src/index.ts';

const { values } = parseArgs({
  options: {
    db: { type: 'string' }, agent: { type: 'string' }, tool: { type: 'string' }, goal: { type: 'string' },
    probe: { type: 'string' }, 'effect-probe': { type: 'string' }, synchronous: { type: 'string', default: 'normal' }, seed: { type: 'string', default: '1' },
  },
});

const say = (line: object): void => void writeSync(1, `${JSON.stringify(line)}\n`);
const killAt = values.probe === undefined ? Infinity : Number(values.probe);
let probes = 0;
const killAtEffect = values['effect-probe'] === undefined ? Infinity : Number(values['effect-probe']);
let effects = 0;
/** A kill point: the N-th one ends the process the hard way. */
function probe(): void {
  if (++probes === killAt) process.kill(process.pid, 'SIGKILL');
}

/** Deterministic random bytes: the agent draws once, first thing, so every run sees the same value. */
function seededRandom(seed: number): (length: number) => Uint8Array {
  return (length) => {
    const out = new Uint8Array(length);
    let state = createHash('sha256').update(`seed:${seed}`).digest();
    for (let i = 0; i < length; i++) {
      if (i % 32 === 0 && i > 0) state = createHash('sha256').update(state).digest();
      out[i] = state[i % 32];
    }
    return out;
  };
}

const http = fetchHttp();
const host = await NodeHost.open({
  dbPath: values.db as string,
  synchronous: values.synchronous as 'normal' | 'full',
  policy: { version: 1, id: 'crash', rules: [{ id: 'allow-all', kind: 'capability', effect: 'allow', capabilities: ['*'] }] },
  implementations: {
    http: {
      async fetch(request, context) {
        const response = await http.fetch(request, context);
        // The effect happened; its outcome is not journaled yet: the case idempotency keys exist for.
        if (++effects === killAtEffect) process.kill(process.pid, 'SIGKILL');
        probe();
        return response;
      },
    },
    random: seededRandom(Number(values.seed)),
  },
  // Small slices: more slice ends, and kills land inside guest code too.
  runtime: { checkEvery: 200_000n, scheduler: { kind: 'fcfs', sliceFuel: 2_000_000 } },
  onSlice: () => probe(),
});

// Every write of the store is a probe before and after, and journal writes are reported once acknowledged.
const store = host.store;
const put = store.put.bind(store);
const batch = store.batch.bind(store);
const ack = (key: string, value: Uint8Array): void => {
  if (key.includes('/journal/')) say({ ack: key, entry: new TextDecoder().decode(value) });
};
store.put = async (key, value) => {
  probe();
  const version = await put(key, value);
  ack(key, value);
  probe();
  return version;
};
store.batch = async (ops, options) => {
  probe();
  const result = await batch(ops, options);
  if (result.ok) for (const op of ops) if (op.type === 'put') ack(op.key, op.value);
  probe();
  return result;
};
// Journals flush through `putMany` when the store has it (journal.ts): the same probes and acks.
const many = store as Partial<PutManyStore>;
if (typeof many.putMany === 'function') {
  const putMany = many.putMany.bind(store);
  many.putMany = async (keys, values) => {
    probe();
    // The journal reuses its buffer after the write settles: read the values before it can.
    const copies = values.map((value) => value.slice());
    await putMany(keys, values);
    keys.forEach((key, i) => ack(key, copies[i]));
    probe();
  };
}

await host.registerTool('wordcount', new Uint8Array(readFileSync(values.tool as string)));
const existing = await host.records();
say({ ready: true, recovering: existing.length > 0, ms: Math.round(performance.now()) });
let id: string;
if (existing.length === 0) {
  id = await host.start({ component: new Uint8Array(readFileSync(values.agent as string)), type: 'crash-agent', goal: values.goal as string, budget: { fuel: 1e12 } });
} else {
  id = existing[0].id;
  await host.drive();
}
const status = host.runtime.status(id);
say({ done: true, id, status: status.status, result: status.result ?? null, probes, ms: Math.round(performance.now()) });
await host.close();
