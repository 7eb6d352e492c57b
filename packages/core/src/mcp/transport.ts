/**
 * MCP's Streamable HTTP transport, client side: every JSON-RPC message is a
 * POST to the server's one endpoint, accepting `application/json` or
 * `text/event-stream`. A request is answered either by one JSON body or by
 * an event stream that carries the response (possibly after notifications
 * and server requests, which this client does not take up). The server may
 * hand out an `Mcp-Session-Id` at initialize; it goes back on every later
 * request, with the negotiated `MCP-Protocol-Version`. A 404 on a session
 * means the server forgot it: the client starts a new one.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { httpFailure, readSseEvents, readText } from '../llm/index.ts';
import { responseSchema, rpcFailure, parseFromServer, type RpcResponse } from './messages.ts';

export interface TransportOptions {
  /** The server's MCP endpoint, e.g. `https://tools.example/mcp`. */
  url: string;
  /** Extra headers on every request (e.g. an Authorization the host holds for this server). */
  headers?: Record<string, string>;
  /** Per request (ms); default 30,000. */
  timeoutMs?: number;
  /** Most bytes of one answer; default 4 MiB. */
  maxResponseBytes?: number;
  fetch?: typeof fetch;
}

/** Raised (as 'not-found', details.sessionExpired) when the server no longer knows our session. */
export function isSessionExpired(error: unknown): boolean {
  return error instanceof AgentOsError && error.details?.sessionExpired === true;
}

export class StreamableHttpTransport {
  readonly url: URL;
  sessionId: string | undefined;
  protocolVersion: string | undefined;
  readonly #options: TransportOptions;
  readonly #fetch: typeof fetch;
  #nextId = 1;

  /** @throws AgentOsError 'invalid-argument' for a URL that is not absolute http(s). */
  constructor(options: TransportOptions) {
    try {
      this.url = new URL(options.url);
    } catch (error) {
      throw new AgentOsError('invalid-argument', `An MCP server URL must be absolute, got '${options.url}'.`, { cause: error });
    }
    if (this.url.protocol !== 'https:' && this.url.protocol !== 'http:') {
      throw new AgentOsError('invalid-argument', `An MCP server URL uses http: or https:, got ${this.url.protocol}`);
    }
    this.#options = options;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /**
   * Sends a request and waits for its response's `result`.
   * @throws AgentOsError: the HTTP failure (status in details; 'not-found' with details.sessionExpired
   *   for a forgotten session), the JSON-RPC error ('invalid-argument', 'not-found', 'internal'),
   *   'timeout', 'internal' bad-response for malformed answers, 'limit-exceeded' past the size cap.
   */
  async request(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    const response = await this.#post({ jsonrpc: '2.0', id, method, params }, method);
    const type = response.headers.get('content-type') ?? '';
    const maxBytes = this.#options.maxResponseBytes ?? 4 * 1024 * 1024;
    let message: RpcResponse | undefined;
    if (type.includes('text/event-stream')) {
      if (!response.body) throw malformed('an event stream without a body', method);
      for await (const event of readSseEvents(response.body, { maxBytes })) {
        const candidate = parseJson(event.data, method);
        // Notifications and server-to-client requests may come first; only our response ends the wait.
        if (typeof candidate === 'object' && candidate !== null && (candidate as { id?: unknown }).id === id && ('result' in candidate || 'error' in candidate)) {
          message = parseFromServer(responseSchema, candidate, `${method} response`);
          break;
        }
      }
      if (!message) throw malformed(`an event stream that ended without the response to request ${id}`, method);
    } else if (type.includes('application/json')) {
      message = parseFromServer(responseSchema, parseJson(await readText(response, maxBytes), method), `${method} response`);
      if (message.id !== id) throw malformed(`a response for request ${String(message.id)} instead of ${id}`, method);
    } else {
      throw malformed(`content type '${type}' (expected application/json or text/event-stream)`, method);
    }
    if ('error' in message) throw rpcFailure(message.error as { code: number; message: string }, method);
    if (method === 'initialize') this.sessionId = response.headers.get('mcp-session-id') ?? undefined;
    return message.result;
  }

  /**
   * Sends a notification (no answer but 202).
   * @throws as `request`, for HTTP failures.
   */
  async notify(method: string, params: Record<string, unknown> = {}): Promise<void> {
    const response = await this.#post({ jsonrpc: '2.0', method, params }, method);
    await response.body?.cancel().catch(() => {});
  }

  /** Ends the session on the server (DELETE); servers may refuse (405), which is fine. */
  async close(): Promise<void> {
    if (this.sessionId === undefined) return;
    const headers = this.#headers();
    this.sessionId = undefined;
    try {
      const response = await this.#fetch(this.url, { method: 'DELETE', headers, signal: AbortSignal.timeout(this.#options.timeoutMs ?? 30_000) });
      await response.body?.cancel().catch(() => {});
    } catch {
      // The session will expire on its own; closing is a courtesy.
    }
  }

  #headers(): Record<string, string> {
    const headers: Record<string, string> = { ...this.#options.headers, accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
    if (this.sessionId !== undefined) headers['mcp-session-id'] = this.sessionId;
    if (this.protocolVersion !== undefined) headers['mcp-protocol-version'] = this.protocolVersion;
    return headers;
  }

  async #post(message: Record<string, unknown>, method: string): Promise<Response> {
    const timeoutMs = this.#options.timeoutMs ?? 30_000;
    const signal = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await this.#fetch(this.url, { method: 'POST', headers: this.#headers(), body: JSON.stringify(message), signal });
    } catch (error) {
      if (signal.aborted) throw new AgentOsError('timeout', `The MCP server at ${this.url.host} did not answer ${method} within ${timeoutMs} ms.`, { cause: error });
      throw new AgentOsError('internal', `Could not reach the MCP server at ${this.url.host}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error, details: { status: 502, kind: 'connection-failed' },
      });
    }
    if (response.status === 404 && this.sessionId !== undefined) {
      await response.body?.cancel().catch(() => {});
      this.sessionId = undefined;
      throw new AgentOsError('not-found', `The MCP server at ${this.url.host} no longer knows our session.`, { details: { sessionExpired: true, status: 404 } });
    }
    if (!response.ok) throw await httpFailure(response, { what: `The MCP server at ${this.url.host} (${method})`, now: Date.now() });
    return response;
  }
}

function parseJson(text: string, method: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw malformed(`a body that is not JSON (${text.slice(0, 60)})`, method);
  }
}

function malformed(what: string, method: string): AgentOsError {
  return new AgentOsError('internal', `The MCP server answered ${method} with ${what}.`, { details: { kind: 'bad-response', method } });
}
