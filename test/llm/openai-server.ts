/**
 * A local OpenAI-compatible chat-completions server (node:http on
 * 127.0.0.1) for the llm suites: it answers from a script of canned turns —
 * a reply (content, tool calls, usage) sent as JSON or, when the request asks
 * for `stream: true`, as SSE chunks cut into small writes; or an injected
 * failure (a status with Retry-After, a malformed body, a hang). It records
 * every request (headers and body), so tests can check what the client sent.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CannedReply {
  content?: string;
  toolCalls?: { id: string; name: string; arguments: string }[];
  finishReason?: string;
  /** Omit to send no usage at all. */
  usage?: { prompt: number; completion: number };
  model?: string;
}

export type Turn =
  | { reply: CannedReply }
  | { status: number; retryAfter?: string; body?: string }
  | { malformed: string }
  /** Streams these raw bytes as text/event-stream, as is. */
  | { rawStream: string }
  | { hangMs: number };

export interface RecordedRequest {
  headers: IncomingMessage['headers'];
  body: Record<string, unknown> & { messages: { role: string; content: string | null; tool_calls?: unknown[]; tool_call_id?: string }[] };
}

export interface OpenAiTestServer {
  /** `http://127.0.0.1:<port>/v1` */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Adds turns to the end of the script. */
  script(...turns: (Turn | ((request: RecordedRequest) => Turn))[]): void;
  /** Forgets the recorded requests and any turns not served yet. */
  reset(): void;
  close(): Promise<void>;
}

/** Bytes per write of a streamed answer: small, so chunks split lines, fields and UTF-8 sequences. */
const WRITE_BYTES = 7;

export async function startOpenAiServer(options: { lineEnd?: '\n' | '\r\n' } = {}): Promise<OpenAiTestServer> {
  const queue: (Turn | ((request: RecordedRequest) => Turn))[] = [];
  const requests: RecordedRequest[] = [];
  const lineEnd = options.lineEnd ?? '\n';
  const server = createServer((req, res) => {
    void handle(req, res).catch((error) => {
      res.statusCode = 599;
      res.end(String(error));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"unknown route"}}');
      return;
    }
    const request: RecordedRequest = { headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
    requests.push(request);
    const next = queue.shift();
    if (!next) {
      res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"the test script has no more turns"}}');
      return;
    }
    const turn = typeof next === 'function' ? next(request) : next;
    if ('hangMs' in turn) {
      await new Promise((resolve) => setTimeout(resolve, turn.hangMs));
      res.destroy();
      return;
    }
    if ('status' in turn) {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (turn.retryAfter !== undefined) headers['retry-after'] = turn.retryAfter;
      res.writeHead(turn.status, headers).end(turn.body ?? JSON.stringify({ error: { message: `injected ${turn.status}`, type: 'test' } }));
      return;
    }
    if ('malformed' in turn) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(turn.malformed);
      return;
    }
    if ('rawStream' in turn) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      await writeSlowly(res, turn.rawStream);
      res.end();
      return;
    }
    const model = turn.reply.model ?? String(request.body.model);
    if (request.body.stream === true) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const withUsage = (request.body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
      await writeSlowly(res, streamText(turn.reply, model, withUsage, lineEnd));
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(completionBody(turn.reply, model)));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (...turns) => void queue.push(...turns),
    reset: () => {
      queue.length = 0;
      requests.length = 0;
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function completionBody(reply: CannedReply, model: string): Record<string, unknown> {
  const toolCalls = reply.toolCalls?.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));
  return {
    id: 'chatcmpl-test', object: 'chat.completion', created: 1, model,
    choices: [{ index: 0, message: { role: 'assistant', content: reply.content ?? null, ...(toolCalls ? { tool_calls: toolCalls } : {}) }, finish_reason: reply.finishReason ?? (toolCalls ? 'tool_calls' : 'stop') }],
    ...(reply.usage ? { usage: { prompt_tokens: reply.usage.prompt, completion_tokens: reply.usage.completion, total_tokens: reply.usage.prompt + reply.usage.completion } } : {}),
  };
}

/** The chunks OpenAI sends for `reply`: role, content pieces, tool-call fragments, finish, usage, [DONE]. */
function streamText(reply: CannedReply, model: string, withUsage: boolean, lineEnd: string): string {
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 1, model, choices, ...extra })}${lineEnd}${lineEnd}`;
  let out = `: keep-alive${lineEnd}${lineEnd}` + chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
  for (const piece of pieces(reply.content ?? '', 3)) out += chunk([{ index: 0, delta: { content: piece }, finish_reason: null }]);
  reply.toolCalls?.forEach((call, index) => {
    out += chunk([{ index: 0, delta: { tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }, finish_reason: null }]);
    for (const piece of pieces(call.arguments, 4)) out += chunk([{ index: 0, delta: { tool_calls: [{ index, function: { arguments: piece } }] }, finish_reason: null }]);
  });
  out += chunk([{ index: 0, delta: {}, finish_reason: reply.finishReason ?? (reply.toolCalls ? 'tool_calls' : 'stop') }]);
  if (withUsage && reply.usage) {
    out += chunk([], { usage: { prompt_tokens: reply.usage.prompt, completion_tokens: reply.usage.completion, total_tokens: reply.usage.prompt + reply.usage.completion } });
  }
  return `${out}data: [DONE]${lineEnd}${lineEnd}`;
}

function pieces(text: string, size: number): string[] {
  const chars = [...text];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += size) out.push(chars.slice(i, i + size).join(''));
  return out;
}

async function writeSlowly(res: ServerResponse, text: string): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += WRITE_BYTES) {
    res.write(bytes.subarray(i, i + WRITE_BYTES));
    // Let each write go out on its own, so the client really sees split chunks.
    if (i % (WRITE_BYTES * 16) === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}
