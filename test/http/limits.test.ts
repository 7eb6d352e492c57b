/**
 * Byte, time and header limits of the http capability against real
 * listeners: oversized bodies are cut at the cap ('limit-exceeded'), slow
 * servers hit the deadline ('timeout'), header injection never leaves the
 * host. Runs over both transports (Node's pinned one and the platform fetch).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpCapability, fetchTransport, type HttpTransport } from '../../packages/core/src/http/index.ts';
import type { CallContext, HttpRequest } from '../../packages/core/src/runtime/index.ts';
import { nodeTransport } from '../../packages/node/src/http/index.ts';
import { AgentOsError } from '../../packages/sandbox/src/errors/index.ts';
import { listen, type Listener } from './listeners.ts';

const context: CallContext = { agentId: 'a1', tenant: 'acme', agentType: 'fetcher', workspaceId: 'a1' };
const CAP = 64 * 1024;
let server: Listener;
let streamed = 0;

beforeAll(async () => {
  server = await listen((req, res) => {
    switch (req.url) {
      case '/declared-big':
        res.setHeader('content-length', String(10 * CAP));
        res.end(Buffer.alloc(10 * CAP, 97));
        return;
      case '/endless': {
        // No Content-Length: only streaming with a cap stops this.
        const chunk = Buffer.alloc(16 * 1024, 98);
        const pump = () => {
          while (!res.destroyed && res.write(chunk)) streamed += chunk.length;
          if (!res.destroyed) res.once('drain', pump);
        };
        res.on('close', () => res.removeAllListeners('drain'));
        pump();
        return;
      }
      case '/exact':
        res.end(Buffer.alloc(CAP, 99));
        return;
      case '/stall':
        return; // never answers
      case '/slow-body':
        res.write('first bytes');
        return; // never finishes
      default:
        res.end('ok');
    }
  });
});
afterAll(() => server.close());

async function refusal(promise: unknown): Promise<AgentOsError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AgentOsError) return error;
    throw error;
  }
  throw new Error('the request was not refused');
}

const transports: [string, () => HttpTransport][] = [
  ['node transport', () => nodeTransport()],
  ['fetch transport', () => fetchTransport()],
];

for (const [name, transport] of transports) {
  describe(`limits over the ${name}`, () => {
    const http = () =>
      createHttpCapability({
        policy: { allow: [{ host: '127.0.0.1', schemes: ['http'], ports: [server.port], methods: ['get', 'post'] }], maxResponseBytes: CAP, timeoutMs: 2_000 },
        transport: transport(),
        allowPrivateAddresses: [`127.0.0.1:${server.port}`],
      });
    const get = (path: string, extra: Partial<HttpRequest> = {}): HttpRequest => ({ method: 'get', url: `${server.origin}${path}`, headers: [], ...extra });

    it('returns a body of exactly the cap', async () => {
      const response = await http().fetch(get('/exact'), context);
      expect(response.body.length).toBe(CAP);
    });

    it('refuses a declared oversized body with limit-exceeded', async () => {
      const error = await refusal(http().fetch(get('/declared-big'), context));
      expect(error.code).toBe('limit-exceeded');
      expect(error.details).toMatchObject({ reason: 'response-too-large', limitBytes: CAP });
    });

    it('cuts an endless body at the cap and stops reading', async () => {
      const error = await refusal(http().fetch(get('/endless'), context));
      expect(error.code).toBe('limit-exceeded');
      expect(error.details?.seenBytes).toBeGreaterThan(CAP);
      expect(error.details?.seenBytes).toBeLessThan(CAP + 256 * 1024);
    });

    it('gives up on a server that never answers with timeout, at the guest-asked deadline', async () => {
      const error = await refusal(http().fetch(get('/stall', { timeoutMs: 150 }), context));
      expect(error.code).toBe('timeout');
      expect(error.details).toMatchObject({ timeoutMs: 150 });
    });

    it('gives up on a body that never finishes with timeout', async () => {
      const error = await refusal(http().fetch(get('/slow-body', { timeoutMs: 150 }), context));
      expect(error.code).toBe('timeout');
    });

    it('caps a guest deadline at the policy deadline', async () => {
      const capped = createHttpCapability({
        policy: { allow: [{ host: '127.0.0.1', schemes: ['http'], ports: [server.port] }], timeoutMs: 120 },
        transport: transport(), allowPrivateAddresses: [`127.0.0.1:${server.port}`],
      });
      const error = await refusal(capped.fetch(get('/stall', { timeoutMs: 60_000 }), context));
      expect(error.details).toMatchObject({ timeoutMs: 120 });
    });
  });
}

describe('header injection never reaches the wire', () => {
  const before = () => server.seen.length;
  const http = () =>
    createHttpCapability({
      policy: { allow: [{ host: '127.0.0.1', schemes: ['http'], ports: [server.port], methods: ['get', 'post'] }], maxRequestBytes: 1024 },
      transport: nodeTransport(),
      allowPrivateAddresses: [`127.0.0.1:${server.port}`],
    });

  it.each([
    [['x-a', 'b\r\nHost: evil.example'], 'invalid-header'],
    [['x-a', 'b\nX-Injected: 1'], 'invalid-header'],
    [['x-a', 'b\rX-Injected: 1'], 'invalid-header'],
    [['x-a', 'nul\0byte'], 'invalid-header'],
    [['x-a', 'wide \u0100 char'], 'invalid-header'],
    [['x-a\r\nx-b', 'c'], 'invalid-header'],
    [['bad name', 'c'], 'invalid-header'],
    [[':authority', 'evil.example'], 'invalid-header'],
    [['Host', 'evil.example'], 'forbidden-header'],
    [['host', 'evil.example'], 'forbidden-header'],
    [['Content-Length', '0'], 'forbidden-header'],
    [['Transfer-Encoding', 'chunked'], 'forbidden-header'],
    [['Connection', 'upgrade'], 'forbidden-header'],
    [['Upgrade', 'websocket'], 'forbidden-header'],
    [['Proxy-Authorization', 'Basic eA=='], 'forbidden-header'],
    [['TE', 'trailers'], 'forbidden-header'],
  ] as [[string, string], string][])('refuses header %j with %s', async (header, reason) => {
    const count = before();
    const error = await refusal(http().fetch({ method: 'get', url: `${server.origin}/`, headers: [header] }, context));
    expect(error.code).toBe('invalid-argument');
    expect(error.details?.reason).toBe(reason);
    expect(server.seen.length).toBe(count);
  });

  it('refuses an oversized request body and a body on GET', async () => {
    const count = before();
    const big = await refusal(http().fetch({ method: 'post', url: `${server.origin}/`, headers: [], body: new Uint8Array(2048) }, context));
    const onGet = await refusal(http().fetch({ method: 'get', url: `${server.origin}/`, headers: [], body: new Uint8Array(1) }, context));
    expect([big.code, big.details?.reason]).toEqual(['limit-exceeded', 'request-too-large']);
    expect(onGet.code).toBe('invalid-argument');
    expect(server.seen.length).toBe(count);
  });

  it('sends ordinary headers and an idempotency key for POST as given', async () => {
    const http = createHttpCapability({
      policy: { allow: [{ host: '127.0.0.1', schemes: ['http'], ports: [server.port], methods: ['post'] }] },
      transport: nodeTransport(), allowPrivateAddresses: [`127.0.0.1:${server.port}`],
      idempotencyKey: (_request, ctx) => `call-${ctx.agentId}-1`,
    });
    await http.fetch({ method: 'post', url: `${server.origin}/`, headers: [['X-Trace', 'a\tb']], body: new Uint8Array([1]) }, context);
    await http.fetch({ method: 'post', url: `${server.origin}/`, headers: [['Idempotency-Key', 'mine']], body: new Uint8Array([1]) }, context);
    const [first, second] = server.seen.slice(-2);
    expect(first.headers['x-trace']).toBe('a\tb');
    expect(first.headers['idempotency-key']).toBe('call-a1-1');
    expect(second.headers['idempotency-key']).toBe('mine');
  });
});
