/**
 * The runtime under the observer (`RuntimeOptions.observer`): one span per
 * process (`agent <type>`, from submit to its end) holding its lifecycle
 * transitions as events; a child span per capability call (`capability <id>`)
 * holding the gate's decisions as events, and per tool run (`tool <name>`);
 * and the standard AgentMetrics — queue length, tokens and fuel spent, calls
 * by outcome, scheduling latency (ready → running). Without an observer every
 * hook here is a no-op, so the runtime calls them unconditionally.
 */
import { ATTR, recordLifecycle, recordPolicyDecision, traceToolCall, type AgentMetrics, type Span, type Tracer } from '../observer/index.ts';
import type { AgentProcess, TransitionRecord } from '../process/index.ts';
import type { CallContext, ObserverOptions } from './options.ts';

/** What the audit sink sees of a gate decision (`capability.decision`). */
interface DecisionData {
  agentId?: unknown;
  capability?: unknown;
  tenant?: unknown;
  agentType?: unknown;
  stage?: unknown;
  effect?: unknown;
  ruleId?: unknown;
  revision?: unknown;
  reason?: unknown;
}

const FINAL = new Set(['completed', 'failed', 'terminated']);

export class RuntimeObserver {
  readonly #tracer: Tracer | undefined;
  readonly #metrics: AgentMetrics | undefined;
  readonly #now: () => number;
  readonly #policyId: () => string;
  readonly #processes = new Map<string, Span>();
  /** The capability call in flight per agent (a guest makes one call at a time). */
  readonly #calls = new Map<string, Span>();
  /** When each queued process became ready (scheduling latency). */
  readonly #readyAt = new Map<string, number>();
  readonly #suspendedAt = new Map<string, number>();

  constructor(options: ObserverOptions & { now: () => number; policyId: () => string }) {
    this.#tracer = options.tracer;
    this.#metrics = options.metrics;
    this.#now = options.now;
    this.#policyId = options.policyId;
    if (this.#tracer) this.#metrics?.trackTracer(this.#tracer);
  }

  /** A lifecycle move: an event on the process span (opened at submit, ended at a final state), and latency. */
  transition(record: TransitionRecord, process: AgentProcess | undefined): void {
    const tracer = this.#tracer;
    if (tracer) {
      let span = this.#processes.get(record.agentId);
      if (!span && process) {
        span = tracer.startSpan(`agent ${process.type}`, {
          startMs: record.at,
          attributes: { [ATTR.processId]: process.id, [ATTR.tenant]: process.tenant, [ATTR.agentType]: process.type },
        });
        this.#processes.set(record.agentId, span);
      }
      recordLifecycle(tracer, { processId: record.agentId, from: record.from ?? 'none', to: record.to, reason: record.reason, parent: span });
      if (span && FINAL.has(record.to)) {
        if (process) span.setAttributes({ [ATTR.fuelUsed]: process.spent.fuel, [ATTR.tokens]: process.spent.tokens });
        span.setStatus(record.to === 'completed' ? { code: 'ok' } : { code: 'error', message: record.reason });
        span.end(record.at);
        this.#processes.delete(record.agentId);
      }
    }
    if (record.to === 'ready') this.#readyAt.set(record.agentId, record.at);
    else if (record.to === 'running') {
      const since = this.#readyAt.get(record.agentId);
      this.#readyAt.delete(record.agentId);
      // Preempted processes go suspended → running directly; their wait counts from the preemption.
      const from = since ?? (record.from === 'suspended' ? this.#suspendedAt.get(record.agentId) : undefined);
      if (from !== undefined) this.#metrics?.schedulingLatency.observe({ policy: 'runtime' }, Math.max(0, record.at - from) / 1000);
    }
    if (record.to === 'suspended') this.#suspendedAt.set(record.agentId, record.at);
    else this.#suspendedAt.delete(record.agentId);
    if (FINAL.has(record.to)) this.#readyAt.delete(record.agentId);
  }

  /** Sets the queue-length gauge (the runtime calls it after every dispatch and slice end). */
  queue(length: number): void {
    this.#metrics?.queueLength.set({ queue: 'run' }, length);
  }

  /** A decision of the gate (from its audit event): an event on the call's span, or the process span for sync calls. */
  decision(data: DecisionData): void {
    const tracer = this.#tracer;
    if (!tracer || typeof data.agentId !== 'string' || typeof data.capability !== 'string') return;
    const parent = this.#calls.get(data.agentId) ?? this.#processes.get(data.agentId);
    recordPolicyDecision(tracer, {
      effect: String(data.effect), ruleId: String(data.ruleId), policyId: data.stage === 'policy' ? this.#policyId() : String(data.stage ?? 'gate'),
      revision: typeof data.revision === 'number' ? data.revision : 0, reason: String(data.reason ?? ''),
    }, { capability: data.capability, tenant: String(data.tenant), agentType: String(data.agentType), parent });
  }

  /** Opens the span of one capability call; `end` closes it and counts the call by outcome. */
  beginCall(capability: string, context: CallContext): { end(failure?: unknown): void } {
    const tracer = this.#tracer;
    const span = tracer?.startSpan(`capability ${capability}`, {
      kind: 'client', parent: this.#processes.get(context.agentId),
      attributes: { [ATTR.capability]: capability, [ATTR.processId]: context.agentId, [ATTR.agentType]: context.agentType, [ATTR.tenant]: context.tenant },
    });
    if (span) this.#calls.set(context.agentId, span);
    return {
      end: (failure?: unknown) => {
        this.#metrics?.recordCall(capability, failure);
        if (!span) return;
        if (failure === undefined) span.setStatus({ code: 'ok' });
        else span.recordError(failure);
        span.end();
        if (this.#calls.get(context.agentId) === span) this.#calls.delete(context.agentId);
      },
    };
  }

  /** Runs a tool inside a `tool <name>` span (child of the calling capability's span). */
  tool<T>(name: string, context: CallContext, run: (span: Span | undefined) => Promise<T>): Promise<T> {
    const tracer = this.#tracer;
    if (!tracer) return run(undefined);
    const parent = this.#calls.get(context.agentId) ?? this.#processes.get(context.agentId);
    return traceToolCall(tracer, { tool: name, capability: 'tools.call', processId: context.agentId, parent }, (span) => run(span));
  }

  /** What a slice spent, into the fuel and token counters. */
  slice(process: AgentProcess, spent: { fuel: number; tokens: number }): void {
    const labels = { tenant: process.tenant, agent_type: process.type };
    if (spent.fuel > 0) this.#metrics?.fuelSpent.inc(labels, spent.fuel);
    if (spent.tokens > 0) this.#metrics?.tokensSpent.inc(labels, spent.tokens);
  }
}
