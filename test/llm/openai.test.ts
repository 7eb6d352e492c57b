import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLlmCapability, createOpenAiProvider } from '../../packages/core/src/llm/index.ts';
import { BreakerRegistry } from '../../packages/core/src/recovery/index.ts';
import type { CallContext, CompletionRequest } from '../../packages/core/src/runtime/index.ts';
import { startOpenAiServer, type OpenAiTestServer } from './openai-server.ts';
import { SkippingClock } from './support.ts';

const context: CallContext = { agentId: 'a1', tenant: 'acme', agentType: 'generic', workspaceId: 'a1' };
const wordcount = {
  name: 'mcp.docs.word-count', version: '1.0.0', description: 'Counts words.',
  inputSchema: JSON.stringify({ type: 'object', properties: { text: { type: 'string' } } }), outputSchema: '{}',
};
const ask = (content: string, extra: Partial<CompletionRequest> = {}): CompletionRequest => ({
  messages: [{ role: 'system', content: 'Be brief.', toolCalls: [] }, { role: 'user', content, toolCalls: [] }], tools: [wordcount], ...extra,
});

let server: OpenAiTestServer;
let crlf: OpenAiTestServer;
beforeAll(async () => {
  server = await startOpenAiServer();
  crlf = await startOpenAiServer({ lineEnd: '\r\n' });
});
afterAll(async () => {
  await server.close();
  await crlf.close();
});
beforeEach(() => {
  server.reset();
  crlf.reset();
});

function capability(options: { stream?: boolean; clock?: SkippingClock; maxAttempts?: number; breakers?: BreakerRegistry; base?: string } = {}) {
  const provider = createOpenAiProvider({ baseUrl: options.base ?? server.baseUrl, apiKey: 'sk-test', stream: options.stream, timeoutMs: 2_000 });
  return createLlmCapability({
    provider, model: 'local-1', models: ['local-1', 'local-2'], clock: options.clock ?? new SkippingClock(), breakers: options.breakers,
    retry: { maxAttempts: options.maxAttempts ?? 4, random: () => 0.5 },
  });
}

describe('OpenAI-compatible provider against a local server', () => {
  it('sends the conversation with provider-legal tool names, the API key and an Idempotency-Key, and maps the answer back', async () => {
    server.script({ reply: { toolCalls: [{ id: 'c1', name: 'mcp_docs_word-count', arguments: '{"text":"a b"}' }], usage: { prompt: 31, completion: 9 } } });
    const completion = await capability().complete(ask('count: a b'), { ...context, idempotencyKey: 'key-123' } as CallContext);
    expect(completion).toEqual({
      message: { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'mcp.docs.word-count', arguments: '{"text":"a b"}' }] },
      finishReason: 'tool-calls', usage: { inputTokens: 31, outputTokens: 9 }, model: 'local-1',
    });
    const [sent] = server.requests;
    expect(sent.headers.authorization).toBe('Bearer sk-test');
    expect(sent.headers['idempotency-key']).toBe('key-123');
    expect(sent.body).toMatchObject({ model: 'local-1', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'count: a b' }] });
    expect(sent.body.tools).toEqual([{ type: 'function', function: { name: 'mcp_docs_word-count', description: 'Counts words.', parameters: { type: 'object', properties: { text: { type: 'string' } } } } }]);
    expect(sent.body.stream).toBeUndefined();
  });

  it('sends assistant tool calls and tool results back in the wire shape', async () => {
    server.script({ reply: { content: 'It has 2 words.', usage: { prompt: 50, completion: 6 } } });
    const completion = await capability().complete({
      messages: [
        { role: 'user', content: 'count: a b', toolCalls: [] },
        { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'mcp.docs.word-count', arguments: '{"text":"a b"}' }] },
        { role: 'tool', content: '{"words":2}', toolCalls: [], toolCallId: 'c1' },
      ],
      tools: [wordcount], model: 'local-2', maxTokens: 64, temperature: 0,
    }, context);
    expect(completion).toMatchObject({ message: { content: 'It has 2 words.', toolCalls: [] }, finishReason: 'stop', model: 'local-2' });
    expect(server.requests[0].body).toMatchObject({
      model: 'local-2', max_tokens: 64, temperature: 0,
      messages: [
        { role: 'user', content: 'count: a b' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'mcp_docs_word-count', arguments: '{"text":"a b"}' } }] },
        { role: 'tool', content: '{"words":2}', tool_call_id: 'c1' },
      ],
    });
  });

  it('assembles a streamed answer: content pieces, tool-call argument deltas and the usage chunk', async () => {
    server.script({ reply: { content: 'Zählen… 🙂', toolCalls: [{ id: 'c7', name: 'lookup', arguments: '{"query":"ünïcode","limit":10}' }, { id: 'c8', name: 'mcp_docs_word-count', arguments: '{"text":"x y z"}' }], usage: { prompt: 120, completion: 33 } } });
    const completion = await capability({ stream: true }).complete(ask('go'), context);
    expect(server.requests[0].body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(server.requests[0].headers.accept).toBe('text/event-stream');
    expect(completion).toEqual({
      message: { role: 'assistant', content: 'Zählen… 🙂', toolCalls: [
        { id: 'c7', name: 'lookup', arguments: '{"query":"ünïcode","limit":10}' },
        { id: 'c8', name: 'mcp.docs.word-count', arguments: '{"text":"x y z"}' },
      ] },
      finishReason: 'tool-calls', usage: { inputTokens: 120, outputTokens: 33 }, model: 'local-1',
    });
  });

  it('reads streams with CRLF line ends', async () => {
    crlf.script({ reply: { content: 'two\nlines', usage: { prompt: 3, completion: 4 } } });
    const completion = await capability({ stream: true, base: crlf.baseUrl }).complete(ask('go'), context);
    expect(completion).toMatchObject({ message: { content: 'two\nlines' }, usage: { inputTokens: 3, outputTokens: 4 }, finishReason: 'stop' });
  });

  it('estimates usage when the provider reports none, so tokens are never free', async () => {
    server.script({ reply: { content: 'x'.repeat(40) } });
    const completion = await capability().complete(ask('y'.repeat(400)), context);
    expect(completion.usage.outputTokens).toBe(10);
    expect(completion.usage.inputTokens).toBeGreaterThanOrEqual(100);
  });
});

describe('retries and failures', () => {
  it('honours Retry-After on 429, retries a 500, and keeps one Idempotency-Key across attempts', async () => {
    const clock = new SkippingClock();
    server.script({ status: 429, retryAfter: '2' }, { status: 500 }, { reply: { content: 'finally', usage: { prompt: 1, completion: 1 } } });
    const completion = await capability({ clock }).complete(ask('hi'), context);
    expect(completion.message.content).toBe('finally');
    expect(server.requests).toHaveLength(3);
    const keys = new Set(server.requests.map((r) => r.headers['idempotency-key']));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(clock.waits[0]).toBeGreaterThanOrEqual(2_000);
    expect(clock.waits).toHaveLength(2);
  });

  it('gives up after the attempts with the last failure as rate-limited', async () => {
    server.script({ status: 429, retryAfter: '1' }, { status: 429, retryAfter: '1' });
    await expect(capability({ maxAttempts: 2 }).complete(ask('hi'), context)).rejects.toMatchObject({ code: 'rate-limited', details: { status: 429, retryAfterMs: 1000 } });
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry a malformed body: it fails once as internal bad-response', async () => {
    server.script({ malformed: '{"choices": [' });
    await expect(capability().complete(ask('hi'), context)).rejects.toMatchObject({ code: 'internal', details: { kind: 'bad-response' } });
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a well-formed JSON body that is not a completion (outside input is validated)', async () => {
    server.script({ malformed: JSON.stringify({ choices: [{ message: { content: 5 } }], usage: { prompt_tokens: -3, completion_tokens: 1 } }) });
    await expect(capability().complete(ask('hi'), context)).rejects.toMatchObject({ code: 'internal', details: { kind: 'bad-response' } });
  });

  it('fails a truncated stream instead of returning half an answer', async () => {
    server.script({ rawStream: 'data: {"choices":[{"index":0,"delta":{"content":"half"}}]}\n\n' });
    await expect(capability({ stream: true }).complete(ask('hi'), context)).rejects.toThrow(/ended before the answer was complete/);
  });

  it('does not retry client errors (400 is invalid-argument)', async () => {
    server.script({ status: 400, body: '{"error":{"message":"bad tool schema"}}' });
    await expect(capability().complete(ask('hi'), context)).rejects.toMatchObject({ code: 'invalid-argument', message: expect.stringContaining('bad tool schema') });
    expect(server.requests).toHaveLength(1);
  });

  it('refuses a model the host does not offer before calling the provider', async () => {
    await expect(capability().complete(ask('hi', { model: 'gpt-expensive' }), context)).rejects.toMatchObject({ code: 'policy-denied' });
    expect(server.requests).toHaveLength(0);
  });

  it('opens the circuit breaker after repeated 5xx and then fails fast without calling', async () => {
    const breakers = new BreakerRegistry({ defaults: { failureThreshold: 3, coolDownMs: 60_000 } });
    const llm = capability({ maxAttempts: 1, breakers });
    for (let i = 0; i < 3; i++) server.script({ status: 503 });
    for (let i = 0; i < 3; i++) await expect(llm.complete(ask('hi'), context)).rejects.toMatchObject({ details: { status: 503 } });
    await expect(llm.complete(ask('hi'), context)).rejects.toMatchObject({ code: 'rate-limited', details: { circuit: 'open' } });
    expect(server.requests).toHaveLength(3);
    expect(breakers.snapshot()).toEqual([expect.objectContaining({ state: 'open', key: expect.stringMatching(/^capability:llm\.complete:openai:127\.0\.0\.1:/) })]);
  });

  it('times out a hanging server as a retryable timeout', async () => {
    server.script({ hangMs: 1_000 });
    const provider = createOpenAiProvider({ baseUrl: server.baseUrl, timeoutMs: 150 });
    const llm = createLlmCapability({ provider, model: 'local-1', retry: false });
    await expect(llm.complete(ask('hi'), context)).rejects.toMatchObject({ code: 'timeout' });
  });

  it('reports a refused connection as a retryable gateway failure', async () => {
    const provider = createOpenAiProvider({ baseUrl: 'http://127.0.0.1:9/v1' });
    const llm = createLlmCapability({ provider, model: 'm', retry: { maxAttempts: 2, random: () => 0 }, clock: new SkippingClock() });
    await expect(llm.complete(ask('hi'), context)).rejects.toMatchObject({ code: 'internal', details: { kind: 'connection-failed', status: 502 } });
  });

  it('stops reading an endless stream at the size cap', async () => {
    const chunk = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: 'x'.repeat(1000) } }] })}\n\n`;
    server.script({ rawStream: chunk.repeat(200) });
    const provider = createOpenAiProvider({ baseUrl: server.baseUrl, stream: true, maxResponseBytes: 64 * 1024 });
    await expect(createLlmCapability({ provider, model: 'm', retry: false }).complete(ask('hi'), context)).rejects.toMatchObject({ code: 'limit-exceeded' });
  });

  it('refuses streamed tool-call fragments with an absurd index', async () => {
    const chunk = { choices: [{ index: 0, delta: { tool_calls: [{ index: 100_000, id: 'c', function: { name: 'x', arguments: '{}' } }] }, finish_reason: 'tool_calls' }] };
    server.script({ rawStream: `data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n` });
    await expect(capability({ stream: true }).complete(ask('hi'), context)).rejects.toMatchObject({ code: 'internal', details: { kind: 'bad-response' } });
  });
});
