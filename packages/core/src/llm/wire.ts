/**
 * The OpenAI chat-completions wire format: request bodies we send (plain
 * types) and zod schemas for what comes back. Responses are outside input —
 * any OpenAI-compatible server, or something pretending to be one — so they
 * are validated once here and trusted as types afterwards. Schemas are loose
 * objects: providers add fields freely, and only the fields we read matter.
 */
import { z } from 'zod';

/** One message as the API takes it. */
export interface WireMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  tool_calls?: WireToolCall[];
  tool_call_id?: string;
}

export interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface WireTool {
  type: 'function';
  function: { name: string; description: string; parameters: unknown };
}

/** A chat-completions request body. */
export interface WireRequest {
  model: string;
  messages: WireMessage[];
  tools?: WireTool[];
  max_tokens?: number;
  temperature?: number;
  stream?: boolean;
  stream_options?: { include_usage: boolean };
}

const tokenCount = z.int().nonnegative().max(2 ** 31);

export const usageSchema = z.looseObject({
  prompt_tokens: tokenCount,
  completion_tokens: tokenCount,
  total_tokens: tokenCount.optional(),
});

const finishReason = z.string().nullish();

const toolCallSchema = z.looseObject({
  id: z.string().max(256),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string().min(1).max(256), arguments: z.string().nullish() }),
});

export const responseSchema = z.looseObject({
  model: z.string().optional(),
  choices: z
    .array(
      z.looseObject({
        index: z.int().optional(),
        message: z.looseObject({
          role: z.string().optional(),
          content: z.string().nullish(),
          tool_calls: z.array(toolCallSchema).nullish(),
        }),
        finish_reason: finishReason,
      }),
    )
    .min(1),
  usage: usageSchema.nullish(),
});

/** One tool-call fragment of a streamed chunk: `index` ties fragments together; id and name come first. */
const toolCallDeltaSchema = z.looseObject({
  index: z.int().nonnegative().max(1024),
  id: z.string().max(256).nullish(),
  type: z.string().nullish(),
  function: z.looseObject({ name: z.string().max(256).nullish(), arguments: z.string().nullish() }).nullish(),
});

export const chunkSchema = z.looseObject({
  model: z.string().optional(),
  choices: z.array(
    z.looseObject({
      index: z.int().optional(),
      delta: z
        .looseObject({
          role: z.string().nullish(),
          content: z.string().nullish(),
          tool_calls: z.array(toolCallDeltaSchema).nullish(),
        })
        .nullish(),
      finish_reason: finishReason,
    }),
  ),
  usage: usageSchema.nullish(),
});

/** The error body OpenAI-compatible servers send with 4xx/5xx. */
export const errorBodySchema = z.looseObject({
  error: z.looseObject({ message: z.string().optional(), type: z.string().nullish(), code: z.unknown().optional() }),
});

export type WireResponse = z.output<typeof responseSchema>;
export type WireChunk = z.output<typeof chunkSchema>;
export type WireUsage = z.output<typeof usageSchema>;
