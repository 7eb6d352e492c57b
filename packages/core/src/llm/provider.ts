/**
 * What the llm capability needs from a model backend: one completion per
 * call, in the runtime's types. The OpenAI-compatible HTTP client and the
 * Workers AI binding adapter are the two providers; tests may add their own
 * real ones (a local server), never a stand-in for the capability itself.
 */
import type { Completion, CompletionRequest } from '../runtime/index.ts';

/** A completion request whose model is decided (the request's, or the capability's default). */
export type ProviderRequest = CompletionRequest & { model: string };

/** Per-call facts a provider passes on. */
export interface ProviderCall {
  /** The same for every attempt of one logical call (retries, a replay after a crash). */
  idempotencyKey: string;
  /** Aborts the attempt. */
  signal?: AbortSignal;
}

export interface LlmProvider {
  /** Names the backend in breaker keys and errors, e.g. `openai:api.openai.com`. */
  readonly name: string;
  /**
   * One attempt at a completion.
   * @throws AgentOsError with the code a guest should see ('rate-limited', 'timeout',
   *   'invalid-argument', 'not-found', 'internal', ...) and, for HTTP failures, `details.status`
   *   and `details.retryAfterMs`, which decide retries.
   */
  complete(request: ProviderRequest, call: ProviderCall): Promise<Completion>;
}
