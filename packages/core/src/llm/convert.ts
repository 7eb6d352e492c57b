/**
 * Between the runtime's completion types (the WIT `llm` interface as jco maps
 * it) and the chat-completions wire format. Tool names are the one thing
 * that does not carry over as is: providers accept `[A-Za-z0-9_-]{1,64}`,
 * while agentos names tools like `mcp.docs.search`; each request gets a
 * reversible mapping so the model sees legal names and the agent gets its own
 * names back in the tool calls.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { ChatMessage, Completion, CompletionRequest, ToolCall, ToolDescription } from '../runtime/index.ts';
import type { WireMessage, WireRequest, WireTool, WireUsage } from './wire.ts';

const LEGAL_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** Tool names as the agent knows them ↔ as the provider sees them, for one request. */
export class ToolNames {
  readonly #toWire = new Map<string, string>();
  readonly #fromWire = new Map<string, string>();

  /** The provider-legal name of `name`, made unique within this request. */
  wire(name: string): string {
    const known = this.#toWire.get(name);
    if (known !== undefined) return known;
    let candidate = LEGAL_NAME.test(name) ? name : (name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64) || 'tool');
    for (let n = 2; this.#fromWire.has(candidate); n++) candidate = `${candidate.slice(0, 60)}_${n}`;
    this.#toWire.set(name, candidate);
    this.#fromWire.set(candidate, name);
    return candidate;
  }

  /** The agent's name for a name the provider used; unknown names pass through (the tool call then fails as not-found). */
  original(wireName: string): string {
    return this.#fromWire.get(wireName) ?? wireName;
  }
}

/**
 * The wire request for a completion request (model already resolved).
 * @throws AgentOsError 'invalid-argument' when a tool's input schema is not JSON.
 */
export function toWireRequest(request: CompletionRequest & { model: string }, names: ToolNames): WireRequest {
  const body: WireRequest = { model: request.model, messages: request.messages.map((m) => toWireMessage(m, names)) };
  if (request.tools.length > 0) body.tools = request.tools.map((t) => toWireTool(t, names));
  if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  return body;
}

function toWireMessage(message: ChatMessage, names: ToolNames): WireMessage {
  const wire: WireMessage = { role: message.role, content: message.content };
  if (message.toolCalls.length > 0) {
    wire.tool_calls = message.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: names.wire(call.name), arguments: call.arguments } }));
    // The API wants null, not "", beside tool calls.
    if (message.content === '') wire.content = null;
  }
  if (message.toolCallId !== undefined) wire.tool_call_id = message.toolCallId;
  return wire;
}

function toWireTool(tool: ToolDescription, names: ToolNames): WireTool {
  let parameters: unknown;
  try {
    parameters = JSON.parse(tool.inputSchema);
  } catch (error) {
    throw new AgentOsError('invalid-argument', `The input schema of tool ${tool.name} is not JSON; fix the tool's describe().`, { cause: error, details: { tool: tool.name } });
  }
  return { type: 'function', function: { name: names.wire(tool.name), description: tool.description, parameters } };
}

/** The WIT finish reason for a provider's; an unknown or missing one reads as `stop` (or `tool-calls` when there are calls). */
export function toFinishReason(reason: string | null | undefined, hasToolCalls: boolean): Completion['finishReason'] {
  switch (reason) {
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content-filter';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    default:
      return hasToolCalls ? 'tool-calls' : 'stop';
  }
}

/** A tool call as the agent sees it: its own tool name, and `{}` for empty arguments. */
export function toToolCall(call: { id: string; name: string; arguments: string | null | undefined }, names: ToolNames): ToolCall {
  const args = call.arguments ?? '';
  return { id: call.id, name: names.original(call.name), arguments: args.trim() === '' ? '{}' : args };
}

/**
 * Usage as the WIT record. A provider that reports none is not let off: the
 * tokens are estimated (about 4 characters per token), because free tokens
 * would let an agent spend past its budget.
 */
export function toUsage(usage: WireUsage | null | undefined, request: CompletionRequest, message: ChatMessage): Completion['usage'] {
  if (usage) return { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
  const input = request.messages.reduce((n, m) => n + m.content.length + m.toolCalls.reduce((k, c) => k + c.arguments.length, 0), 0);
  const output = message.content.length + message.toolCalls.reduce((k, c) => k + c.name.length + c.arguments.length, 0);
  return { inputTokens: Math.ceil(input / 4), outputTokens: Math.ceil(output / 4) };
}
