/**
 * Recovery: how the agent OS gets over failures without a person, and hands
 * over to one when it cannot.
 *
 *   - classify:   which failures are transient (worth a retry) and which are not
 *   - backoff:    exponential delays with full / equal / decorrelated jitter
 *   - retry:      retries with backoff, retry-after hints and escalation to a person
 *   - breakers:   a circuit breaker per tool and per capability, in a registry
 *   - checkpoint: snapshot and roll back agent state, last K kept in a store
 *   - saga:       compensation (undo) of effects, newest first, each at most once
 *
 * Time and randomness are injected (a `Clock`, a `() => number`), so every
 * delay and state change can be replayed in tests.
 */

export { Backoff, type BackoffOptions, type Jitter } from './backoff.ts';
export {
  type ClassifyOptions, type Classifier, RETRYABLE_CODES, type RetryClassification,
  classifyError, isCircuitOpen, isRetryableStatus, parseRetryAfter,
} from './classify.ts';
export type { Escalate, EscalationContext, EscalationDecision } from './escalation.ts';
export { type AttemptInfo, type RetryEvent, type RetryOptions, retry } from './retry.ts';
export { type BreakerState, type BreakerTransition, CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.ts';
export {
  BreakerRegistry, type BreakerRegistryOptions, type BreakerSnapshot, capabilityBreakerKey, toolBreakerKey,
} from './breaker-registry.ts';
export {
  type CheckpointInfo, CheckpointManager, type CheckpointManagerOptions, type CheckpointStore, type Checkpointable,
  MemoryCheckpointStore,
} from './checkpoint.ts';
export { type CompensationFailure, type CompensationReport, Saga, type SagaOptions, type SagaState } from './compensation.ts';
