/**
 * The http capability behind a real Runtime and a real guest (the `prober`
 * example agent, a QuickJS component): the guest's `http.fetch` goes through
 * the runtime's gate into `createHttpCapability`, which refuses a private
 * destination (the agent gets `denied` as data) and injects the API key for
 * the allowed host. Afterwards the audit JSONL and the agent's workspace hold
 * no spelling of the key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, generateAuditSigner, PolicyEngine } from '../../packages/core/src/index.ts';
import { createHttpCapability, type Resolve } from '../../packages/core/src/http/index.ts';
import { MemoryKv, Runtime } from '../../packages/core/src/runtime/index.ts';
import { MemorySecretStore, redacting, Secrets, secretVariants } from '../../packages/core/src/secrets/index.ts';
import { nodeTransport } from '../../packages/node/src/http/index.ts';
import { Engine } from '../../packages/sandbox/src/index.ts';
import { buildAgent } from '../e2e/agents.ts';
import { TENANT, worldCapabilities } from '../e2e/world.ts';
import { echo, listen, type Listener } from './listeners.ts';

const SECRET = 'sk-live-runtime-5a1c9e77d2';
let api: Listener;
let victim: Listener;
let prober: Uint8Array;

beforeAll(async () => {
  api = await listen(echo);
  victim = await listen();
  prober = await buildAgent('prober');
});
afterAll(async () => {
  await api.close();
  await victim.close();
});

const resolve: Resolve = async (host) => (host === 'api.example.com' ? ['127.0.0.1'] : Promise.reject(new Error(`ENOTFOUND ${host}`)));

describe('http capability behind the Runtime', () => {
  it('refuses a private destination as data, injects the key for the allowed host, and stores no trace of it', async () => {
    const secrets = await Secrets.load({
      store: new MemorySecretStore({ API_KEY: SECRET }),
      inject: [{ capability: 'http.fetch', host: 'api.example.com', header: 'Authorization', value: 'Bearer {{secret:API_KEY}}' }],
    });
    const { signer } = await generateAuditSigner();
    const audit = new AuditLog({ signer });
    const capabilities = worldCapabilities();
    const kv = new MemoryKv();
    const http = createHttpCapability({
      policy: { allow: [{ host: 'api.example.com', schemes: ['http'], ports: [api.port], methods: ['post'] }, { host: '127.0.0.1', schemes: ['http'], ports: [victim.port], methods: ['post'] }] },
      resolve, transport: nodeTransport(), secrets, allowPrivateAddresses: [`127.0.0.1:${api.port}`],
    });
    const runtime = new Runtime({
      engine: new Engine(), capabilities, policy: new PolicyEngine({ policy: { version: 1, id: 'http', rules: [{ id: 'all', kind: 'capability', effect: 'allow' }] } }),
      audit: redacting((event: { kind: string; data: Record<string, unknown> }) => void audit.append(event), secrets.redactor),
      implementations: { http, kv },
    });
    await runtime.registerAgent('prober', prober);
    const budget = { fuel: 5_000_000_000, tokens: 1000 };
    const denied = await runtime.spawn({ type: 'prober', goal: `http://0x7f.1:${victim.port}/upload`, tenant: TENANT, budget });
    const allowed = await runtime.spawn({ type: 'prober', goal: `http://api.example.com:${api.port}/upload?k={{secret:API_KEY}}`, tenant: TENANT, budget });
    await runtime.run();

    expect((runtime.status(denied).result as { value: string }).value).toMatch(/^refused: denied: .*loopback/);
    expect(victim.seen).toEqual([]);
    expect((runtime.status(allowed).result as { value: string }).value).toBe('sent: 200');
    expect(api.seen).toHaveLength(1);
    expect(api.seen[0]).toMatchObject({ method: 'POST', url: '/upload?k={{secret:API_KEY}}', body: 'secret notes' });
    expect(api.seen[0].headers.authorization).toBe(`Bearer ${SECRET}`);

    const stored = [await audit.exportJsonl(), ...[denied, allowed].map((id) => new TextDecoder().decode(kv.get(id, 'report')))].join('\n');
    expect(stored).toContain('sent: 200');
    expect(secretVariants(SECRET).filter((v) => stored.includes(v))).toEqual([]);
  });
});
