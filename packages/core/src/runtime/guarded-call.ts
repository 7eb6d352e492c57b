/**
 * One guarded capability call: budget → gate (entitlement, policy, audit) →
 * approval wait when the policy asks for one → the implementation. Refusals
 * and failures come back as the WIT `error` value; nothing here throws into
 * the guest except a stop (terminate) while it waits.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { CapabilityManager } from '../capabilities/index.ts';
import type { Clock } from '../clock/index.ts';
import type { AgentProcess } from '../process/index.ts';
import type { ApprovalQueue } from './approvals.ts';
import type { CapabilityGate } from './gate.ts';
import type { RuntimeObserver } from './observer.ts';
import type { AuditSink, CallContext, Implementations } from './options.ts';
import type { AgentSandbox } from './sandbox.ts';
import type { ToolRegistry } from './tools.ts';
import { err, ok, toWitError, type WitError, type WitResult } from './wit.ts';

/** What the runtime shares with every process's host imports. */
export interface HostServices {
  gate: CapabilityGate;
  approvals: ApprovalQueue;
  tools: ToolRegistry;
  capabilities: CapabilityManager;
  implementations: Implementations;
  clock: Clock;
  audit: AuditSink;
  /** How long a policy-required approval waits before it is denied (ms; Infinity: forever). */
  approvalTimeoutMs: number;
  /** Spans and metrics of calls (no-ops without an observer). */
  observer: RuntimeObserver;
}

/** One process as its host imports see it. */
export interface ProcessHost {
  context: CallContext;
  sandbox: AgentSandbox;
  /** The live process record (budget and spend so far). */
  process(): AgentProcess;
  /** Durable agents: the journaled call in flight (its position names approval requests; its idempotency key goes to effects). */
  journaled?: () => { seq: number; idempotencyKey: string | undefined } | undefined;
}

/** The context handed to an implementation: the process's, plus the call's idempotency key when journaled. */
export function callContext(host: ProcessHost): CallContext {
  const key = host.journaled?.()?.idempotencyKey;
  return key === undefined ? host.context : { ...host.context, idempotencyKey: key };
}

/**
 * The id of an approval request opened by the call in flight: durable agents
 * name it by journal position (`<agentId>.<seq>`), so the call re-run after a
 * restart finds its request (and the decision) again; otherwise undefined (a fresh id).
 */
export function approvalId(host: ProcessHost): string | undefined {
  const call = host.journaled?.();
  return call === undefined ? undefined : `${host.context.agentId}.${call.seq}`;
}

/** The first budget dimension (tokens, calls) this process has spent, counting the slice in flight. */
export function spentDimension(host: ProcessHost): 'tokens' | 'calls' | undefined {
  const { budget, spent } = host.process();
  if (spent.tokens + host.sandbox.tokens >= budget.tokens) return 'tokens';
  if (spent.calls + host.sandbox.calls >= budget.calls) return 'calls';
  return undefined;
}

/**
 * While a budget is spent, ends the slice (the process manager suspends the
 * process with reason budget) and waits until `extendBudget` lets it run again.
 */
export async function waitForBudget(host: ProcessHost): Promise<void> {
  for (let dimension = spentDimension(host); dimension !== undefined; dimension = spentDimension(host)) {
    await host.sandbox.park({ outcome: 'continue', reason: `${dimension} budget spent` });
  }
}

/**
 * Runs `call` if the gate lets it, on the input the gate handed back (redacted
 * under allow-with-conditions), waiting for an approval when required.
 */
export async function guarded<T>(
  services: HostServices,
  host: ProcessHost,
  capability: string,
  input: unknown,
  call: (input: unknown, limits: { maxTokens?: number } | undefined) => T | Promise<T>,
): Promise<WitResult<T, WitError>> {
  await waitForBudget(host);
  host.sandbox.calls++;
  const { context } = host;
  const observed = services.observer.beginCall(capability, context);
  const tokensUsed = host.process().spent.tokens + host.sandbox.tokens;
  const outcome = services.gate.decide({ ...context, capability, input, tokensUsed });
  if (outcome.effect === 'deny') {
    observed.end(outcome.error);
    return err(toWitError(outcome.error));
  }
  if (outcome.effect === 'require-approval') {
    const { request, opened } = services.approvals.openOrFind({
      agentId: context.agentId, capability, action: capability, reason: outcome.reason, details: safeJson(outcome.input),
      roles: outcome.roles, approvers: [], minApprovals: outcome.minApprovals, ruleId: outcome.ruleId,
    }, { id: approvalId(host), timeoutMs: services.approvalTimeoutMs });
    if (opened) services.audit({ kind: 'approval.requested', data: { requestId: request.id, agentId: context.agentId, capability, ruleId: outcome.ruleId, roles: [...outcome.roles], minApprovals: outcome.minApprovals } });
    if (request.status === 'pending') {
      try {
        await host.sandbox.park({ outcome: 'await-approval', reason: `approval ${request.id} for ${capability}` });
      } catch (stopped) {
        observed.end(stopped);
        throw stopped;
      }
    }
    const decided = services.approvals.get(request.id);
    if (decided.status !== 'approved') {
      const by = decided.votes.find((v) => !v.approved)?.approver ?? 'nobody';
      const refusal = new AgentOsError('policy-denied', `${capability} needed approval (rule ${outcome.ruleId}) and ${by} denied it.`);
      observed.end(refusal);
      return err(toWitError(refusal));
    }
  }
  try {
    const value = await call(outcome.input, outcome.limits);
    observed.end();
    return ok(value);
  } catch (error) {
    observed.end(error);
    // An implementation's failure (or a tool's trap) is the guest's to handle, as data.
    return err(toWitError(error));
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return '"(not representable as JSON)"';
  }
}
