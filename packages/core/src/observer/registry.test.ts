import { describe, expect, it } from 'vitest';
import { OVERFLOW_LABEL_VALUE } from './metrics.ts';
import { MetricRegistry } from './registry.ts';

describe('MetricRegistry', () => {
  it('counts per label set and reads values back', () => {
    const registry = new MetricRegistry();
    const calls = registry.counter({ name: 'calls_total', help: 'h', labelNames: ['outcome'] });
    calls.inc({ outcome: 'success' });
    calls.inc({ outcome: 'success' }, 2);
    calls.inc({ outcome: 'error' });
    expect(calls.get({ outcome: 'success' })).toBe(3);
    expect(calls.get({ outcome: 'error' })).toBe(1);
    expect(calls.get({ outcome: 'never' })).toBe(0);
    const plain = registry.counter({ name: 'plain_total', help: 'h' });
    plain.inc();
    plain.inc(4);
    expect(plain.get()).toBe(5);
  });

  it('refuses to decrease a counter and rejects unknown labels', () => {
    const registry = new MetricRegistry();
    const counter = registry.counter({ name: 'c_total', help: 'h', labelNames: ['a'] });
    expect(() => counter.inc(-1)).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => counter.inc({ b: 'x' })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(counter.get()).toBe(0);
  });

  it('sets, raises and lowers gauges', () => {
    const gauge = new MetricRegistry().gauge({ name: 'queue_length', help: 'h', labelNames: ['queue'] });
    gauge.set({ queue: 'ready' }, 5);
    gauge.inc({ queue: 'ready' });
    gauge.dec({ queue: 'ready' }, 3);
    expect(gauge.get({ queue: 'ready' })).toBe(3);
  });

  it('puts histogram observations in the first bucket whose bound holds them (le is inclusive), cumulatively', () => {
    const histogram = new MetricRegistry().histogram({ name: 'latency_seconds', help: 'h', buckets: [0.1, 1, 10] });
    for (const v of [0.05, 0.1, 0.5, 1, 20, 30]) histogram.observe(v);
    const [series] = histogram.snapshot().series;
    expect(series.cumulative).toEqual([2, 4, 4, 6]);
    expect(series.count).toBe(6);
    expect(series.sum).toBeCloseTo(51.65);
  });

  it('folds label sets beyond the series cap into one overflow series and counts them', () => {
    const registry = new MetricRegistry({ maxSeries: 2 });
    const tokens = registry.counter({ name: 'tokens_total', help: 'h', labelNames: ['tenant'] });
    for (const tenant of ['a', 'b', 'c', 'd', 'c']) tokens.inc({ tenant }, 10);
    tokens.inc({ tenant: 'a' }, 1);
    expect(tokens.get({ tenant: 'a' })).toBe(11);
    expect(tokens.get({ tenant: 'c' })).toBe(0);
    expect(tokens.get({ tenant: OVERFLOW_LABEL_VALUE })).toBe(30);
    expect(tokens.seriesCount).toBe(3);
    expect(registry.overflowCount('tokens_total')).toBe(3);
    expect(registry.collect().at(-1)).toMatchObject({ name: 'agentos_metric_series_overflow_total', series: [{ labels: [['metric', 'tokens_total']], value: 3 }] });
  });

  it('never writes two series with the same labels, even when a caller uses the overflow value itself', () => {
    const registry = new MetricRegistry({ maxSeries: 2 });
    const counter = registry.counter({ name: 'c_total', help: 'h', labelNames: ['tool'] });
    counter.inc({ tool: OVERFLOW_LABEL_VALUE });
    counter.inc({ tool: 'a' });
    counter.inc({ tool: 'b' });
    const labels = counter.snapshot().series.map((s) => s.labels[0][1]);
    expect(labels).toEqual([OVERFLOW_LABEL_VALUE, 'a']);
    expect(counter.get({ tool: OVERFLOW_LABEL_VALUE })).toBe(2);
  });

  it('refuses label sets beyond the cap when told to, still counting them', () => {
    const registry = new MetricRegistry({ maxSeries: 1, overflow: 'refuse' });
    const histogram = registry.histogram({ name: 'h_seconds', help: 'h', labelNames: ['tool'], buckets: [1] });
    histogram.observe({ tool: 'a' }, 0.5);
    histogram.observe({ tool: 'b' }, 0.5);
    expect(histogram.seriesCount).toBe(1);
    expect(registry.overflowCount()).toBe(1);
  });

  it('validates metric names, label names and buckets', () => {
    const registry = new MetricRegistry();
    const bad = [
      () => registry.counter({ name: '1bad', help: 'h' }),
      () => registry.counter({ name: 'ok_total', help: 'h', labelNames: ['__reserved'] }),
      () => registry.counter({ name: 'ok_total', help: 'h', labelNames: ['a-b'] }),
      () => registry.histogram({ name: 'h', help: 'h', labelNames: ['le'] }),
      () => registry.histogram({ name: 'h', help: 'h', buckets: [1, 1] }),
      () => registry.histogram({ name: 'h', help: 'h', buckets: [] }),
      () => registry.counter({ name: 'agentos_metric_series_overflow_total', help: 'h', labelNames: ['metric'] }),
    ];
    for (const make of bad) expect(make).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });

  it('returns the same metric for the same registration and refuses a conflicting one', () => {
    const registry = new MetricRegistry();
    const a = registry.counter({ name: 'x_total', help: 'h', labelNames: ['l'] });
    expect(registry.counter({ name: 'x_total', help: 'h', labelNames: ['l'] })).toBe(a);
    expect(() => registry.gauge({ name: 'x_total', help: 'h', labelNames: ['l'] })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });

  it('runs collect hooks before reading, for gauges fed from live state', () => {
    const registry = new MetricRegistry();
    const gauge = registry.gauge({ name: 'live', help: 'h' });
    let depth = 7;
    registry.onCollect(() => gauge.set(depth));
    expect(registry.collect()[0].series[0].value).toBe(7);
    depth = 9;
    expect(registry.collect()[0].series[0].value).toBe(9);
  });
});
