/**
 * The llm capability: chat completion for agents (the WIT `llm` interface).
 *
 *   - createLlmCapability — the runtime's `LlmImplementation`: model choice,
 *     idempotency key, retries + circuit breaker, usage reporting
 *   - createOpenAiProvider — any OpenAI-compatible chat-completions server,
 *     JSON or SSE streaming, tool calls, usage
 *   - createWorkersAiProvider — Cloudflare Workers AI through an `env.AI` binding
 *   - readSseEvents — the incremental text/event-stream reader (MCP uses it too)
 *
 * Portable: fetch, streams, TextDecoder; provider answers are validated with zod.
 */
export { createLlmCapability, type LlmCapabilityOptions } from './capability.ts';
export { createOpenAiProvider, type OpenAiProviderOptions } from './openai.ts';
export { createWorkersAiProvider, type WorkersAiBinding, type WorkersAiProviderOptions } from './workers-ai.ts';
export type { LlmProvider, ProviderCall, ProviderRequest } from './provider.ts';
export { readSseEvents, type ReadSseOptions, type SseEvent } from './sse.ts';
export { readText, httpFailure } from './body.ts';
export { ToolNames } from './convert.ts';
