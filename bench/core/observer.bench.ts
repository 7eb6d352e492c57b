/**
 * Observer benchmark: what tracing and metrics cost on the hot path of an
 * agent, and what an export costs.
 *
 *   - span start + 3 attributes + end (into the bounded buffer), per span
 *   - OTLP/JSON export (build + JSON.stringify) of 1,000 finished spans, per span
 *   - counter inc with 2 labels on an existing series, per call
 *   - histogram observe with 1 label, per call
 *   - Prometheus text of 1,000 counter series + 10 histogram series, per render
 *
 * Each figure is one timer around a loop of many iterations (mean per
 * operation), after a warm-up. Ids come from WebCrypto, as in production.
 *
 * Run: npx node --expose-gc bench/core/observer.bench.ts   (BENCH_QUICK=1 or --quick: fewer iterations)
 * Prints: {"results":[{"name","value","unit","target","conditions"}]}
 */

import { MetricRegistry, Tracer, toOtlpTraceRequest, toPrometheusText } from '../../packages/core/src/observer/index.ts';
import { QUICK, baseConditions, emit, gc } from '../support.ts';

const SPANS = QUICK ? 20_000 : 200_000;
const UPDATES = QUICK ? 200_000 : 2_000_000;
const RENDERS = QUICK ? 20 : 200;

const conditions = baseConditions();

function timeLoop(iterations: number, body: (i: number) => void): number {
  const warm = Math.min(iterations, 10_000);
  for (let i = 0; i < warm; i++) body(i);
  gc();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) body(i);
  return Number(process.hrtime.bigint() - start) / iterations;
}

// Spans: the buffer is drained now and then, so it never drops (dropping is cheaper and would flatter the figure).
const tracer = new Tracer({ buffer: { capacity: 4096 } });
const spanNs = timeLoop(SPANS, (i) => {
  const span = tracer.startSpan('tool web.fetch', { kind: 'client', attributes: { 'agentos.tool.name': 'web.fetch', 'agentos.process.id': 'p-1' } });
  span.setAttribute('agentos.fuel.used', i);
  span.end();
  if (tracer.buffered >= 4000) tracer.drain();
});

tracer.drain();
const parent = tracer.startSpan('agent.turn');
for (let i = 0; i < 1000; i++) {
  const span = tracer.startSpan('tool web.fetch', { parent, kind: 'client', attributes: { 'agentos.tool.name': 'web.fetch', n: i, ok: true } });
  span.addEvent('policy.decision', { 'agentos.policy.effect': 'allow' });
  span.end();
}
const finished = tracer.drain();
const exportRounds = QUICK ? 20 : 200;
let bytes = 0;
const otlpNs = timeLoop(exportRounds, () => {
  bytes = JSON.stringify(toOtlpTraceRequest(finished)).length;
}) / finished.length;

const registry = new MetricRegistry();
const calls = registry.counter({ name: 'agentos_calls_total', help: 'Calls.', labelNames: ['capability', 'outcome'] });
const labels = { capability: 'web.fetch', outcome: 'success' };
const incNs = timeLoop(UPDATES, () => calls.inc(labels));
const latency = registry.histogram({ name: 'agentos_scheduling_latency_seconds', help: 'Latency.', labelNames: ['policy'] });
const policy = { policy: 'mlfq' };
const observeNs = timeLoop(UPDATES, (i) => latency.observe(policy, (i % 1000) / 1000));

const wide = new MetricRegistry();
const perTool = wide.counter({ name: 'agentos_tool_calls_total', help: 'Per tool.', labelNames: ['tool'] });
for (let i = 0; i < 1000; i++) perTool.inc({ tool: `tool-${i}` }, i);
const hist = wide.histogram({ name: 'agentos_latency_seconds', help: 'Latency.', labelNames: ['policy'] });
for (let i = 0; i < 10; i++) hist.observe({ policy: `p${i}` }, i / 10);
let textBytes = 0;
const renderNs = timeLoop(RENDERS, () => {
  textBytes = toPrometheusText(wide.collect()).length;
});

const us = (ns: number) => Math.round(ns / 10) / 100;
emit([
  { name: 'observer.span start+end (3 attributes)', value: us(spanNs), unit: 'µs', target: '< 2 µs', met: spanNs < 2000, conditions: { ...conditions, iterations: SPANS } },
  { name: 'observer.otlp export per span (build + stringify, 1,000 spans)', value: us(otlpNs), unit: 'µs', target: null, conditions: { ...conditions, requestBytes: bytes } },
  { name: 'observer.counter inc (2 labels)', value: Math.round(incNs), unit: 'ns', target: '< 500 ns', met: incNs < 500, conditions: { ...conditions, iterations: UPDATES } },
  { name: 'observer.histogram observe (1 label, 11 buckets)', value: Math.round(observeNs), unit: 'ns', target: '< 500 ns', met: observeNs < 500, conditions: { ...conditions, iterations: UPDATES } },
  { name: 'observer.prometheus render (1,010 series)', value: us(renderNs), unit: 'µs', target: null, conditions: { ...conditions, textBytes } },
]);
