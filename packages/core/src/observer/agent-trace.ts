/**
 * What the agent OS traces, named once: lifecycle transitions, tool calls,
 * messages and policy decisions. Attribute names follow the OpenTelemetry
 * semantic conventions where one exists (`messaging.*`, `exception.*`) and
 * use the `agentos.` prefix otherwise, so every host's traces read alike.
 */

import { isAgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { SpanContext } from './ids.ts';
import type { Attributes, Span } from './span.ts';
import type { Tracer } from './tracer.ts';

export const ATTR = {
  tenant: 'agentos.tenant',
  agentType: 'agentos.agent.type',
  processId: 'agentos.process.id',
  tool: 'agentos.tool.name',
  capability: 'agentos.capability',
  fuelUsed: 'agentos.fuel.used',
  tokens: 'agentos.tokens',
  errorCode: 'agentos.error.code',
  fromState: 'agentos.process.from',
  toState: 'agentos.process.to',
  reason: 'agentos.reason',
  policyEffect: 'agentos.policy.effect',
  policyRule: 'agentos.policy.rule_id',
  policyId: 'agentos.policy.id',
  policyRevision: 'agentos.policy.revision',
  messagingDestination: 'messaging.destination.name',
  messagingOperation: 'messaging.operation.type',
  messagingId: 'messaging.message.id',
  messagingBytes: 'messaging.message.body.size',
} as const;

type Parent = Span | SpanContext | undefined;

export interface ToolCallTrace {
  tool: string;
  capability?: string;
  processId?: string;
  parent?: Span | SpanContext;
  attributes?: Attributes;
}

/**
 * Runs a tool call inside a client span named `tool <name>`. The call may add
 * facts it learns (fuel used, tokens) on the span it is given.
 * @throws what `call` throws (recorded on the span first).
 */
export function traceToolCall<T>(tracer: Tracer, trace: ToolCallTrace, call: (span: Span) => Promise<T>): Promise<T> {
  const attributes: Attributes = {
    ...trace.attributes,
    [ATTR.tool]: trace.tool,
    [ATTR.capability]: trace.capability,
    [ATTR.processId]: trace.processId,
  };
  return tracer.withSpan(`tool ${trace.tool}`, { kind: 'client', parent: trace.parent, attributes }, call);
}

/** Records a process lifecycle transition (e.g. ready → running) as an event. */
export function recordLifecycle(tracer: Tracer, change: { processId: string; from: string; to: string; reason?: string; parent?: Parent }): void {
  tracer.event('process.transition', {
    [ATTR.processId]: change.processId,
    [ATTR.fromState]: change.from,
    [ATTR.toState]: change.to,
    [ATTR.reason]: change.reason,
  }, { parent: change.parent });
}

/** Records a message sent to or received from a bus topic. */
export function recordMessage(
  tracer: Tracer,
  message: { topic: string; direction: 'send' | 'receive'; messageId?: string; bytes?: number; parent?: Parent },
): void {
  tracer.event(`message.${message.direction}`, {
    [ATTR.messagingDestination]: message.topic,
    [ATTR.messagingOperation]: message.direction,
    [ATTR.messagingId]: message.messageId,
    [ATTR.messagingBytes]: message.bytes,
  }, { parent: message.parent });
}

/** The parts of a policy decision worth tracing (the policy engine's `PolicyDecision` fits). */
export interface TracedDecision {
  effect: string;
  ruleId: string;
  policyId: string;
  revision: number;
  reason: string;
}

/** Records a policy decision about a capability call. */
export function recordPolicyDecision(tracer: Tracer, decision: TracedDecision, context: { capability: string; tenant?: string; agentType?: string; parent?: Parent }): void {
  tracer.event('policy.decision', {
    [ATTR.capability]: context.capability,
    [ATTR.tenant]: context.tenant,
    [ATTR.agentType]: context.agentType,
    [ATTR.policyEffect]: decision.effect,
    [ATTR.policyRule]: decision.ruleId,
    [ATTR.policyId]: decision.policyId,
    [ATTR.policyRevision]: decision.revision,
    [ATTR.reason]: decision.reason,
  }, { parent: context.parent });
}

/** The error code of a failure for attributes and labels: an AgentOsError's code, else "error". */
export function errorCodeOf(error: unknown): string {
  return isAgentOsError(error) ? error.code : 'error';
}
