/**
 * Assembling a streamed completion. With `stream: true` the answer arrives as
 * `chat.completion.chunk` events: content deltas to concatenate, tool-call
 * fragments keyed by `index` (id and name in the first fragment, the JSON
 * arguments spread over many), a finish reason, and — because we ask with
 * `stream_options.include_usage` — one last chunk with the usage and no
 * choices, before `data: [DONE]`.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { ChatMessage, Completion, CompletionRequest } from '../runtime/index.ts';
import { toFinishReason, toToolCall, toUsage, type ToolNames } from './convert.ts';
import type { SseEvent } from './sse.ts';
import { chunkSchema, type WireUsage } from './wire.ts';

/** Most tool calls one streamed answer may ask for. */
const MAX_TOOL_CALLS = 128;

interface PartialCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Reads chunk events up to `[DONE]` and returns the completion they add up to.
 * @throws AgentOsError 'internal' (details.kind 'bad-response') for a chunk that is not
 *   JSON or not a chunk, a tool call without id or name, or a stream that ends
 *   before any finish reason; 'limit-exceeded' for more than 128 tool calls.
 */
export async function assembleStream(
  events: AsyncIterable<SseEvent>,
  context: { request: CompletionRequest & { model: string }; names: ToolNames },
): Promise<Completion> {
  let content = '';
  let finish: string | null | undefined;
  let usage: WireUsage | undefined;
  let model = context.request.model;
  let done = false;
  const calls: PartialCall[] = [];
  for await (const event of events) {
    if (event.data === '[DONE]') {
      done = true;
      break;
    }
    const chunk = parseChunk(event.data);
    if (chunk.model) model = chunk.model;
    if (chunk.usage) usage = chunk.usage;
    // n = 1: only the first choice is ours.
    const choice = chunk.choices.find((c) => (c.index ?? 0) === 0);
    if (!choice) continue;
    if (choice.finish_reason) finish = choice.finish_reason;
    const delta = choice.delta;
    if (!delta) continue;
    if (delta.content) content += delta.content;
    for (const fragment of delta.tool_calls ?? []) {
      if (fragment.index >= MAX_TOOL_CALLS) {
        throw new AgentOsError('limit-exceeded', `The model asked for more than ${MAX_TOOL_CALLS} tool calls in one answer.`, { details: { max: MAX_TOOL_CALLS } });
      }
      const call = (calls[fragment.index] ??= { id: '', name: '', arguments: '' });
      if (fragment.id) call.id = fragment.id;
      // Some servers repeat the name in every fragment; the first one names the call.
      if (fragment.function?.name && !call.name) call.name = fragment.function.name;
      if (fragment.function?.arguments) call.arguments += fragment.function.arguments;
    }
  }
  if (!done && finish === undefined) throw badResponse('The stream ended before the answer was complete (no finish reason, no [DONE]).');
  const toolCalls = calls.filter(Boolean).map((call, i) => {
    if (!call.name) throw badResponse(`Streamed tool call ${i} has no function name.`);
    return toToolCall({ ...call, id: call.id || `call_${i}` }, context.names);
  });
  const message: ChatMessage = { role: 'assistant', content, toolCalls };
  return { message, finishReason: toFinishReason(finish, toolCalls.length > 0), usage: toUsage(usage, context.request, message), model };
}

function parseChunk(data: string) {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw badResponse(`A stream chunk is not JSON: ${data.slice(0, 80)}`);
  }
  const parsed = chunkSchema.safeParse(json);
  if (!parsed.success) throw badResponse(`A stream chunk does not have the chat.completion.chunk shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** A provider answer we cannot use; not retried (the same request would likely get the same answer). */
export function badResponse(message: string, details: Record<string, unknown> = {}): AgentOsError {
  return new AgentOsError('internal', `The model provider sent an unusable answer: ${message}`, { details: { kind: 'bad-response', ...details } });
}
