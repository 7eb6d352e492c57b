/**
 * PolicyEngine: evaluates calls against the loaded policy document.
 *
 * Default deny. Evaluation is synchronous and reads the compiled policy once
 * at its start, so `load` — which validates and compiles the new document
 * completely before swapping one reference — never shows an evaluation half
 * of each set; an evaluation that is running when `load` is called (e.g. from
 * the audit sink) finishes on the old set. An invalid document changes
 * nothing. See decision.ts for the precedence of rule kinds.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { CompiledPolicy, type CompiledRule } from './compile.ts';
import {
  type Conditions,
  DEFAULT_DENY,
  type DecisionRecord,
  type DecisionSink,
  type PolicyDecision,
  type PolicyRequest,
  type Redaction,
} from './decision.ts';
import { detects, eachString, redactText, rewriteStrings } from './detectors.ts';
import { parsePolicyDocument, type PolicyDocument } from './document.ts';
import { inWindow, LocalClock } from './local-time.ts';

export interface PolicyEngineOptions {
  /** Receives every decision. If it throws, `evaluate` throws too: no decision goes unrecorded. */
  audit?: DecisionSink;
  /** Clock in ms since the epoch (default `Date.now`), used when a request has no `at`. */
  now?: () => number;
  /** A document to load at once (same rules as `load`). */
  policy?: unknown;
}

export interface LoadedPolicy {
  id: string;
  revision: number;
  rules: number;
}

type Limits = NonNullable<Conditions['limits']>;

export class PolicyEngine {
  #policy: CompiledPolicy = new CompiledPolicy(undefined, 0);
  readonly #audit: DecisionSink | undefined;
  readonly #now: () => number;
  readonly #clock = new LocalClock();

  /** @throws {AgentOsError} 'invalid-policy' when `options.policy` is given and invalid. */
  constructor(options: PolicyEngineOptions = {}) {
    this.#audit = options.audit;
    this.#now = options.now ?? Date.now;
    if (options.policy !== undefined) this.load(options.policy);
  }

  /** The policy in force (id "(none)", revision 0 before the first load). */
  get current(): LoadedPolicy {
    return { id: this.#policy.id, revision: this.#policy.revision, rules: this.#policy.ruleCount };
  }

  /**
   * Validates, compiles and atomically swaps in a new policy document.
   * @throws {AgentOsError} 'invalid-policy' with `details.issues` ({ path, message }[])
   *   when the document is invalid; the policy in force stays as it was.
   */
  load(document: unknown): LoadedPolicy {
    const parsed: PolicyDocument = parsePolicyDocument(document);
    this.#policy = new CompiledPolicy(parsed, this.#policy.revision + 1);
    return this.current;
  }

  /**
   * Decides on one call and hands the decision to the audit sink.
   * @throws whatever the audit sink throws (the decision is then not returned).
   */
  evaluate(request: PolicyRequest): PolicyDecision {
    const policy = this.#policy;
    const at = request.at ?? this.#now();
    const decision = decide(policy, request, at, this.#clock);
    if (this.#audit) this.#audit(toRecord(request, at, decision));
    return decision;
  }

  /**
   * Like `evaluate`, but a deny becomes an error, for call sites that cannot
   * proceed without permission.
   * @throws {AgentOsError} 'budget-exceeded' when a budget rule denies (details.suspend
   *   says whether to suspend the agent), 'policy-denied' for any other deny;
   *   details carry ruleId, reason, policyId and revision.
   */
  enforce(request: PolicyRequest): Exclude<PolicyDecision, { effect: 'deny' }> {
    const decision = this.evaluate(request);
    if (decision.effect !== 'deny') return decision;
    const budget = this.#policy.document?.rules.find((r) => r.id === decision.ruleId)?.kind === 'budget';
    throw new AgentOsError(budget ? 'budget-exceeded' : 'policy-denied', `${decision.reason}.`, {
      details: { ruleId: decision.ruleId, reason: decision.reason, policyId: decision.policyId, revision: decision.revision, suspend: decision.suspend },
    });
  }
}

function decide(policy: CompiledPolicy, request: PolicyRequest, at: number, clock: LocalClock): PolicyDecision {
  const { id: policyId, revision } = policy;
  const risk = request.risk ?? 'critical';
  let allow: CompiledRule | undefined;
  let approvals: (CompiledRule & { kind: 'approval' })[] | undefined;
  let conditionRules: string[] | undefined;
  let limits: Limits | undefined;
  let redact: { rule: CompiledRule & { kind: 'data' }; found: Redaction[] }[] | undefined;

  const deny = (rule: CompiledRule, reason: string, suspend = false): PolicyDecision => ({
    effect: 'deny', ruleId: rule.id, reason, policyId, revision, suspend,
  });

  for (const rule of policy.candidates(request.tenant, request.agentType, request.capability)) {
    if (rule.risks !== undefined && !rule.risks.has(risk)) continue;
    switch (rule.kind) {
      case 'capability':
        if (rule.effect === 'deny') return deny(rule, `rule ${rule.id} denies ${request.capability} to ${request.agentType}`);
        allow ??= rule;
        if (rule.limits) {
          limits = lower(limits, rule.limits);
          (conditionRules ??= []).push(rule.id);
        }
        break;
      case 'budget':
        if ((request.tokensUsed ?? 0) > rule.maxTokens) {
          return deny(rule, `the agent used ${request.tokensUsed} tokens, over the budget of ${rule.maxTokens} set by rule ${rule.id}`, rule.suspend);
        }
        break;
      case 'time-window': {
        const local = clock.at(at, rule.timeZone ?? policy.timeZoneOf(request.tenant));
        const open = rule.windows.some((w) => (w.days & (1 << local.day)) !== 0 && inWindow(local.minute, w.start, w.end));
        if (!open) return deny(rule, `${risk}-risk work is outside the hours allowed by rule ${rule.id}`);
        break;
      }
      case 'data': {
        if (request.input === undefined) break;
        const found = scan(rule, request.input);
        if (found.length === 0) break;
        if (rule.action === 'deny') {
          const kinds = [...new Set(found.map((f) => f.detector))].join(', ');
          return deny(rule, `the input holds ${kinds} data that rule ${rule.id} does not let leave`);
        }
        (redact ??= []).push({ rule, found });
        (conditionRules ??= []).push(rule.id);
        break;
      }
      case 'approval':
        (approvals ??= []).push(rule);
        break;
    }
  }

  if (allow === undefined) {
    return {
      effect: 'deny', ruleId: DEFAULT_DENY, policyId, revision, suspend: false,
      reason: `no rule allows ${request.agentType} to call ${request.capability} for tenant ${request.tenant}`,
    };
  }
  let conditions: Conditions | undefined;
  if (limits || redact) {
    conditions = {};
    if (limits) conditions.limits = limits;
    if (redact) Object.assign(conditions, applyRedactions(request.input, redact));
  }
  if (approvals) {
    const roles = [...new Set(approvals.flatMap((r) => r.roles))];
    const minApprovals = Math.max(...approvals.map((r) => r.minApprovals));
    return {
      effect: 'require-approval', ruleId: approvals[0].id, policyId, revision,
      reason: `rule ${approvals[0].id} requires approval by ${roles.join(' or ')}`,
      approvers: { roles, minApprovals },
      ruleIds: [...approvals.map((r) => r.id), ...(conditionRules ?? [])],
      ...(conditions ? { conditions } : {}),
    };
  }
  if (conditions) {
    return {
      effect: 'allow-with-conditions', ruleId: conditionRules![0], policyId, revision, conditions,
      reason: `allowed by rule ${allow.id} with conditions from ${conditionRules!.join(', ')}`,
      ruleIds: [...new Set([allow.id, ...conditionRules!])],
    };
  }
  return { effect: 'allow', ruleId: allow.id, policyId, revision, reason: `allowed by rule ${allow.id}` };
}

function lower(current: Limits | undefined, next: Limits): Limits {
  if (!current) return { ...next };
  const out: Limits = { ...current };
  for (const key of ['maxCallsPerMinute', 'maxTokens'] as const) {
    const value = next[key];
    if (value !== undefined) out[key] = Math.min(out[key] ?? value, value);
  }
  return out;
}

function scan(rule: CompiledRule & { kind: 'data' }, input: unknown): Redaction[] {
  const found: Redaction[] = [];
  eachString(input, rule.fields, (text, path) => {
    for (const detector of rule.detectors) if (detects(detector, text)) found.push({ path, detector: detector.name });
  });
  return found;
}

function applyRedactions(input: unknown, redact: { rule: CompiledRule & { kind: 'data' }; found: Redaction[] }[]) {
  const redactions = redact.flatMap((r) => r.found);
  const byPath = new Map<string, Set<string>>();
  for (const r of redactions) (byPath.get(r.path) ?? byPath.set(r.path, new Set()).get(r.path)!).add(r.detector);
  const detectors = new Map(redact.flatMap((r) => r.rule.detectors.map((d) => [d.name, d] as const)));
  const redactedInput = rewriteStrings(input, new Set(byPath.keys()), (text, path) => {
    let out = text;
    for (const name of byPath.get(path)!) out = redactText(detectors.get(name)!, out);
    return out;
  });
  return { redactions, redactedInput };
}

function toRecord(request: PolicyRequest, at: number, decision: PolicyDecision): DecisionRecord {
  const record: DecisionRecord = {
    at, tenant: request.tenant, agentType: request.agentType, capability: request.capability,
    effect: decision.effect, ruleId: decision.ruleId, reason: decision.reason,
    policyId: decision.policyId, revision: decision.revision,
  };
  if (request.risk) record.risk = request.risk;
  if (decision.effect === 'deny') record.suspend = decision.suspend;
  if (decision.effect === 'require-approval') record.approvers = decision.approvers;
  if (decision.effect === 'require-approval' || decision.effect === 'allow-with-conditions') {
    record.ruleIds = decision.ruleIds;
    const c = decision.conditions;
    if (c?.redactions) record.redactions = c.redactions;
    if (c?.limits) record.limits = c.limits;
  }
  return record;
}
