import { describe, expect, it } from 'vitest';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { VirtualClock } from '../clock/index.ts';
import { ATTR, recordLifecycle, recordMessage, recordPolicyDecision, traceToolCall } from './agent-trace.ts';
import { seededRandomBytes } from './ids.ts';
import { Tracer } from './tracer.ts';

function setup() {
  const clock = new VirtualClock({ start: 1_000 });
  return { clock, tracer: new Tracer({ clock, randomBytes: seededRandomBytes(5) }) };
}

describe('agent tracing helpers', () => {
  it('traces a tool call as a client span with the facts the call adds', async () => {
    const { tracer, clock } = setup();
    const root = tracer.startSpan('agent.turn');
    const result = await traceToolCall(tracer, { tool: 'web.fetch', capability: 'net.http', processId: 'p1', parent: root }, async (span) => {
      clock.advance(30);
      span.setAttribute(ATTR.fuelUsed, 12_345);
      return 'page';
    });
    root.end();
    expect(result).toBe('page');
    const [tool] = tracer.drain();
    expect(tool).toMatchObject({
      name: 'tool web.fetch', kind: 'client', parentSpanId: root.context.spanId, startMs: 1_000, endMs: 1_030, status: { code: 'ok' },
      attributes: { [ATTR.tool]: 'web.fetch', [ATTR.capability]: 'net.http', [ATTR.processId]: 'p1', [ATTR.fuelUsed]: 12_345 },
    });
  });

  it('marks a failed tool call with its error code', async () => {
    const { tracer } = setup();
    await expect(traceToolCall(tracer, { tool: 'fs.write' }, async () => {
      throw new AgentOsError('capability-denied', 'not granted');
    })).rejects.toMatchObject({ code: 'capability-denied' });
    const [span] = tracer.drain();
    expect(span.status.code).toBe('error');
    expect(span.attributes[ATTR.errorCode]).toBe('capability-denied');
    expect(span.attributes).not.toHaveProperty(ATTR.capability);
  });

  it('records lifecycle, message and policy events on the running span', () => {
    const { tracer } = setup();
    const turn = tracer.startSpan('agent.turn');
    recordLifecycle(tracer, { processId: 'p1', from: 'ready', to: 'running', parent: turn });
    recordMessage(tracer, { topic: 'agents/planner', direction: 'send', messageId: 'm-1', bytes: 42, parent: turn });
    recordPolicyDecision(tracer, { effect: 'deny', ruleId: 'no-net', policyId: 'base', revision: 3, reason: 'network off' }, { capability: 'net.http', tenant: 'acme', parent: turn });
    turn.end();
    const [span] = tracer.drain();
    expect(span.events.map((e) => e.name)).toEqual(['process.transition', 'message.send', 'policy.decision']);
    expect(span.events[0].attributes).toEqual({ [ATTR.processId]: 'p1', [ATTR.fromState]: 'ready', [ATTR.toState]: 'running' });
    expect(span.events[1].attributes).toMatchObject({ 'messaging.destination.name': 'agents/planner', 'messaging.message.body.size': 42 });
    expect(span.events[2].attributes).toMatchObject({ [ATTR.policyEffect]: 'deny', [ATTR.policyRule]: 'no-net', [ATTR.policyRevision]: 3, [ATTR.tenant]: 'acme' });
  });

  it('records an event without a parent as its own zero-length span', () => {
    const { tracer } = setup();
    recordLifecycle(tracer, { processId: 'p2', from: 'running', to: 'exited', reason: 'done' });
    const [span] = tracer.drain();
    expect(span).toMatchObject({ name: 'process.transition', startMs: 1_000, endMs: 1_000, attributes: { [ATTR.reason]: 'done' } });
  });
});
