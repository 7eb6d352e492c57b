/**
 * The agent OS's standard metrics, defined once so every host exports the
 * same names: queue lengths, tokens and fuel spent, calls by outcome (the
 * success rate is `calls{outcome="success"} / calls`), scheduling latency,
 * circuit breaker states and spans dropped by the tracer.
 */

import { isAgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { Counter, Gauge, Histogram } from './metrics.ts';
import type { MetricRegistry } from './registry.ts';

/** Outcome label of a call: how it ended, coarse enough to keep cardinality low. */
export type CallOutcome = 'success' | 'denied' | 'timeout' | 'rate-limited' | 'exhausted' | 'error';

/** Scheduling latencies are short: 100 µs to 5 s. */
export const SCHEDULING_BUCKETS: readonly number[] = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5];

/** Maps how a call ended to its outcome label. */
export function outcomeOf(error?: unknown): CallOutcome {
  if (error === undefined) return 'success';
  if (!isAgentOsError(error)) return 'error';
  switch (error.code) {
    case 'capability-denied':
    case 'policy-denied':
      return 'denied';
    case 'timeout':
    case 'deadline':
      return 'timeout';
    case 'rate-limited':
      return 'rate-limited';
    case 'out-of-fuel':
    case 'memory-limit':
    case 'budget-exceeded':
    case 'quota-exceeded':
    case 'limit-exceeded':
      return 'exhausted';
    default:
      return 'error';
  }
}

const BREAKER_STATE_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

export class AgentMetrics {
  /** agentos_queue_length{queue}: processes waiting, per scheduler queue. */
  readonly queueLength: Gauge;
  /** agentos_tokens_spent_total{tenant, agent_type}. */
  readonly tokensSpent: Counter;
  /** agentos_fuel_spent_total{tenant, agent_type}: WebAssembly instructions metered. */
  readonly fuelSpent: Counter;
  /** agentos_calls_total{capability, outcome}. */
  readonly calls: Counter;
  /** agentos_scheduling_latency_seconds{policy}: from ready to running. */
  readonly schedulingLatency: Histogram;
  /** agentos_circuit_breaker_state{key}: 0 closed, 1 half-open, 2 open. */
  readonly breakerState: Gauge;
  /** agentos_spans_dropped_total: finished spans lost to a full trace buffer. */
  readonly spansDropped: Counter;
  readonly #registry: MetricRegistry;

  /** @throws AgentOsError 'invalid-argument' when the registry already has one of these names with another shape. */
  constructor(registry: MetricRegistry) {
    this.#registry = registry;
    this.queueLength = registry.gauge({ name: 'agentos_queue_length', help: 'Processes waiting in a scheduler queue.', labelNames: ['queue'] });
    this.tokensSpent = registry.counter({ name: 'agentos_tokens_spent_total', help: 'Model tokens spent by agents.', labelNames: ['tenant', 'agent_type'] });
    this.fuelSpent = registry.counter({ name: 'agentos_fuel_spent_total', help: 'Fuel (metered WebAssembly instructions) spent by agents and tools.', labelNames: ['tenant', 'agent_type'] });
    this.calls = registry.counter({ name: 'agentos_calls_total', help: 'Capability calls by outcome; success rate = outcome="success" over all.', labelNames: ['capability', 'outcome'] });
    this.schedulingLatency = registry.histogram({ name: 'agentos_scheduling_latency_seconds', help: 'Time from ready to running.', labelNames: ['policy'], buckets: SCHEDULING_BUCKETS });
    this.breakerState = registry.gauge({ name: 'agentos_circuit_breaker_state', help: 'Circuit breaker state: 0 closed, 1 half-open, 2 open.', labelNames: ['key'] });
    this.spansDropped = registry.counter({ name: 'agentos_spans_dropped_total', help: 'Finished spans dropped because the trace buffer was full.' });
  }

  /** Counts one call of `capability`, ended by `error` (undefined = success). */
  recordCall(capability: string, error?: unknown): void {
    this.calls.inc({ capability, outcome: outcomeOf(error) });
  }

  /** Share of successful calls (of one capability, or all), or undefined before any call. */
  successRate(capability?: string): number | undefined {
    let total = 0;
    let succeeded = 0;
    for (const series of this.calls.snapshot().series) {
      const labels = Object.fromEntries(series.labels);
      if (capability !== undefined && labels.capability !== capability) continue;
      total += series.value;
      if (labels.outcome === 'success') succeeded += series.value;
    }
    return total === 0 ? undefined : succeeded / total;
  }

  /** Reports a tracer's dropped spans in `spansDropped` on every collect of the registry. */
  trackTracer(tracer: { readonly dropped: number }): void {
    let seen = 0;
    this.#registry.onCollect(() => {
      const dropped = tracer.dropped;
      if (dropped > seen) this.spansDropped.inc(dropped - seen);
      seen = dropped;
    });
  }

  /** Sets a breaker's state gauge (wire to `BreakerRegistry`'s onStateChange). */
  setBreakerState(key: string, state: keyof typeof BREAKER_STATE_VALUE): void {
    this.breakerState.set({ key }, BREAKER_STATE_VALUE[state]);
  }
}
