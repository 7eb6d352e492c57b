/**
 * An OpenAI-compatible chat-completions provider over `fetch`: OpenAI itself,
 * and the many servers that copy its API (vLLM, llama.cpp, Ollama, LiteLLM,
 * Azure-style gateways). Portable: `fetch`, streams and TextDecoder only —
 * the host may pass its own `fetch` (e.g. one routed through its egress
 * policy). Sends `Idempotency-Key` so a retried or replayed call can be
 * recognised by servers that honour it.
 */
import { AgentOsError, isAgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { Completion } from '../runtime/index.ts';
import { httpFailure, readText } from './body.ts';
import { toFinishReason, toToolCall, toUsage, ToolNames, toWireRequest } from './convert.ts';
import type { LlmProvider, ProviderCall, ProviderRequest } from './provider.ts';
import { readSseEvents } from './sse.ts';
import { assembleStream, badResponse } from './stream.ts';
import { responseSchema } from './wire.ts';

export interface OpenAiProviderOptions {
  /** API root, e.g. `https://api.openai.com/v1`; requests go to `<baseUrl>/chat/completions`. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`; never reaches a guest. */
  apiKey?: string;
  /** Extra headers on every request (organisation, gateway keys...). */
  headers?: Record<string, string>;
  /** Use SSE streaming (`stream: true`) and assemble the answer; default false. */
  stream?: boolean;
  /** Gives up on one attempt after this long (ms); default 60,000. The failure is a retryable 'timeout'. */
  timeoutMs?: number;
  /** Most bytes of one answer (JSON body or whole stream); default 8 MiB. */
  maxResponseBytes?: number;
  /** Default the global `fetch`. */
  fetch?: typeof fetch;
  /** Time for HTTP-date Retry-After hints; default `Date.now`. */
  now?: () => number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

/**
 * @throws AgentOsError 'invalid-argument' for a baseUrl that is not an absolute http(s) URL.
 */
export function createOpenAiProvider(options: OpenAiProviderOptions): LlmProvider {
  let endpoint: URL;
  try {
    endpoint = new URL(`${options.baseUrl.replace(/\/+$/, '')}/chat/completions`);
  } catch (error) {
    throw new AgentOsError('invalid-argument', `baseUrl must be an absolute URL like https://api.openai.com/v1, got '${options.baseUrl}'.`, { cause: error });
  }
  if (endpoint.protocol !== 'https:' && endpoint.protocol !== 'http:') {
    throw new AgentOsError('invalid-argument', `baseUrl must use http: or https:, got ${endpoint.protocol}`);
  }
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_BYTES;
  const now = options.now ?? Date.now;
  const streaming = options.stream ?? false;

  return {
    name: `openai:${endpoint.host}`,
    async complete(request: ProviderRequest, call: ProviderCall): Promise<Completion> {
      const names = new ToolNames();
      const body = toWireRequest(request, names);
      if (streaming) Object.assign(body, { stream: true, stream_options: { include_usage: true } });
      const headers: Record<string, string> = {
        ...options.headers,
        'content-type': 'application/json',
        accept: streaming ? 'text/event-stream' : 'application/json',
        'idempotency-key': call.idempotencyKey,
      };
      if (options.apiKey !== undefined) headers.authorization = `Bearer ${options.apiKey}`;
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
      try {
        const response = await doFetch(endpoint, { method: 'POST', headers, body: JSON.stringify(body), signal });
        if (!response.ok) throw await httpFailure(response, { what: `The model provider at ${endpoint.host}`, now: now() });
        const type = response.headers.get('content-type') ?? '';
        // A server may ignore `stream: true` and answer in one piece; take what it sent.
        if (type.includes('text/event-stream')) {
          if (!response.body) throw badResponse('An event stream without a body.');
          return await assembleStream(readSseEvents(response.body, { maxBytes }), { request, names });
        }
        return parseResponse(await readText(response, maxBytes), request, names);
      } catch (error) {
        throw asProviderError(error, { timedOut: timeout.aborted, timeoutMs, host: endpoint.host });
      }
    },
  };
}

function parseResponse(text: string, request: ProviderRequest, names: ToolNames): Completion {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badResponse(`The body is not JSON: ${text.slice(0, 80)}`);
  }
  const parsed = responseSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badResponse(`The body is not a chat completion (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}).`);
  }
  const wire = parsed.data;
  const choice = wire.choices.find((c) => (c.index ?? 0) === 0) ?? wire.choices[0];
  const toolCalls = (choice.message.tool_calls ?? []).map((c, i) =>
    toToolCall({ id: c.id || `call_${i}`, name: c.function.name, arguments: c.function.arguments }, names));
  const message = { role: 'assistant' as const, content: choice.message.content ?? '', toolCalls };
  return {
    message,
    finishReason: toFinishReason(choice.finish_reason, toolCalls.length > 0),
    usage: toUsage(wire.usage, request, message),
    model: wire.model ?? request.model,
  };
}

/** Network failures and timeouts as AgentOsErrors (timeouts and resets are retryable). */
function asProviderError(error: unknown, context: { timedOut: boolean; timeoutMs: number; host: string }): unknown {
  if (isAgentOsError(error)) return error;
  if (context.timedOut) {
    return new AgentOsError('timeout', `The model provider at ${context.host} did not answer within ${context.timeoutMs} ms.`, { cause: error, details: { timeoutMs: context.timeoutMs } });
  }
  if (error instanceof Error && error.name === 'AbortError') return error;
  // fetch rejects with a TypeError for DNS, refused and reset connections. A gateway in our place would
  // answer 502, and that is how recovery should see it: transient, retried, counted by the breaker.
  return new AgentOsError('internal', `Could not reach the model provider at ${context.host}: ${error instanceof Error ? error.message : String(error)}`, {
    cause: error, details: { status: 502, kind: 'connection-failed' },
  });
}
