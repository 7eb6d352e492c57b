/**
 * Workers AI at the edge: a provider over a Cloudflare `Ai` binding
 * (`env.AI.run(model, inputs)`), for agents hosted in Workers / Durable
 * Objects. No API key and no HTTP: the binding is the credential. The
 * binding's answer comes in two documented shapes, both handled:
 *   - text-generation models: `{ response, tool_calls: [{ name, arguments }], usage }`
 *     (tool calls without ids, arguments as an object);
 *   - OpenAI-compatible models: a `chat.completion` object (`choices`, `usage`).
 * There is no idempotency header on a binding; retries are still bounded by
 * the capability's retry policy and a replay is served from the journal.
 */
import { z } from 'zod';
import { AgentOsError, isAgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { Completion, ToolCall } from '../runtime/index.ts';
import { toFinishReason, toToolCall, toUsage, ToolNames, toWireRequest } from './convert.ts';
import type { LlmProvider, ProviderCall, ProviderRequest } from './provider.ts';
import { badResponse } from './stream.ts';
import { responseSchema, usageSchema } from './wire.ts';

/** The part of Cloudflare's `Ai` binding this provider uses. */
export interface WorkersAiBinding {
  run(model: string, inputs: Record<string, unknown>, options?: Record<string, unknown>): Promise<unknown>;
}

export interface WorkersAiProviderOptions {
  /** `env.AI`. */
  binding: WorkersAiBinding;
  /** Passed as the third argument of `run` (e.g. `{ gateway: { id } }` for AI Gateway). */
  runOptions?: Record<string, unknown>;
}

const legacySchema = z.looseObject({
  response: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
  tool_calls: z
    .array(z.looseObject({ id: z.string().max(256).optional(), name: z.string().min(1).max(256), arguments: z.unknown().optional() }))
    .max(128)
    .nullish(),
  usage: usageSchema.nullish(),
});

export function createWorkersAiProvider(options: WorkersAiProviderOptions): LlmProvider {
  return {
    name: 'workers-ai',
    async complete(request: ProviderRequest, call: ProviderCall): Promise<Completion> {
      call.signal?.throwIfAborted();
      const names = new ToolNames();
      const { model, ...inputs } = toWireRequest(request, names);
      let answer: unknown;
      try {
        answer = await options.binding.run(model, inputs, options.runOptions);
      } catch (error) {
        throw bindingFailure(error, model);
      }
      if (typeof answer === 'object' && answer !== null && 'choices' in answer) return fromChatCompletion(answer, request, names);
      return fromTextGeneration(answer, request, names);
    },
  };
}

function fromTextGeneration(answer: unknown, request: ProviderRequest, names: ToolNames): Completion {
  const parsed = legacySchema.safeParse(answer);
  if (!parsed.success) throw badResponse(`Workers AI answered in an unknown shape (${parsed.error.issues[0]?.message ?? 'invalid'}).`);
  const { response, tool_calls: calls, usage } = parsed.data;
  const toolCalls: ToolCall[] = (calls ?? []).map((c, i) =>
    toToolCall({ id: c.id ?? `call_${i}`, name: c.name, arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {}) }, names));
  // JSON-mode models answer with an object instead of text.
  const content = typeof response === 'string' ? response : response ? JSON.stringify(response) : '';
  const message = { role: 'assistant' as const, content, toolCalls };
  return { message, finishReason: toFinishReason(undefined, toolCalls.length > 0), usage: toUsage(usage, request, message), model: request.model };
}

function fromChatCompletion(answer: unknown, request: ProviderRequest, names: ToolNames): Completion {
  const parsed = responseSchema.safeParse(answer);
  if (!parsed.success) throw badResponse(`Workers AI answered with a malformed chat completion (${parsed.error.issues[0]?.message ?? 'invalid'}).`);
  const choice = parsed.data.choices[0];
  const toolCalls = (choice.message.tool_calls ?? []).map((c, i) => toToolCall({ id: c.id || `call_${i}`, name: c.function.name, arguments: c.function.arguments }, names));
  const message = { role: 'assistant' as const, content: choice.message.content ?? '', toolCalls };
  return { message, finishReason: toFinishReason(choice.finish_reason, toolCalls.length > 0), usage: toUsage(parsed.data.usage, request, message), model: parsed.data.model ?? request.model };
}

/**
 * The binding throws plain Errors whose messages carry Workers AI's error
 * codes; capacity and rate errors are worth a retry, the rest are not.
 */
function bindingFailure(error: unknown, model: string): AgentOsError {
  if (isAgentOsError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/capacity|rate limit|too many requests|3040|3036/i.test(message)) {
    return new AgentOsError('rate-limited', `Workers AI is busy for ${model}: ${message}`, { cause: error, details: { status: 429 } });
  }
  if (/no such model|model not found|5007/i.test(message)) {
    return new AgentOsError('not-found', `Workers AI has no model ${model}: ${message}`, { cause: error, details: { model } });
  }
  return new AgentOsError('internal', `Workers AI failed for ${model}: ${message}`, { cause: error });
}
