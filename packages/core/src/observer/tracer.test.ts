import { describe, expect, it } from 'vitest';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { VirtualClock } from '../clock/index.ts';
import { parseTraceparent, seededRandomBytes } from './ids.ts';
import { Tracer, type TracerOptions } from './tracer.ts';

function setup(options: TracerOptions = {}) {
  const clock = new VirtualClock({ start: 1_700_000_000_000 });
  const tracer = new Tracer({ clock, randomBytes: seededRandomBytes(1), ...options });
  return { clock, tracer };
}

describe('Tracer', () => {
  it('puts children in their parent trace with the parent span id', () => {
    const { tracer, clock } = setup();
    const root = tracer.startSpan('agent.turn', { attributes: { 'agentos.process.id': 'p1' } });
    clock.advance(5);
    const child = tracer.startSpan('tool web.fetch', { parent: root, kind: 'client' });
    clock.advance(20);
    child.end();
    root.end();
    const [c, r] = tracer.drain();
    expect(r.parentSpanId).toBeUndefined();
    expect(c.traceId).toBe(r.traceId);
    expect(c.parentSpanId).toBe(r.spanId);
    expect(c.spanId).not.toBe(r.spanId);
    expect([c.startMs - r.startMs, c.endMs - c.startMs]).toEqual([5, 20]);
    expect(r.attributes).toEqual({ 'agentos.process.id': 'p1' });
    expect(c.kind).toBe('client');
  });

  it('continues a remote trace from a traceparent header', () => {
    const { tracer } = setup();
    const remote = parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', 'k=v');
    tracer.startSpan('handle', { parent: remote, kind: 'server' }).end();
    const [span] = tracer.drain();
    expect(span).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', traceState: 'k=v' });
  });

  it('gives the same ids for the same random seed', () => {
    const a = setup().tracer;
    const b = setup().tracer;
    a.startSpan('x').end();
    b.startSpan('x').end();
    const [sa] = a.drain();
    const [sb] = b.drain();
    expect([sa.traceId, sa.spanId]).toEqual([sb.traceId, sb.spanId]);
  });

  it('counts only the first end and ignores changes after it', () => {
    const { tracer, clock } = setup();
    const span = tracer.startSpan('once');
    clock.advance(3);
    span.end();
    clock.advance(3);
    span.setAttribute('late', true).addEvent('late');
    span.end();
    const spans = tracer.drain();
    expect(spans).toHaveLength(1);
    expect(spans[0].endMs - spans[0].startMs).toBe(3);
    expect(spans[0].attributes).toEqual({});
    expect(spans[0].events).toEqual([]);
  });

  it('caps attributes and events per span and counts what it drops', () => {
    const { tracer } = setup({ limits: { attributes: 2, events: 1 } });
    const span = tracer.startSpan('busy', { attributes: { a: 1, b: 2, c: 3 } });
    span.setAttribute('a', 10).setAttribute('d', 4);
    span.addEvent('first', { x: 1, y: 2, z: 3 }).addEvent('second');
    span.end();
    const [data] = tracer.drain();
    expect(data.attributes).toEqual({ a: 10, b: 2 });
    expect(data.droppedAttributesCount).toBe(2);
    expect(data.events).toHaveLength(1);
    expect(data.events[0].droppedAttributesCount).toBe(1);
    expect(data.droppedEventsCount).toBe(1);
  });

  it('treats __proto__ and constructor as ordinary attribute names', () => {
    const { tracer } = setup({ limits: { attributes: 2 } });
    const attributes = JSON.parse('{"__proto__": "p", "constructor": "c", "third": 3}');
    tracer.startSpan('odd', { attributes }).end();
    const [span] = tracer.drain();
    expect(Object.entries(span.attributes)).toEqual([['__proto__', 'p'], ['constructor', 'c']]);
    expect(span.droppedAttributesCount).toBe(1);
  });

  it('adds an instant event to a live parent, else records it as a zero-length span', () => {
    const { tracer, clock } = setup();
    const parent = tracer.startSpan('turn');
    clock.advance(2);
    tracer.event('policy.decision', { effect: 'allow', skipped: undefined }, { parent });
    parent.end();
    tracer.event('process.transition', { to: 'running' });
    const [turn, instant] = tracer.drain();
    expect(turn.events).toEqual([{ name: 'policy.decision', timeMs: 1_700_000_000_002, attributes: { effect: 'allow' }, droppedAttributesCount: 0 }]);
    expect(instant).toMatchObject({ name: 'process.transition', attributes: { to: 'running' } });
    expect(instant.endMs).toBe(instant.startMs);
    expect(instant.parentSpanId).toBeUndefined();
  });

  it('withSpan sets ok on success, and on failure records the error and rethrows it', async () => {
    const { tracer } = setup();
    await expect(tracer.withSpan('good', {}, async () => 42)).resolves.toBe(42);
    const failure = new AgentOsError('out-of-fuel', 'fuel spent');
    await expect(tracer.withSpan('bad', {}, async () => {
      throw failure;
    })).rejects.toBe(failure);
    const [good, bad] = tracer.drain();
    expect(good.status).toEqual({ code: 'ok' });
    expect(bad.status).toEqual({ code: 'error', message: 'fuel spent' });
    expect(bad.attributes['agentos.error.code']).toBe('out-of-fuel');
    expect(bad.events[0]).toMatchObject({ name: 'exception', attributes: { 'exception.type': 'AgentOsError', 'exception.message': 'fuel spent' } });
  });

  it('keeps a bounded buffer of finished spans and counts the ones dropped', () => {
    const { tracer } = setup({ buffer: { capacity: 2 } });
    for (const name of ['a', 'b', 'c']) tracer.startSpan(name).end();
    expect(tracer.buffered).toBe(2);
    expect(tracer.dropped).toBe(1);
    expect(tracer.drain().map((s) => s.name)).toEqual(['b', 'c']);
  });
});
