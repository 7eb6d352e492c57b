/**
 * The llm capability: what the runtime calls behind the guest's
 * `llm.complete` (an `LlmImplementation`). It picks the model (the request's,
 * if allowed, else the default), gives the call one idempotency key for all
 * its attempts (the journal's key when the call is journaled), retries
 * transient failures with backoff through a circuit breaker per provider,
 * and reports each completion's token usage.
 *
 * Where usage goes: the Runtime charges `completion.usage` to the process
 * budget (ProcessManager → the scheduler's slice reports, which the
 * token-budget policy reads) and to the entitlement (CapabilityManager, whose
 * total the policy's budget rules see as `tokensUsed`). `onUsage` is for
 * hosts that use the capability without a Runtime, and for metering.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { Clock } from '../clock/index.ts';
import { BreakerRegistry, capabilityBreakerKey, retry, type RetryEvent, type RetryOptions } from '../recovery/index.ts';
import type { CallContext, Completion, CompletionRequest, LlmImplementation } from '../runtime/index.ts';
import type { LlmProvider } from './provider.ts';

export interface LlmCapabilityOptions {
  provider: LlmProvider;
  /** The model used when a request names none. */
  model: string;
  /** Models a request may name; default only `model`. A request naming another is refused ('policy-denied'). */
  models?: readonly string[];
  /**
   * Retries of transient failures (429 with Retry-After, 5xx, timeouts, lost connections);
   * `false` for none. Default: 4 attempts, 200 ms base, 10 s cap, Retry-After hints up to 30 s.
   */
  retry?: Pick<RetryOptions<Completion>, 'maxAttempts' | 'backoff' | 'random' | 'maxRetryAfterMs' | 'maxElapsedMs'> | false;
  /** Breakers shared with the rest of the host; default a registry of its own. Key: `capability:llm.complete:<provider>`. */
  breakers?: BreakerRegistry;
  /** Time for backoff waits and breakers; default the real clock. */
  clock?: Clock;
  /** Called once per completion with what it cost. */
  onUsage?: (usage: { inputTokens: number; outputTokens: number; model: string }, context: CallContext) => void;
  onRetry?: (event: RetryEvent, context: CallContext) => void;
  /** Makes an idempotency key when the call context carries none; default `crypto.randomUUID()`. */
  newKey?: () => string;
}

/** The call context as the durable runtime extends it (CONTRACTS.md, journal). */
type JournaledContext = CallContext & { idempotencyKey?: string };

/**
 * @throws AgentOsError 'invalid-argument' when the default model is empty or missing from `models`.
 */
export function createLlmCapability(options: LlmCapabilityOptions): LlmImplementation {
  const allowed = new Set(options.models ?? [options.model]);
  if (!options.model || !allowed.has(options.model)) {
    throw new AgentOsError('invalid-argument', `The default model '${options.model}' must be non-empty and listed in models.`, { details: { model: options.model } });
  }
  const breakers = options.breakers ?? new BreakerRegistry({ defaults: { clock: options.clock } });
  const breakerKey = `${capabilityBreakerKey('llm.complete')}:${options.provider.name}`;
  const newKey = options.newKey ?? (() => crypto.randomUUID());
  const retryOptions = options.retry === false ? { maxAttempts: 1 } : {
    maxAttempts: 4, backoff: { baseMs: 200, capMs: 10_000 }, maxRetryAfterMs: 30_000, ...options.retry,
  };

  return {
    async complete(request: CompletionRequest, context: CallContext): Promise<Completion> {
      const model = request.model ?? options.model;
      if (!allowed.has(model)) {
        throw new AgentOsError('policy-denied', `Model ${model} is not offered to agents here; use one of: ${[...allowed].join(', ')}.`, { details: { model } });
      }
      // One key for every attempt: a server that saw attempt 1 succeed can answer attempt 2 from its cache.
      const idempotencyKey = (context as JournaledContext).idempotencyKey ?? newKey();
      const completion = await retry(
        () => breakers.execute(breakerKey, () => options.provider.complete({ ...request, model }, { idempotencyKey })),
        {
          ...retryOptions,
          clock: options.clock,
          operation: `llm.complete:${options.provider.name}`,
          onRetry: options.onRetry && ((event) => options.onRetry?.(event, context)),
        },
      );
      options.onUsage?.({ ...completion.usage, model: completion.model }, context);
      return completion;
    },
  };
}
