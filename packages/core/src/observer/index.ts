/**
 * The observer: what the agent OS did, as traces and metrics.
 *
 *   - tracing:  spans and instant events (lifecycle, tool calls, messages,
 *               policy decisions) with W3C trace-context ids, buffered in a
 *               bounded buffer and exported as OTLP/JSON
 *   - metrics:  counters, gauges and histograms with labels and a series cap,
 *               rendered in the Prometheus text format; `AgentMetrics` holds
 *               the standard ones (queues, tokens, fuel, outcomes, latency)
 *
 * Portable: time comes from a `Clock`, ids from an injectable byte source,
 * and output is plain JSON and text for the host to ship.
 */

export {
  type RandomBytes, type SpanContext, IdGenerator, formatTraceparent, parseTraceparent, seededRandomBytes, webCryptoRandomBytes,
} from './ids.ts';
export {
  type AttributeValue, type Attributes, DEFAULT_SPAN_LIMITS, Span, type SpanData, type SpanEvent, type SpanKind, type SpanLimits, type SpanStatus,
} from './span.ts';
export { BoundedBuffer, type BufferOptions, type OverflowPolicy } from './span-buffer.ts';
export { type StartSpanOptions, Tracer, type TracerOptions } from './tracer.ts';
export {
  type ExportTraceServiceRequest, OTLP_SPAN_KIND, OTLP_STATUS_CODE, type OtlpAnyValue, type OtlpEvent, type OtlpExportOptions,
  type OtlpKeyValue, type OtlpSpan, msToUnixNano, toOtlpTraceRequest,
} from './otlp.ts';
export {
  ATTR, type ToolCallTrace, type TracedDecision, errorCodeOf, recordLifecycle, recordMessage, recordPolicyDecision, traceToolCall,
} from './agent-trace.ts';
export {
  type CardinalityOverflow, Counter, DEFAULT_BUCKETS, Gauge, Histogram, type Labels, type MetricFamily, type MetricOptions,
  type MetricType, OVERFLOW_LABEL_VALUE, type SeriesSnapshot,
} from './metrics.ts';
export { MetricRegistry, type MetricRegistryOptions } from './registry.ts';
export { PROMETHEUS_CONTENT_TYPE, escapeHelp, escapeLabelValue, formatValue, toPrometheusText } from './prometheus.ts';
export { AgentMetrics, type CallOutcome, SCHEDULING_BUCKETS, outcomeOf } from './agent-metrics.ts';
