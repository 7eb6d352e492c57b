/**
 * Metrics: counters, gauges and histograms with labels, in a registry that
 * renders them (see prometheus.ts).
 *
 * Every distinct label set is a time series that costs memory here and in
 * the monitoring system, and labels built from data (tenant, tool name) can
 * grow without bound. So each metric holds at most `maxSeries` series; past
 * that, updates with new label sets are folded into one overflow series
 * (every label "__overflow__", so totals stay right) or refused, and counted
 * in `agentos_metric_series_overflow_total{metric=…}`.
 */

import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { SeriesIndex } from './series-index.ts';

export type Labels = Record<string, string | number | boolean>;
export type MetricType = 'counter' | 'gauge' | 'histogram';
export type CardinalityOverflow = 'fold' | 'refuse';

/** The label value of the overflow series. */
export const OVERFLOW_LABEL_VALUE = '__overflow__';
/** Prometheus client defaults (seconds). */
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface SeriesSnapshot {
  /** Label pairs in the metric's labelNames order. */
  labels: [string, string][];
  /** Counter or gauge value. */
  value: number;
  /** Histograms only: cumulative counts per upper bound (in `buckets` order), then sum and count. */
  cumulative?: number[];
  sum?: number;
  count?: number;
}

export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  /** Histograms only: the finite upper bounds (+Inf is implied). */
  buckets?: readonly number[];
  series: SeriesSnapshot[];
}

export interface MetricOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function invalid(message: string, details: Record<string, unknown>): AgentOsError {
  return new AgentOsError('invalid-argument', message, { details });
}

interface Series {
  values: string[];
  value: number;
  counts?: number[];
  sum?: number;
  count?: number;
}

/** Shared label handling and the cardinality cap. */
export abstract class Metric {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  abstract readonly type: MetricType;
  #index: SeriesIndex<Series>;
  #all: Series[] = [];
  #overflow: Series | undefined;
  readonly #limits: SeriesLimits;

  constructor(options: MetricOptions, limits: SeriesLimits, reserved: readonly string[] = []) {
    if (!METRIC_NAME.test(options.name)) throw invalid(`Metric name '${options.name}' is not valid in Prometheus ([a-zA-Z_:][a-zA-Z0-9_:]*).`, { name: options.name });
    const labelNames = options.labelNames ?? [];
    for (const label of labelNames) {
      if (!LABEL_NAME.test(label) || label.startsWith('__') || reserved.includes(label)) {
        throw invalid(`Label name '${label}' of ${options.name} is not allowed (must match [a-zA-Z_][a-zA-Z0-9_]*, not start with __${reserved.length ? `, not be ${reserved.join('/')}` : ''}).`, { name: options.name, label });
      }
    }
    if (new Set(labelNames).size !== labelNames.length) throw invalid(`Metric ${options.name} repeats a label name.`, { name: options.name, labelNames });
    this.name = options.name;
    this.help = options.help;
    this.labelNames = [...labelNames];
    this.#limits = limits;
    this.#index = new SeriesIndex(this.labelNames.length);
  }

  /** The series for `labels`, created if allowed; undefined when the cap refuses it. */
  protected series(labels: Labels | undefined): Series | undefined {
    const values = this.#values(labels);
    if (labels) {
      for (const key in labels) {
        if (!this.labelNames.includes(key)) throw invalid(`Metric ${this.name} has no label '${key}' (labels: ${this.labelNames.join(', ') || 'none'}).`, { name: this.name, label: key });
      }
    }
    let series = this.#index.get(values);
    if (series) return series;
    // The overflow series itself does not count toward the cap.
    if (this.#all.length - (this.#overflow ? 1 : 0) >= this.#limits.maxSeries) {
      this.#limits.onOverflow(this.name);
      if (this.#limits.overflow === 'refuse') return undefined;
      if (!this.#overflow) {
        const values = this.labelNames.map(() => OVERFLOW_LABEL_VALUE);
        this.#overflow = this.#index.get(values) ?? this.#add(values);
      }
      return this.#overflow;
    }
    return this.#add(values);
  }

  #add(values: string[]): Series {
    const series = this.newSeries(values);
    this.#index.set(values, series);
    this.#all.push(series);
    return series;
  }

  protected newSeries(values: string[]): Series {
    return { values, value: 0 };
  }

  /** The current value for `labels` (0 when the series does not exist). */
  get(labels?: Labels): number {
    return this.#index.get(this.#values(labels))?.value ?? 0;
  }

  /** Label values in labelNames order; a missing label is '' (Prometheus treats both alike). */
  #values(labels: Labels | undefined): string[] {
    const names = this.labelNames;
    const values = new Array<string>(names.length);
    for (let i = 0; i < names.length; i++) {
      const value = labels !== undefined && Object.hasOwn(labels, names[i]) ? labels[names[i]] : undefined;
      values[i] = value === undefined ? '' : String(value);
    }
    return values;
  }

  /** Number of series held (the overflow series included). */
  get seriesCount(): number {
    return this.#all.length;
  }

  /** Forgets every series (e.g. a gauge refilled on each scrape). */
  clear(): void {
    this.#index = new SeriesIndex(this.labelNames.length);
    this.#all = [];
    this.#overflow = undefined;
  }

  protected allSeries(): readonly Series[] {
    return this.#all;
  }

  protected pairs(series: Series): [string, string][] {
    return this.labelNames.map((name, i) => [name, series.values[i]]);
  }

  abstract snapshot(): MetricFamily;
}

/** Split an optional labels-first argument list: `inc()`, `inc(3)`, `inc({a: 'x'})`, `inc({a: 'x'}, 3)`. */
function args(labelsOrValue: Labels | number | undefined, value: number | undefined, fallback: number): [Labels | undefined, number] {
  if (typeof labelsOrValue === 'number') return [undefined, labelsOrValue];
  return [labelsOrValue, value ?? fallback];
}

export class Counter extends Metric {
  readonly type = 'counter';

  /** Adds `by` (default 1). @throws AgentOsError 'invalid-argument' for a negative or non-finite amount or an unknown label. */
  inc(labelsOrBy?: Labels | number, by?: number): void {
    const [labels, amount] = args(labelsOrBy, by, 1);
    if (!(amount >= 0) || !Number.isFinite(amount)) throw invalid(`Counter ${this.name} can only go up by a finite amount >= 0, got ${amount}.`, { name: this.name, amount });
    const series = this.series(labels);
    if (series) series.value += amount;
  }

  snapshot(): MetricFamily {
    const series = this.allSeries().map((s) => ({ labels: this.pairs(s), value: s.value }));
    return { name: this.name, help: this.help, type: this.type, series };
  }
}

export class Gauge extends Metric {
  readonly type = 'gauge';

  /** @throws AgentOsError 'invalid-argument' for an unknown label. */
  set(labelsOrValue: Labels | number, value?: number): void {
    const [labels, v] = args(labelsOrValue, value, 0);
    const series = this.series(labels);
    if (series) series.value = v;
  }

  inc(labelsOrBy?: Labels | number, by?: number): void {
    const [labels, amount] = args(labelsOrBy, by, 1);
    const series = this.series(labels);
    if (series) series.value += amount;
  }

  dec(labelsOrBy?: Labels | number, by?: number): void {
    const [labels, amount] = args(labelsOrBy, by, 1);
    this.inc(labels ?? {}, -amount);
  }

  snapshot(): MetricFamily {
    const series = this.allSeries().map((s) => ({ labels: this.pairs(s), value: s.value }));
    return { name: this.name, help: this.help, type: this.type, series };
  }
}

export class Histogram extends Metric {
  readonly type = 'histogram';
  readonly buckets: readonly number[];

  /** @throws AgentOsError 'invalid-argument' when buckets are not finite and strictly increasing, or a label is 'le'. */
  constructor(options: MetricOptions & { buckets?: readonly number[] }, limits: SeriesLimits) {
    super(options, limits, ['le']);
    const buckets = [...(options.buckets ?? DEFAULT_BUCKETS)];
    const sorted = buckets.length > 0 && buckets.every((b, i) => Number.isFinite(b) && (i === 0 || b > buckets[i - 1]));
    if (!sorted) throw invalid(`Histogram ${options.name} needs at least one finite, strictly increasing bucket bound.`, { name: options.name, buckets });
    this.buckets = buckets;
  }

  protected override newSeries(values: string[]): Series {
    return { values, value: 0, counts: new Array(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
  }

  /** Records one observation. @throws AgentOsError 'invalid-argument' for NaN or an unknown label. */
  observe(labelsOrValue: Labels | number, value?: number): void {
    const [labels, v] = args(labelsOrValue, value, Number.NaN);
    if (Number.isNaN(v)) throw invalid(`Histogram ${this.name} cannot observe NaN.`, { name: this.name });
    const series = this.series(labels);
    if (!series) return;
    // First bucket whose upper bound holds v (le is inclusive); the last slot is +Inf.
    let lo = 0;
    let hi = this.buckets.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.buckets[mid] >= v) hi = mid;
      else lo = mid + 1;
    }
    (series.counts as number[])[lo]++;
    series.sum = (series.sum as number) + v;
    series.count = (series.count as number) + 1;
    series.value = series.count;
  }

  snapshot(): MetricFamily {
    const series = this.allSeries().map((s) => {
      let running = 0;
      const cumulative = (s.counts as number[]).map((c) => (running += c));
      return { labels: this.pairs(s), value: s.count as number, cumulative, sum: s.sum as number, count: s.count as number };
    });
    return { name: this.name, help: this.help, type: this.type, buckets: this.buckets, series };
  }
}

/** How many series a metric may hold, and what happens past that (set by the registry). */
export interface SeriesLimits {
  maxSeries: number;
  overflow: CardinalityOverflow;
  onOverflow: (metric: string) => void;
}
