/**
 * Turns a validated policy document into the form the engine evaluates:
 * patterns compiled to matchers, detectors and windows prepared, and rules
 * indexed by capability so an evaluation only looks at rules that can apply.
 *
 * Index: rules naming exact capability ids go into a map by id; rules with
 * wildcards (or no capability selector) go into one list. The candidate list
 * for a (tenant, agent type, capability) triple is built from both, filtered,
 * kept in document order and memoized, so a repeated call shape costs one map
 * lookup. A compiled policy is immutable; reloading builds a new one.
 */
import type { PolicyDocument, PolicyRule, RiskLevel } from './document.ts';
import { builtInDetector, compileFieldPath, customDetector, type Detector, type FieldPath } from './detectors.ts';
import { compileGlobs, isExact, type Matcher } from './glob.ts';
import { parseClock } from './local-time.ts';
import { WEEKDAYS } from './document.ts';

interface RuleBase {
  /** Position in the document: ties between rules of equal precedence go to the earliest. */
  index: number;
  id: string;
  tenant: Matcher;
  agentType: Matcher;
  capability: Matcher;
  risks: ReadonlySet<RiskLevel> | undefined;
}

export type CompiledRule = RuleBase &
  (
    | { kind: 'capability'; effect: 'allow' | 'deny'; limits?: { maxCallsPerMinute?: number; maxTokens?: number } }
    | { kind: 'budget'; maxTokens: number; suspend: boolean }
    | { kind: 'time-window'; timeZone?: string; windows: { days: number; start: number; end: number }[] }
    | { kind: 'data'; detectors: Detector[]; fields?: FieldPath[]; action: 'deny' | 'redact' }
    | { kind: 'approval'; roles: string[]; minApprovals: number }
  );

/** Memoized candidate lists are dropped wholesale past this many call shapes. */
const MEMO_LIMIT = 10_000;

export class CompiledPolicy {
  readonly id: string;
  /** Increases with every successful `load`; decisions carry it. */
  readonly revision: number;
  readonly document: PolicyDocument | undefined;
  readonly #byCapability = new Map<string, CompiledRule[]>();
  readonly #wildcard: CompiledRule[] = [];
  readonly #memo = new Map<string, CompiledRule[]>();
  readonly #defaultTimeZone: string;
  readonly #tenantZones: Map<string, string>;

  constructor(document: PolicyDocument | undefined, revision: number) {
    this.document = document;
    this.id = document?.id ?? '(none)';
    this.revision = revision;
    this.#defaultTimeZone = document?.defaultTimeZone ?? 'UTC';
    this.#tenantZones = new Map(Object.entries(document?.tenants ?? {}).map(([t, v]) => [t, v.timeZone]));
    (document?.rules ?? []).forEach((rule, index) => {
      const compiled = compileRule(rule, index);
      const names = rule.capabilities;
      if (names !== undefined && names.every(isExact)) {
        for (const name of new Set(names)) {
          const list = this.#byCapability.get(name) ?? [];
          list.push(compiled);
          this.#byCapability.set(name, list);
        }
      } else {
        this.#wildcard.push(compiled);
      }
    });
  }

  get ruleCount(): number {
    return this.document?.rules.length ?? 0;
  }

  /** Rules whose tenant, agent type and capability selectors match, in document order. */
  candidates(tenant: string, agentType: string, capability: string): readonly CompiledRule[] {
    const key = tenant + '\u0000' + agentType + '\u0000' + capability;
    let list = this.#memo.get(key);
    if (list === undefined) {
      const exact = this.#byCapability.get(capability) ?? [];
      const wild = this.#wildcard.filter((r) => r.capability(capability));
      list = [...exact, ...wild]
        .filter((r) => r.tenant(tenant) && r.agentType(agentType))
        .sort((a, b) => a.index - b.index);
      if (this.#memo.size >= MEMO_LIMIT) this.#memo.clear();
      this.#memo.set(key, list);
    }
    return list;
  }

  timeZoneOf(tenant: string): string {
    return this.#tenantZones.get(tenant) ?? this.#defaultTimeZone;
  }
}

function compileRule(rule: PolicyRule, index: number): CompiledRule {
  const base: RuleBase = {
    index,
    id: rule.id,
    tenant: compileGlobs(rule.tenants),
    agentType: compileGlobs(rule.agentTypes),
    capability: compileGlobs(rule.capabilities),
    risks: rule.risks ? new Set(rule.risks) : undefined,
  };
  switch (rule.kind) {
    case 'capability':
      return { ...base, kind: 'capability', effect: rule.effect, limits: rule.limits };
    case 'budget':
      return { ...base, kind: 'budget', maxTokens: rule.maxTokens, suspend: rule.action === 'suspend' };
    case 'time-window':
      return {
        ...base,
        kind: 'time-window',
        timeZone: rule.timeZone,
        windows: rule.windows.map((w) => ({
          // Bit d set = allowed on weekday d (0 = Monday).
          days: w.days.reduce((mask, d) => mask | (1 << WEEKDAYS.indexOf(d)), 0),
          start: parseClock(w.start),
          end: parseClock(w.end),
        })),
      };
    case 'data':
      return {
        ...base,
        kind: 'data',
        detectors: [...rule.detectors.map(builtInDetector), ...rule.patterns.map(customDetector)],
        fields: rule.fields?.map(compileFieldPath),
        action: rule.action,
      };
    case 'approval':
      return { ...base, kind: 'approval', roles: rule.roles, minApprovals: rule.minApprovals };
  }
}
