/**
 * What the policy engine answers, and what it hands to the audit sink.
 *
 * Precedence when several rules apply (highest first):
 *   1. deny — a capability deny rule, a budget rule over its limit, a
 *      time-window rule outside its hours, or a data rule with action "deny"
 *      that finds something. The first such rule in document order decides.
 *   2. default deny — when no capability rule allows the call, nothing else
 *      (approval, conditions) can let it through. ruleId is "default-deny".
 *   3. require-approval — an allowed call that an approval rule covers.
 *      Roles of all matching approval rules are offered; the highest
 *      minApprovals applies; ruleId is the first approval rule.
 *   4. allow-with-conditions — an allowed call with redactions (data rules
 *      with action "redact") or lower limits (allow rules with `limits`).
 *      ruleId is the first rule that added a condition.
 *   5. allow — ruleId is the first capability allow rule.
 */
import type { RiskLevel } from './document.ts';

export interface PolicyRequest {
  tenant: string;
  agentType: string;
  /** Capability id, e.g. "web.fetch". */
  capability: string;
  /** The capability's risk level. Missing counts as "critical" (fail closed). */
  risk?: RiskLevel;
  /** The call's arguments, scanned by data rules. */
  input?: unknown;
  /** Tokens the agent has used so far, checked by budget rules. */
  tokensUsed?: number;
  /** When the call happens (ms since the epoch); defaults to the engine clock. */
  at?: number;
}

export interface Redaction {
  /** JSON Pointer of the redacted string in the input. */
  path: string;
  detector: string;
}

export interface Conditions {
  redactions?: Redaction[];
  /** The input with every redaction applied: pass this to the tool, not the original. */
  redactedInput?: unknown;
  limits?: { maxCallsPerMinute?: number; maxTokens?: number };
}

interface DecisionBase {
  /** The rule that made the decision, or "default-deny". */
  ruleId: string;
  reason: string;
  policyId: string;
  revision: number;
}

export type PolicyDecision =
  | (DecisionBase & { effect: 'allow' })
  | (DecisionBase & { effect: 'deny'; /** Stop the agent, not just this call (budget rules). */ suspend: boolean })
  | (DecisionBase & {
      effect: 'require-approval';
      approvers: { roles: string[]; minApprovals: number };
      /** All rules that contributed (approval and condition rules). */
      ruleIds: string[];
      conditions?: Conditions;
    })
  | (DecisionBase & { effect: 'allow-with-conditions'; conditions: Conditions; ruleIds: string[] });

export type PolicyEffect = PolicyDecision['effect'];

/**
 * What the audit sink receives for every decision. It never holds the call's
 * input (which may be the very PII a data rule redacts) — only where
 * redactions were made.
 */
export interface DecisionRecord {
  at: number;
  tenant: string;
  agentType: string;
  capability: string;
  risk?: RiskLevel;
  effect: PolicyEffect;
  ruleId: string;
  reason: string;
  policyId: string;
  revision: number;
  ruleIds?: string[];
  approvers?: { roles: string[]; minApprovals: number };
  redactions?: Redaction[];
  limits?: { maxCallsPerMinute?: number; maxTokens?: number };
  suspend?: boolean;
}

export type DecisionSink = (record: DecisionRecord) => void;

export const DEFAULT_DENY = 'default-deny';
