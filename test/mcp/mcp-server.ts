/**
 * A local MCP server built with the official SDK (`Server` +
 * `StreamableHTTPServerTransport`) on node:http at 127.0.0.1, for the MCP
 * client suites. Stateful: one SDK server and transport per session, as the
 * SDK's own examples do. Its tool catalog can be changed while it runs (to
 * play a "rug pull" server), its tool list is paged (`pageSize`), it answers
 * in SSE or, with `json: true`, in plain JSON, and `forgetSessions()` drops
 * every session (the client must start a new one).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';

export interface TestTool {
  definition: Tool;
  run(args: Record<string, unknown>): { text: string; structured?: Record<string, unknown>; isError?: boolean };
}

export interface McpTestServer {
  url: string;
  /** The tools served, by name; change it to change what the server lists. */
  tools: Map<string, TestTool>;
  /** Requests seen: method, session header and protocol version header. */
  seen: { method: string; session: string | undefined; protocol: string | undefined }[];
  calls: { name: string; args: Record<string, unknown> }[];
  forgetSessions(): void;
  close(): Promise<void>;
}

export function wordcountTool(description = 'Counts the words of a text.'): TestTool {
  return {
    definition: {
      name: 'word-count', description,
      inputSchema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
      outputSchema: { type: 'object', properties: { words: { type: 'number' } } },
    },
    run: (args) => {
      if (typeof args.text !== 'string') return { text: 'text must be a string', isError: true };
      const words = args.text.split(/\s+/).filter(Boolean).length;
      return { text: `${words} words`, structured: { words } };
    },
  };
}

export function echoTool(name: string): TestTool {
  return {
    definition: { name, description: `Echoes its input (${name}).`, inputSchema: { type: 'object' } },
    run: (args) => ({ text: JSON.stringify(args) }),
  };
}

export async function startMcpServer(options: { json?: boolean; pageSize?: number } = {}): Promise<McpTestServer> {
  const tools = new Map<string, TestTool>();
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const seen: McpTestServer['seen'] = [];
  const calls: McpTestServer['calls'] = [];
  const pageSize = options.pageSize ?? 100;

  function newSession(): StreamableHTTPServerTransport {
    const server = new Server({ name: 'test-tools', version: '2.1.0' }, { capabilities: { tools: { listChanged: true } } });
    server.setRequestHandler(ListToolsRequestSchema, async (request) => {
      const all = [...tools.values()].map((t) => t.definition);
      const start = request.params?.cursor === undefined ? 0 : Number(request.params.cursor);
      const page = all.slice(start, start + pageSize);
      return start + pageSize < all.length ? { tools: page, nextCursor: String(start + pageSize) } : { tools: page };
    });
    server.setRequestHandler(CallToolRequestSchema, async (request) => {
      const tool = tools.get(request.params.name);
      if (!tool) throw new Error(`unknown tool ${request.params.name}`);
      const args = (request.params.arguments ?? {}) as Record<string, unknown>;
      calls.push({ name: request.params.name, args });
      const out = tool.run(args);
      return { content: [{ type: 'text', text: out.text }], ...(out.structured ? { structuredContent: out.structured } : {}), ...(out.isError ? { isError: true } : {}) };
    });
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: options.json ?? false,
      onsessioninitialized: (id) => void sessions.set(id, transport),
    });
    void server.connect(transport);
    return transport;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body = text ? JSON.parse(text) : undefined;
    const session = req.headers['mcp-session-id'] as string | undefined;
    seen.push({ method: req.method === 'POST' ? body?.method ?? '?' : req.method ?? '?', session, protocol: req.headers['mcp-protocol-version'] as string | undefined });
    let transport = session === undefined ? undefined : sessions.get(session);
    if (!transport) {
      if (session !== undefined) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }));
        return;
      }
      transport = newSession();
    }
    await transport.handleRequest(req, res, body);
  }

  const http = createServer((req, res) => void handle(req, res).catch((error) => res.writeHead(500).end(String(error))));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    tools, seen, calls,
    forgetSessions: () => {
      for (const transport of sessions.values()) void transport.close();
      sessions.clear();
    },
    close: async () => {
      for (const transport of sessions.values()) await transport.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
