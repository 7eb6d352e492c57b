/**
 * The metric registry: creates metrics by name (the same registration twice
 * gives the same metric), applies the series cap, runs collect hooks for
 * gauges read from live state, and hands every metric's state to a renderer
 * such as `toPrometheusText`.
 */

import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import {
  type CardinalityOverflow, Counter, Gauge, Histogram, type Metric, type MetricFamily, type MetricOptions, type MetricType, type SeriesLimits,
} from './metrics.ts';

function invalid(message: string, details: Record<string, unknown>): AgentOsError {
  return new AgentOsError('invalid-argument', message, { details });
}

export interface MetricRegistryOptions {
  /** Series per metric before folding or refusing. Default 1000. */
  maxSeries?: number;
  /** Default 'fold'. */
  overflow?: CardinalityOverflow;
}

export class MetricRegistry {
  readonly #metrics = new Map<string, Metric>();
  readonly #collectors: (() => void)[] = [];
  readonly #limits: SeriesLimits;
  readonly #overflowCounter: Counter;

  /** @throws AgentOsError 'invalid-argument' when maxSeries is not an integer >= 1. */
  constructor(options: MetricRegistryOptions = {}) {
    const maxSeries = options.maxSeries ?? 1000;
    if (!Number.isInteger(maxSeries) || maxSeries < 1) throw invalid(`maxSeries must be an integer >= 1, got ${maxSeries}.`, { maxSeries });
    this.#limits = { maxSeries, overflow: options.overflow ?? 'fold', onOverflow: (metric) => this.#overflowCounter.inc({ metric }) };
    // One series per metric, so its own cardinality is bounded by the number of metrics.
    this.#overflowCounter = new Counter(
      { name: 'agentos_metric_series_overflow_total', help: 'Updates whose new label set was folded or refused by the series cap.', labelNames: ['metric'] },
      { maxSeries: Number.MAX_SAFE_INTEGER, overflow: 'fold', onOverflow: () => undefined },
    );
  }

  /** Updates that the series cap folded or refused, for one metric or all. */
  overflowCount(metric?: string): number {
    if (metric !== undefined) return this.#overflowCounter.get({ metric });
    return this.#overflowCounter.snapshot().series.reduce((sum, s) => sum + s.value, 0);
  }

  /** @throws AgentOsError 'invalid-argument' for bad names, or a name already registered with another type or labels. */
  counter(options: MetricOptions): Counter {
    return this.#register(options, 'counter', () => new Counter(options, this.#limits));
  }

  /** @throws as `counter`. */
  gauge(options: MetricOptions): Gauge {
    return this.#register(options, 'gauge', () => new Gauge(options, this.#limits));
  }

  /** @throws as `counter`, and for bad buckets. */
  histogram(options: MetricOptions & { buckets?: readonly number[] }): Histogram {
    return this.#register(options, 'histogram', () => new Histogram(options, this.#limits));
  }

  /** Runs `collect` before every `collect()` of the registry: for gauges read from live state (queue lengths). */
  onCollect(collect: () => void): void {
    this.#collectors.push(collect);
  }

  /** Every metric's current state, in registration order, the overflow counter last when it has counted anything. */
  collect(): MetricFamily[] {
    for (const collect of this.#collectors) collect();
    const families = [...this.#metrics.values()].map((m) => m.snapshot());
    if (this.#overflowCounter.seriesCount > 0) families.push(this.#overflowCounter.snapshot());
    return families;
  }

  #register<M extends Metric>(options: MetricOptions, type: MetricType, make: () => M): M {
    const existing = this.#metrics.get(options.name);
    if (existing) {
      const same = existing.type === type && existing.labelNames.join(',') === (options.labelNames ?? []).join(',');
      if (!same) throw invalid(`Metric ${options.name} is already registered as a ${existing.type} with labels [${existing.labelNames.join(', ')}].`, { name: options.name });
      return existing as M;
    }
    if (options.name === 'agentos_metric_series_overflow_total') throw invalid(`Metric name ${options.name} is reserved by the registry.`, { name: options.name });
    const metric = make();
    this.#metrics.set(options.name, metric);
    return metric;
  }
}
