/**
 * Spans as OTLP/JSON: the body of `POST /v1/traces` (an
 * `ExportTraceServiceRequest`), accepted by the OpenTelemetry Collector,
 * Jaeger, Tempo, Honeycomb and others.
 *
 * The JSON follows the OTLP spec's proto3 JSON mapping: trace and span ids are
 * lowercase hex (not base64), 64-bit integers (timestamps, intValue) are
 * decimal strings so no precision is lost in JavaScript, enums (span kind,
 * status code) are integers, and attributes are `{key, value: AnyValue}`.
 */

import type { AttributeValue, SpanData, SpanKind, SpanStatus } from './span.ts';

export type OtlpAnyValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number | 'NaN' | 'Infinity' | '-Infinity' }
  | { arrayValue: { values: OtlpAnyValue[] } };

export interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}

export interface OtlpEvent {
  timeUnixNano: string;
  name: string;
  attributes: OtlpKeyValue[];
  droppedAttributesCount: number;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  droppedAttributesCount: number;
  events: OtlpEvent[];
  droppedEventsCount: number;
  status: { code: number; message?: string };
}

export interface ExportTraceServiceRequest {
  resourceSpans: {
    resource: { attributes: OtlpKeyValue[]; droppedAttributesCount: number };
    scopeSpans: {
      scope: { name: string; version?: string };
      spans: OtlpSpan[];
    }[];
  }[];
}

export interface OtlpExportOptions {
  /** Resource attributes; `service.name` defaults to "agentos". */
  resource?: Record<string, AttributeValue>;
  /** The instrumentation scope; default { name: "agentos" }. */
  scope?: { name: string; version?: string };
}

/** OTLP `Span.SpanKind` numbers (0 is UNSPECIFIED, never sent). */
export const OTLP_SPAN_KIND: Record<SpanKind, number> = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
/** OTLP `Status.StatusCode` numbers. */
export const OTLP_STATUS_CODE: Record<SpanStatus['code'], number> = { unset: 0, ok: 1, error: 2 };

/** Milliseconds since the epoch (may be fractional) → nanoseconds as a decimal string, exact to the microsecond. */
export function msToUnixNano(ms: number): string {
  if (!(ms > 0)) return '0';
  let whole = Math.floor(ms);
  let micros = Math.round((ms - whole) * 1000);
  if (micros === 1000) {
    whole += 1;
    micros = 0;
  }
  // Digits side by side instead of BigInt arithmetic: the same string, several times cheaper.
  const nanos = String(micros * 1000).padStart(6, '0');
  return whole === 0 ? String(micros * 1000) : `${whole}${nanos}`;
}

function scalar(value: string | number | boolean | bigint): OtlpAnyValue {
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'bigint':
      return { intValue: value.toString() };
    default:
      if (Number.isSafeInteger(value)) return { intValue: String(value) };
      if (Number.isNaN(value)) return { doubleValue: 'NaN' };
      if (!Number.isFinite(value)) return { doubleValue: value > 0 ? 'Infinity' : '-Infinity' };
      return { doubleValue: value };
  }
}

export function toAnyValue(value: AttributeValue): OtlpAnyValue {
  if (Array.isArray(value)) return { arrayValue: { values: value.map((v: string | number | boolean) => scalar(v)) } };
  return scalar(value as string | number | boolean | bigint);
}

export function toKeyValues(attributes: Record<string, AttributeValue | undefined>): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = [];
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out.push({ key, value: toAnyValue(value) });
  return out;
}

function toOtlpSpan(span: SpanData): OtlpSpan {
  const status: OtlpSpan['status'] = { code: OTLP_STATUS_CODE[span.status.code] };
  if (span.status.message !== undefined && span.status.code === 'error') status.message = span.status.message;
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId ?? '',
    ...(span.traceState ? { traceState: span.traceState } : {}),
    name: span.name,
    kind: OTLP_SPAN_KIND[span.kind],
    startTimeUnixNano: msToUnixNano(span.startMs),
    endTimeUnixNano: msToUnixNano(span.endMs),
    attributes: toKeyValues(span.attributes),
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events.map((event) => ({
      timeUnixNano: msToUnixNano(event.timeMs),
      name: event.name,
      attributes: toKeyValues(event.attributes),
      droppedAttributesCount: event.droppedAttributesCount,
    })),
    droppedEventsCount: span.droppedEventsCount,
    status,
  };
}

/** Builds one OTLP/JSON trace export request from finished spans. Never throws. */
export function toOtlpTraceRequest(spans: readonly SpanData[], options: OtlpExportOptions = {}): ExportTraceServiceRequest {
  return {
    resourceSpans: [
      {
        resource: { attributes: toKeyValues({ 'service.name': 'agentos', ...options.resource }), droppedAttributesCount: 0 },
        scopeSpans: [{ scope: { ...(options.scope ?? { name: 'agentos' }) }, spans: spans.map(toOtlpSpan) }],
      },
    ],
  };
}
