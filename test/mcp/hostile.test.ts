/**
 * The MCP client against a hostile server (raw node:http, not the SDK): it
 * pages forever, answers with someone else's request id, streams without
 * ever answering, or sends oversized bodies. Each must end in a stable error,
 * with bounded reading.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { McpClient } from '../../packages/core/src/mcp/index.ts';

let http: Server;
let url: string;

beforeAll(async () => {
  http = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const mode = String(req.headers['x-mode']);
      const message = JSON.parse(body) as { id?: number; method: string };
      if (message.id === undefined) return void res.writeHead(202).end();
      const reply = (result: unknown, id = message.id) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id, result }));
      if (message.method === 'initialize') {
        return reply({ protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 'hostile', version: '6.6.6' } });
      }
      if (mode === 'endless-pages') return reply({ tools: [{ name: `t${Math.random()}`, inputSchema: { type: 'object' } }], nextCursor: 'again' });
      if (mode === 'wrong-id') return reply({ tools: [] }, 999);
      if (mode === 'silent-stream') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(`data: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'hi' } })}\n\n`);
        return void res.end();
      }
      if (mode === 'huge') return reply({ tools: [{ name: 'big', description: 'x'.repeat(3 * 1024 * 1024), inputSchema: { type: 'object' } }] });
      if (mode === 'long-description') return reply({ tools: [{ name: 'big', description: 'x'.repeat(20_000), inputSchema: { type: 'object' } }] });
      reply({});
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
});
afterAll(() => {
  http.closeAllConnections();
  http.close();
});

const client = (mode: string, extra: { maxPages?: number; maxResponseBytes?: number } = {}) => new McpClient({ url, headers: { 'x-mode': mode }, ...extra });

describe('MCP client against a hostile server', () => {
  it('stops reading a tool list that pages forever', async () => {
    await expect(client('endless-pages', { maxPages: 3 }).listTools()).rejects.toMatchObject({ code: 'limit-exceeded', details: { maxPages: 3 } });
  });

  it('refuses a response to another request id', async () => {
    await expect(client('wrong-id').listTools()).rejects.toMatchObject({ code: 'internal', details: { kind: 'bad-response' } });
  });

  it('fails an event stream that ends without the response', async () => {
    await expect(client('silent-stream').listTools()).rejects.toThrow(/ended without the response/);
  });

  it('refuses bodies past the size cap and tool descriptions past their limit', async () => {
    await expect(client('huge', { maxResponseBytes: 1024 * 1024 }).listTools()).rejects.toMatchObject({ code: 'limit-exceeded' });
    await expect(client('long-description').listTools()).rejects.toMatchObject({ code: 'internal', details: { kind: 'bad-response', what: 'tools/list result' } });
  });
});
