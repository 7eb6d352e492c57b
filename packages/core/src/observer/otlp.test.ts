import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { VirtualClock } from '../clock/index.ts';
import { seededRandomBytes } from './ids.ts';
import { msToUnixNano, toAnyValue, toOtlpTraceRequest } from './otlp.ts';
import { Tracer } from './tracer.ts';

/**
 * The OTLP/JSON shape of opentelemetry-proto's trace service (collector/trace/v1,
 * trace/v1, common/v1, resource/v1) under the proto3 JSON mapping with the OTLP
 * exceptions: ids as hex, enums as integers, int64 as decimal strings.
 * Strict: an unknown or misspelt field fails.
 */
const uint64String = z.string().regex(/^(0|[1-9]\d*)$/);
const anyValue: z.ZodType = z.lazy(() =>
  z.union([
    z.strictObject({ stringValue: z.string() }),
    z.strictObject({ boolValue: z.boolean() }),
    z.strictObject({ intValue: z.string().regex(/^-?(0|[1-9]\d*)$/) }),
    z.strictObject({ doubleValue: z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]) }),
    z.strictObject({ arrayValue: z.strictObject({ values: z.array(anyValue) }) }),
    z.strictObject({ kvlistValue: z.strictObject({ values: z.array(keyValue) }) }),
    z.strictObject({ bytesValue: z.string().base64() }),
  ]));
const keyValue: z.ZodType = z.lazy(() => z.strictObject({ key: z.string(), value: anyValue }));
const count = z.number().int().nonnegative();
const spanId = z.string().regex(/^[0-9a-f]{16}$/).refine((id) => !/^0+$/.test(id));
const otlpSpan = z.strictObject({
  traceId: z.string().regex(/^[0-9a-f]{32}$/).refine((id) => !/^0+$/.test(id)),
  spanId,
  traceState: z.string().optional(),
  parentSpanId: z.union([spanId, z.literal('')]),
  flags: z.number().int().optional(),
  name: z.string().min(1),
  kind: z.number().int().min(0).max(5),
  startTimeUnixNano: uint64String,
  endTimeUnixNano: uint64String,
  attributes: z.array(keyValue),
  droppedAttributesCount: count,
  events: z.array(z.strictObject({ timeUnixNano: uint64String, name: z.string(), attributes: z.array(keyValue), droppedAttributesCount: count })),
  droppedEventsCount: count,
  links: z.array(z.unknown()).optional(),
  droppedLinksCount: count.optional(),
  status: z.strictObject({ message: z.string().optional(), code: z.union([z.literal(0), z.literal(1), z.literal(2)]) }),
});
const exportTraceServiceRequest = z.strictObject({
  resourceSpans: z.array(z.strictObject({
    resource: z.strictObject({ attributes: z.array(keyValue), droppedAttributesCount: count.optional() }),
    schemaUrl: z.string().optional(),
    scopeSpans: z.array(z.strictObject({
      scope: z.strictObject({ name: z.string(), version: z.string().optional(), attributes: z.array(keyValue).optional() }),
      schemaUrl: z.string().optional(),
      spans: z.array(otlpSpan),
    })),
  })),
});

function exportSample() {
  const clock = new VirtualClock({ start: 1_700_000_000_123.5 });
  const tracer = new Tracer({
    clock, randomBytes: seededRandomBytes(3),
    export: { resource: { 'service.version': '0.1.0' }, scope: { name: 'agentos.core', version: '0.1.0' } },
  });
  const root = tracer.startSpan('agent.turn', { kind: 'server', attributes: { 'agentos.process.id': 'p-1', retries: 2, ratio: 0.25, ok: true, tags: ['a', 'b'], big: 2n ** 63n - 1n } });
  clock.advance(1.25);
  const tool = tracer.startSpan('tool web.fetch', { parent: root, kind: 'client' });
  tool.recordError(new AgentOsError('timeout', 'no answer'));
  clock.advance(10);
  tool.end();
  tracer.event('policy.decision', { 'agentos.policy.effect': 'allow' }, { parent: root });
  root.setStatus({ code: 'ok' });
  root.end();
  return tracer.exportOtlp();
}

describe('OTLP/JSON export', () => {
  it('matches the ExportTraceServiceRequest shape of the OTLP spec', () => {
    const request = exportSample();
    const parsed = exportTraceServiceRequest.safeParse(JSON.parse(JSON.stringify(request)));
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  });

  it('is checked by a schema that rejects numeric timestamps, uppercase ids and untyped values', () => {
    const spanOf = (r: unknown) => (r as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] }).resourceSpans[0].scopeSpans[0].spans[0];
    const mutations: ((span: Record<string, unknown>) => void)[] = [
      (span) => void (span.startTimeUnixNano = 1),
      (span) => void (span.traceId = (span.traceId as string).toUpperCase()),
      (span) => void (span.attributes = [{ key: 'k', value: 'plain' }]),
      (span) => void (span.kind = 'SPAN_KIND_CLIENT'),
    ];
    for (const mutate of mutations) {
      const request = JSON.parse(JSON.stringify(exportSample()));
      mutate(spanOf(request));
      expect(exportTraceServiceRequest.safeParse(request).success).toBe(false);
    }
  });

  it('writes resource, scope, parent links, kinds, status and nanosecond timestamps as strings', () => {
    const request = exportSample();
    const { resource, scopeSpans } = request.resourceSpans[0];
    expect(resource.attributes).toEqual([
      { key: 'service.name', value: { stringValue: 'agentos' } },
      { key: 'service.version', value: { stringValue: '0.1.0' } },
    ]);
    expect(scopeSpans[0].scope).toEqual({ name: 'agentos.core', version: '0.1.0' });
    const [tool, root] = scopeSpans[0].spans;
    expect(root.parentSpanId).toBe('');
    expect(tool.parentSpanId).toBe(root.spanId);
    expect(tool.traceId).toBe(root.traceId);
    expect([root.kind, tool.kind]).toEqual([2, 3]);
    expect(root.status).toEqual({ code: 1 });
    expect(tool.status).toEqual({ code: 2, message: 'no answer' });
    expect(root.startTimeUnixNano).toBe('1700000000123500000');
    expect(tool.startTimeUnixNano).toBe('1700000000124750000');
    expect(tool.endTimeUnixNano).toBe('1700000000134750000');
    expect(root.events.map((e) => e.name)).toEqual(['policy.decision']);
    expect(tool.events[0].attributes).toContainEqual({ key: 'agentos.error.code', value: { stringValue: 'timeout' } });
  });

  it('encodes each attribute type as its AnyValue', () => {
    const [root] = exportSample().resourceSpans[0].scopeSpans[0].spans.slice(1);
    const byKey = Object.fromEntries(root.attributes.map((a) => [a.key, a.value]));
    expect(byKey).toEqual({
      'agentos.process.id': { stringValue: 'p-1' },
      retries: { intValue: '2' },
      ratio: { doubleValue: 0.25 },
      ok: { boolValue: true },
      tags: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } },
      big: { intValue: '9223372036854775807' },
    });
    expect(toAnyValue(Number.NaN)).toEqual({ doubleValue: 'NaN' });
    expect(toAnyValue(-Infinity)).toEqual({ doubleValue: '-Infinity' });
    expect(toAnyValue(2 ** 60)).toEqual({ doubleValue: 2 ** 60 });
  });

  it('converts milliseconds to exact nanosecond strings without float rounding', () => {
    expect(msToUnixNano(0)).toBe('0');
    expect(msToUnixNano(1_700_000_000_000)).toBe('1700000000000000000');
    expect(msToUnixNano(1_700_000_000_000.001)).toBe('1700000000000001000');
    expect(msToUnixNano(0.5)).toBe('500000');
    expect(msToUnixNano(12.9999)).toBe('13000000');
    for (const ms of [1, 999.999, 1_234_567.891, 1_700_000_000_123.25]) {
      const whole = Math.floor(ms);
      expect(msToUnixNano(ms), String(ms)).toBe((BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1000)) * 1000n).toString());
    }
  });

  it('exports an empty request when nothing is buffered, and drains what it exports', () => {
    const tracer = new Tracer({ randomBytes: seededRandomBytes(9) });
    tracer.startSpan('x').end();
    expect(tracer.exportOtlp().resourceSpans[0].scopeSpans[0].spans).toHaveLength(1);
    expect(tracer.exportOtlp().resourceSpans[0].scopeSpans[0].spans).toEqual([]);
    expect(exportTraceServiceRequest.safeParse(toOtlpTraceRequest([])).success).toBe(true);
  });
});
