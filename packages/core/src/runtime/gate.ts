/**
 * The capability gate: every capability call of a guest passes here before it
 * has any effect, in this order:
 *   1. entitlement — `CapabilityManager.tryCheck` (capability exists, the agent
 *      type is entitled, input schema, token budget, rate limit);
 *   2. policy — `PolicyEngine.evaluate` (deny, require-approval,
 *      allow-with-conditions, allow), with the capability's risk level;
 *   3. audit — each decision is appended with the rule that made it.
 * A refusal is returned as data (an AgentOsError the host imports turn into
 * the WIT error variant), never thrown into the guest.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { TokenBucket, type CapabilityManager } from '../capabilities/index.ts';
import type { Conditions, PolicyEngine } from '../policy/index.ts';
import type { AuditSink } from './options.ts';

/** One capability call to decide on. */
export interface GateRequest {
  agentId: string;
  tenant: string;
  agentType: string;
  /** Capability id, e.g. `http.fetch` (see CAPABILITY_IDS). */
  capability: string;
  /** The call's arguments as plain JSON data (schema-checked, scanned by data rules). */
  input: unknown;
  /** Tokens the agent has used so far (policy budget rules). */
  tokensUsed: number;
}

export type GateOutcome =
  | { effect: 'allow'; ruleId: string; input: unknown; limits: Conditions['limits'] }
  | { effect: 'deny'; ruleId: string; error: AgentOsError }
  | { effect: 'require-approval'; ruleId: string; reason: string; roles: string[]; minApprovals: number; input: unknown; limits: Conditions['limits'] };

/** Rule id recorded when the entitlement check (not a policy rule) refuses a call. */
export const ENTITLEMENT_RULE = 'entitlement';

const MINUTE = 60_000;

export class CapabilityGate {
  readonly #capabilities: CapabilityManager;
  readonly #policy: PolicyEngine;
  readonly #audit: AuditSink;
  readonly #now: () => number;
  /** Buckets for rates a policy lowered (allow-with-conditions), per agent type and capability. */
  readonly #lowered = new Map<string, TokenBucket>();

  constructor(options: { capabilities: CapabilityManager; policy: PolicyEngine; audit: AuditSink; now: () => number }) {
    this.#capabilities = options.capabilities;
    this.#policy = options.policy;
    this.#audit = options.audit;
    this.#now = options.now;
  }

  /**
   * Decides on one call and records the decision in the audit log.
   * @throws only what the audit sink or the policy engine's own sink throws.
   */
  decide(request: GateRequest): GateOutcome {
    const { agentId, tenant, agentType, capability } = request;
    const entitled = this.#capabilities.tryCheck({ tenant, agentType, capability, input: request.input });
    if (!entitled.ok) {
      const reason = String(entitled.error.details?.reason ?? entitled.error.code);
      this.#record(request, { stage: 'entitlement', effect: 'deny', ruleId: ENTITLEMENT_RULE, reason: `${reason}: ${entitled.error.message}`, code: entitled.error.code });
      return { effect: 'deny', ruleId: ENTITLEMENT_RULE, error: entitled.error };
    }
    const risk = entitled.grant.capability.risk;
    const decision = this.#policy.evaluate({ tenant, agentType, capability, risk, input: request.input, tokensUsed: request.tokensUsed, at: this.#now() });
    const ruleIds = 'ruleIds' in decision ? decision.ruleIds : [decision.ruleId];
    this.#record(request, { stage: 'policy', effect: decision.effect, ruleId: decision.ruleId, ruleIds, reason: decision.reason, revision: decision.revision });
    switch (decision.effect) {
      case 'deny': {
        const code = decision.suspend ? 'budget-exceeded' : 'policy-denied';
        const error = new AgentOsError(code, `${decision.reason}.`, { details: { ruleId: decision.ruleId, agentId, capability } });
        return { effect: 'deny', ruleId: decision.ruleId, error };
      }
      case 'require-approval':
        return {
          effect: 'require-approval', ruleId: decision.ruleId, reason: decision.reason,
          roles: decision.approvers.roles, minApprovals: decision.approvers.minApprovals,
          input: decision.conditions?.redactedInput ?? request.input, limits: decision.conditions?.limits,
        };
      case 'allow-with-conditions': {
        const limited = this.#rateLimit(request, decision.ruleId, decision.conditions.limits?.maxCallsPerMinute);
        if (limited) return limited;
        return { effect: 'allow', ruleId: decision.ruleId, input: decision.conditions.redactedInput ?? request.input, limits: decision.conditions.limits };
      }
      case 'allow':
        return { effect: 'allow', ruleId: decision.ruleId, input: request.input, limits: undefined };
    }
  }

  /** Records a decision made outside `decide` (an approval, a denial by the operator). */
  record(request: Pick<GateRequest, 'agentId' | 'tenant' | 'agentType' | 'capability'>, data: Record<string, unknown>): void {
    this.#audit({ kind: 'capability.decision', data: { agentId: request.agentId, tenant: request.tenant, agentType: request.agentType, capability: request.capability, ...data } });
  }

  #record(request: GateRequest, data: Record<string, unknown>): void {
    this.record(request, data);
  }

  /** A policy-lowered call rate, enforced per (tenant, agent type, capability, rate). */
  #rateLimit(request: GateRequest, ruleId: string, perMinute: number | undefined): GateOutcome | undefined {
    if (perMinute === undefined) return undefined;
    const key = [request.tenant, request.agentType, request.capability, perMinute].join('\u0000');
    let bucket = this.#lowered.get(key);
    if (!bucket) this.#lowered.set(key, (bucket = new TokenBucket({ capacity: perMinute, perMs: MINUTE, now: this.#now })));
    if (bucket.take().ok) return undefined;
    const error = new AgentOsError('rate-limited', `Rule ${ruleId} limits ${request.capability} to ${perMinute} calls per minute for ${request.agentType}; retry later.`, {
      details: { ruleId, agentId: request.agentId, capability: request.capability },
    });
    this.#record(request, { stage: 'conditions', effect: 'deny', ruleId, reason: error.message, code: 'rate-limited' });
    return { effect: 'deny', ruleId, error };
  }
}
