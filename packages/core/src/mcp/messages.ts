/**
 * The MCP messages the client reads, as zod schemas: JSON-RPC 2.0 responses
 * and the results of `initialize`, `tools/list` and `tools/call`. An MCP
 * server is outside input (possibly hostile: a "rug pull" server changes its
 * tools after approval), so everything it sends is validated here, with
 * caps on sizes and counts, and trusted as types afterwards.
 */
import { z } from 'zod';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

/** Protocol revisions this client speaks (Streamable HTTP exists since 2025-03-26); the first is offered. */
export const PROTOCOL_VERSIONS = ['2025-06-18', '2025-03-26'] as const;

const id = z.union([z.string(), z.number()]);

export const responseSchema = z.union([
  z.looseObject({ jsonrpc: z.literal('2.0'), id, result: z.record(z.string(), z.unknown()) }),
  z.looseObject({
    jsonrpc: z.literal('2.0'),
    id: id.nullable(),
    error: z.looseObject({ code: z.int(), message: z.string(), data: z.unknown().optional() }),
  }),
]);

export type RpcResponse = z.output<typeof responseSchema>;

export const initializeResultSchema = z.looseObject({
  protocolVersion: z.string(),
  capabilities: z.looseObject({ tools: z.looseObject({}).optional() }),
  serverInfo: z.looseObject({ name: z.string(), version: z.string() }),
  instructions: z.string().optional(),
});

const text = (max: number) => z.string().max(max);

/** A tool as `tools/list` describes it. Extra fields are kept: they are part of what gets pinned. */
export const toolSchema = z.looseObject({
  name: z.string().min(1).max(128),
  title: text(256).optional(),
  description: text(16 * 1024).optional(),
  inputSchema: z.looseObject({ type: z.literal('object') }),
  outputSchema: z.looseObject({ type: z.literal('object') }).optional(),
  annotations: z.record(z.string(), z.unknown()).optional(),
});

export type McpTool = z.output<typeof toolSchema>;

export const listToolsResultSchema = z.looseObject({
  tools: z.array(toolSchema).max(1000),
  nextCursor: z.string().max(1024).optional(),
});

export const callToolResultSchema = z.looseObject({
  content: z.array(z.looseObject({ type: z.string() })).default([]),
  structuredContent: z.record(z.string(), z.unknown()).optional(),
  isError: z.boolean().optional(),
});

export type CallToolResult = z.output<typeof callToolResultSchema>;

/**
 * `schema.parse` for a server's answer.
 * @throws AgentOsError 'internal' (details.kind 'bad-response') naming the first problem.
 */
export function parseFromServer<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new AgentOsError('internal', `The MCP server sent a malformed ${what} (${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}).`, {
    details: { kind: 'bad-response', what },
  });
}

/** The AgentOsError for a JSON-RPC error object. */
export function rpcFailure(error: { code: number; message: string }, method: string): AgentOsError {
  const code = error.code === -32602 ? 'invalid-argument' : error.code === -32601 ? 'not-found' : 'internal';
  return new AgentOsError(code, `The MCP server refused ${method}: ${error.message.slice(0, 500)}`, { details: { rpcCode: error.code, method } });
}
