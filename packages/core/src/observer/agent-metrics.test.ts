import { describe, expect, it } from 'vitest';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { AgentMetrics, outcomeOf } from './agent-metrics.ts';
import { MetricRegistry } from './registry.ts';
import { toPrometheusText } from './prometheus.ts';
import { Tracer } from './tracer.ts';

describe('AgentMetrics', () => {
  it('maps how a call ended to a small set of outcomes', () => {
    expect(outcomeOf()).toBe('success');
    expect(outcomeOf(new AgentOsError('policy-denied', 'no'))).toBe('denied');
    expect(outcomeOf(new AgentOsError('deadline', 'late'))).toBe('timeout');
    expect(outcomeOf(new AgentOsError('out-of-fuel', 'spent'))).toBe('exhausted');
    expect(outcomeOf(new AgentOsError('rate-limited', 'slow down'))).toBe('rate-limited');
    expect(outcomeOf(new Error('?'))).toBe('error');
  });

  it('counts calls by outcome and computes success rates', () => {
    const metrics = new AgentMetrics(new MetricRegistry());
    expect(metrics.successRate()).toBeUndefined();
    metrics.recordCall('web.fetch');
    metrics.recordCall('web.fetch');
    metrics.recordCall('web.fetch', new AgentOsError('timeout', 't'));
    metrics.recordCall('fs.read', new AgentOsError('capability-denied', 'd'));
    expect(metrics.successRate('web.fetch')).toBeCloseTo(2 / 3);
    expect(metrics.successRate()).toBe(0.5);
    expect(metrics.calls.get({ capability: 'fs.read', outcome: 'denied' })).toBe(1);
  });

  it('exposes the standard metrics in Prometheus text', () => {
    const registry = new MetricRegistry();
    const metrics = new AgentMetrics(registry);
    metrics.queueLength.set({ queue: 'ready' }, 4);
    metrics.tokensSpent.inc({ tenant: 'acme', agent_type: 'researcher' }, 1200);
    metrics.fuelSpent.inc({ tenant: 'acme', agent_type: 'researcher' }, 5e9);
    metrics.schedulingLatency.observe({ policy: 'mlfq' }, 0.0003);
    metrics.setBreakerState('tool:web.fetch', 'open');
    const text = toPrometheusText(registry.collect());
    expect(text).toContain('agentos_queue_length{queue="ready"} 4\n');
    expect(text).toContain('agentos_tokens_spent_total{tenant="acme",agent_type="researcher"} 1200\n');
    expect(text).toContain('agentos_fuel_spent_total{tenant="acme",agent_type="researcher"} 5000000000\n');
    expect(text).toContain('agentos_scheduling_latency_seconds_bucket{policy="mlfq",le="0.0001"} 0\n');
    expect(text).toContain('agentos_scheduling_latency_seconds_bucket{policy="mlfq",le="0.0005"} 1\n');
    expect(text).toContain('agentos_circuit_breaker_state{key="tool:web.fetch"} 2\n');
    expect(text).toContain('# TYPE agentos_spans_dropped_total counter\n');
  });

  it('reports spans dropped by a tracer on each collect', () => {
    const registry = new MetricRegistry();
    const metrics = new AgentMetrics(registry);
    const tracer = new Tracer({ buffer: { capacity: 1 } });
    metrics.trackTracer(tracer);
    for (let i = 0; i < 3; i++) tracer.startSpan('s').end();
    registry.collect();
    expect(metrics.spansDropped.get()).toBe(2);
    tracer.startSpan('s').end();
    registry.collect();
    registry.collect();
    expect(metrics.spansDropped.get()).toBe(3);
  });
});
