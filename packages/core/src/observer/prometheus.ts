/**
 * Metrics in the Prometheus text exposition format (version 0.0.4), what a
 * `/metrics` endpoint serves with content type `PROMETHEUS_CONTENT_TYPE`.
 *
 * Per family: `# HELP` (with `\` and newline escaped), `# TYPE`, then one
 * line per sample. Label values escape `\`, `"` and newline. A histogram
 * writes cumulative `_bucket{le="…"}` lines ending with `le="+Inf"` (equal to
 * `_count`), then `_sum` and `_count`.
 */

import type { MetricFamily } from './metrics.ts';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A sample value as Prometheus writes it: +Inf, -Inf, NaN, or the shortest decimal. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Number.POSITIVE_INFINITY) return '+Inf';
  if (value === Number.NEGATIVE_INFINITY) return '-Inf';
  return String(value);
}

function labelSet(pairs: readonly (readonly [string, string])[]): string {
  if (pairs.length === 0) return '';
  return `{${pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;
}

/** Renders metric families as one exposition document (ends with a newline; empty when there are none). */
export function toPrometheusText(families: readonly MetricFamily[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const series of family.series) {
      if (family.type !== 'histogram') {
        lines.push(`${family.name}${labelSet(series.labels)} ${formatValue(series.value)}`);
        continue;
      }
      const bounds = family.buckets ?? [];
      const cumulative = series.cumulative ?? [];
      bounds.forEach((bound, i) => {
        lines.push(`${family.name}_bucket${labelSet([...series.labels, ['le', formatValue(bound)]])} ${formatValue(cumulative[i])}`);
      });
      lines.push(`${family.name}_bucket${labelSet([...series.labels, ['le', '+Inf']])} ${formatValue(series.count ?? 0)}`);
      lines.push(`${family.name}_sum${labelSet(series.labels)} ${formatValue(series.sum ?? 0)}`);
      lines.push(`${family.name}_count${labelSet(series.labels)} ${formatValue(series.count ?? 0)}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
