import { describe, expect, it } from 'vitest';
import type { CallContext, CompletionRequest } from '../runtime/index.ts';
import { createLlmCapability } from './capability.ts';
import { createWorkersAiProvider, type WorkersAiBinding } from './workers-ai.ts';

const context: CallContext = { agentId: 'a1', tenant: 'acme', agentType: 'edge', workspaceId: 'a1' };
const request: CompletionRequest = {
  messages: [{ role: 'user', content: 'count: a b c', toolCalls: [] }],
  tools: [{ name: 'word.count', version: '1.0.0', description: 'Counts words.', inputSchema: '{"type":"object"}', outputSchema: '{}' }],
  maxTokens: 100,
};

/**
 * A binding object with the documented `env.AI.run` contract: it records its
 * inputs and answers with the given output shape. Workers AI itself is not
 * reachable from tests; the shapes are those of the Workers AI docs.
 */
class RecordingBinding implements WorkersAiBinding {
  readonly runs: { model: string; inputs: Record<string, unknown> }[] = [];
  readonly answer: unknown;
  constructor(answer: unknown) {
    this.answer = answer;
  }
  async run(model: string, inputs: Record<string, unknown>): Promise<unknown> {
    this.runs.push({ model, inputs });
    if (this.answer instanceof Error) throw this.answer;
    return this.answer;
  }
}

describe('Workers AI provider', () => {
  it('sends messages and function tools to env.AI.run and reads the text-generation shape', async () => {
    const binding = new RecordingBinding({ response: null, tool_calls: [{ name: 'word_count', arguments: { text: 'a b c' } }], usage: { prompt_tokens: 20, completion_tokens: 8, total_tokens: 28 } });
    const llm = createLlmCapability({ provider: createWorkersAiProvider({ binding }), model: '@cf/meta/llama-3.3-70b-instruct-fp8-fast' });
    const completion = await llm.complete(request, context);
    expect(binding.runs[0]).toEqual({
      model: '@cf/meta/llama-3.3-70b-instruct-fp8-fast',
      inputs: { messages: [{ role: 'user', content: 'count: a b c' }], tools: [{ type: 'function', function: { name: 'word_count', description: 'Counts words.', parameters: { type: 'object' } } }], max_tokens: 100 },
    });
    expect(completion).toEqual({
      message: { role: 'assistant', content: '', toolCalls: [{ id: 'call_0', name: 'word.count', arguments: '{"text":"a b c"}' }] },
      finishReason: 'tool-calls', usage: { inputTokens: 20, outputTokens: 8 }, model: '@cf/meta/llama-3.3-70b-instruct-fp8-fast',
    });
  });

  it('reads the OpenAI-compatible shape some models answer with', async () => {
    const binding = new RecordingBinding({ model: 'gpt-oss', choices: [{ index: 0, message: { role: 'assistant', content: 'three' }, finish_reason: 'stop' }], usage: { prompt_tokens: 5, completion_tokens: 1 } });
    const llm = createLlmCapability({ provider: createWorkersAiProvider({ binding }), model: '@cf/openai/gpt-oss-120b' });
    expect(await llm.complete(request, context)).toMatchObject({ message: { content: 'three' }, finishReason: 'stop', usage: { inputTokens: 5, outputTokens: 1 }, model: 'gpt-oss' });
  });

  it('refuses an answer of unknown shape as internal bad-response', async () => {
    const llm = createLlmCapability({ provider: createWorkersAiProvider({ binding: new RecordingBinding({ response: 42 }) }), model: 'm' });
    await expect(llm.complete(request, context)).rejects.toMatchObject({ code: 'internal', details: { kind: 'bad-response' } });
  });

  it('maps a capacity error to rate-limited and retries it', async () => {
    let calls = 0;
    const binding: WorkersAiBinding = {
      async run() {
        if (++calls === 1) throw new Error('3040: Capacity temporarily exceeded, please try again.');
        return { response: 'ok', usage: { prompt_tokens: 1, completion_tokens: 1 } };
      },
    };
    const llm = createLlmCapability({ provider: createWorkersAiProvider({ binding }), model: 'm', retry: { random: () => 0, backoff: { baseMs: 1, capMs: 1 } } });
    expect((await llm.complete(request, context)).message.content).toBe('ok');
    expect(calls).toBe(2);
  });
});
