import { describe, expect, it } from 'vitest';
import { MetricRegistry } from './registry.ts';
import { escapeLabelValue, formatValue, toPrometheusText } from './prometheus.ts';

describe('toPrometheusText', () => {
  it('writes HELP and TYPE lines and one sample per series', () => {
    const registry = new MetricRegistry();
    registry.counter({ name: 'agentos_calls_total', help: 'Calls by outcome.', labelNames: ['capability', 'outcome'] }).inc({ capability: 'web.fetch', outcome: 'success' }, 3);
    registry.gauge({ name: 'agentos_queue_length', help: 'Queue.' }).set(2);
    expect(toPrometheusText(registry.collect())).toBe([
      '# HELP agentos_calls_total Calls by outcome.',
      '# TYPE agentos_calls_total counter',
      'agentos_calls_total{capability="web.fetch",outcome="success"} 3',
      '# HELP agentos_queue_length Queue.',
      '# TYPE agentos_queue_length gauge',
      'agentos_queue_length 2',
      '',
    ].join('\n'));
  });

  it('escapes backslash, double quote and newline in label values, and backslash and newline in help', () => {
    const registry = new MetricRegistry();
    registry.counter({ name: 'c_total', help: 'line one\nback\\slash "quoted"', labelNames: ['path'] }).inc({ path: 'C:\\dir\n"x"' });
    const text = toPrometheusText(registry.collect());
    expect(text).toContain('# HELP c_total line one\\nback\\\\slash "quoted"\n');
    expect(text).toContain('c_total{path="C:\\\\dir\\n\\"x\\""} 1\n');
    expect(text.split('\n')).toHaveLength(4);
  });

  it('writes histograms as cumulative buckets ending in +Inf, then sum and count', () => {
    const registry = new MetricRegistry();
    const histogram = registry.histogram({ name: 'agentos_scheduling_latency_seconds', help: 'Latency.', labelNames: ['policy'], buckets: [0.01, 0.1, 1] });
    for (const v of [0.005, 0.05, 0.05, 0.5, 3]) histogram.observe({ policy: 'fcfs' }, v);
    expect(toPrometheusText(registry.collect())).toBe([
      '# HELP agentos_scheduling_latency_seconds Latency.',
      '# TYPE agentos_scheduling_latency_seconds histogram',
      'agentos_scheduling_latency_seconds_bucket{policy="fcfs",le="0.01"} 1',
      'agentos_scheduling_latency_seconds_bucket{policy="fcfs",le="0.1"} 3',
      'agentos_scheduling_latency_seconds_bucket{policy="fcfs",le="1"} 4',
      'agentos_scheduling_latency_seconds_bucket{policy="fcfs",le="+Inf"} 5',
      'agentos_scheduling_latency_seconds_sum{policy="fcfs"} 3.605',
      'agentos_scheduling_latency_seconds_count{policy="fcfs"} 5',
      '',
    ].join('\n'));
  });

  it('follows the exposition grammar on every sample line', () => {
    const registry = new MetricRegistry();
    registry.histogram({ name: 'h', help: 'x', labelNames: ['a'] }).observe({ a: 'we"ird\\' }, 0.2);
    registry.gauge({ name: 'g', help: 'x', labelNames: ['a', 'b'] }).set({ a: '1' }, Number.NEGATIVE_INFINITY);
    const sample = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? (\+Inf|-Inf|NaN|-?\d+(\.\d+)?(e[+-]?\d+)?)$/;
    const lines = toPrometheusText(registry.collect()).trimEnd().split('\n');
    for (const line of lines.filter((l) => !l.startsWith('#'))) expect(line).toMatch(sample);
    expect(lines).toContain('g{a="1",b=""} -Inf');
  });

  it('formats special values the Prometheus way', () => {
    expect([Infinity, -Infinity, NaN, 0.5, 42].map(formatValue)).toEqual(['+Inf', '-Inf', 'NaN', '0.5', '42']);
    expect(escapeLabelValue('plain')).toBe('plain');
    expect(toPrometheusText([])).toBe('');
  });
});
