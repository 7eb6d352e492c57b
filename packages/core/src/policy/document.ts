/**
 * The policy document: the declarative, versioned JSON a tenant or operator
 * writes. This zod schema is the single source of truth — the published JSON
 * Schema (schemas/policy.schema.json) is generated from it by schema-gen.ts.
 *
 * Validation happens here, once, at the edge: a document is accepted whole
 * or refused whole with every problem listed by JSON Pointer path.
 */
import { z } from 'zod';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const DATA_DETECTORS = ['email', 'credit-card', 'api-key'] as const;
export type DataDetector = (typeof DATA_DETECTORS)[number];

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isRegex(source: string, flags = ''): boolean {
  try {
    new RegExp(source, flags);
    return true;
  } catch {
    return false;
  }
}

const timeZone = z.string().refine(isTimeZone, { message: 'not an IANA time zone known to Intl' }).meta({
  description: 'IANA time zone, e.g. "Europe/Paris".',
});

const patterns = (what: string) =>
  z.array(z.string().min(1)).min(1).meta({
    description: `${what} this rule applies to; "*" matches any run of characters (e.g. "web.*"). Omit to match all.`,
  });

/** Selectors every rule kind shares: a rule applies only where all given selectors match. */
const selectors = {
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'letters, digits and . _ : / - only').meta({
    description: 'Unique rule id, carried by every decision this rule makes.',
  }),
  description: z.string().optional(),
  tenants: patterns('Tenants').optional(),
  agentTypes: patterns('Agent types').optional(),
  capabilities: patterns('Capability ids').optional(),
  risks: z.array(z.enum(RISK_LEVELS)).min(1).optional().meta({ description: 'Risk levels of the capability this rule applies to.' }),
};

const limits = z
  .strictObject({
    maxCallsPerMinute: z.int().positive().optional(),
    maxTokens: z.int().positive().optional(),
  })
  .meta({ description: 'Lower limits imposed on allowed calls (the lower of these and the entitlement wins).' });

export const capabilityRuleSchema = z.strictObject({
  ...selectors,
  kind: z.literal('capability'),
  effect: z.enum(['allow', 'deny']),
  limits: limits.optional(),
});

export const budgetRuleSchema = z.strictObject({
  ...selectors,
  kind: z.literal('budget'),
  maxTokens: z.int().nonnegative().meta({ description: 'Once an agent has used more tokens than this, it is stopped.' }),
  action: z.enum(['suspend', 'deny']).default('suspend'),
});

const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time as HH:MM (00:00 to 24:00)');

export const timeWindowRuleSchema = z.strictObject({
  ...selectors,
  kind: z.literal('time-window'),
  risks: z.array(z.enum(RISK_LEVELS)).min(1).default(['high', 'critical']),
  windows: z
    .array(
      z.strictObject({
        days: z.array(z.enum(WEEKDAYS)).min(1).default([...WEEKDAYS]),
        start: clock,
        end: clock.meta({ description: 'Exclusive. An end before the start wraps past midnight.' }),
      }),
    )
    .min(1)
    .meta({ description: 'Local times when the work is allowed; outside all of them it is denied.' }),
  timeZone: timeZone.optional().meta({ description: "Overrides the tenant's time zone." }),
});

const customPattern = z
  .strictObject({
    name: z.string().min(1),
    regex: z.string().min(1),
    flags: z.string().regex(/^[imsu]*$/, 'only the flags i, m, s and u').optional(),
  })
  .refine((p) => isRegex(p.regex, p.flags), { message: 'not a valid regular expression', path: ['regex'] });

export const dataRuleSchema = z
  .strictObject({
    ...selectors,
    kind: z.literal('data'),
    detectors: z.array(z.enum(DATA_DETECTORS)).default([]),
    patterns: z.array(customPattern).default([]),
    fields: z.array(z.string().min(1)).min(1).optional().meta({
      description: 'Dot paths into the call input to scan ("*" = any key or index). Omit to scan every string.',
    }),
    action: z.enum(['deny', 'redact']),
  })
  .refine((r) => r.detectors.length + r.patterns.length > 0, { message: 'give at least one detector or pattern', path: ['detectors'] });

export const approvalRuleSchema = z.strictObject({
  ...selectors,
  kind: z.literal('approval'),
  roles: z.array(z.string().min(1)).min(1).meta({ description: 'Any of these roles may approve.' }),
  minApprovals: z.int().positive().default(1),
});

export const ruleSchema = z.discriminatedUnion('kind', [
  capabilityRuleSchema,
  budgetRuleSchema,
  timeWindowRuleSchema,
  dataRuleSchema,
  approvalRuleSchema,
]);

export const policyDocumentSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(1),
    id: z.string().min(1),
    description: z.string().optional(),
    defaultTimeZone: timeZone.default('UTC'),
    tenants: z.record(z.string().min(1), z.strictObject({ timeZone })).default({}),
    rules: z.array(ruleSchema),
  })
  .superRefine((doc, ctx) => {
    for (const issue of duplicateIds(doc.rules)) ctx.addIssue({ code: 'custom', ...issue });
  })
  .meta({
    title: 'agentos policy document',
    description: 'Declarative policy for the agentos policy engine. Default deny; see packages/core/src/policy for precedence.',
  });

/** Issues for repeated rule ids; works on unvalidated input too. */
function duplicateIds(rules: unknown): { path: (string | number)[]; message: string }[] {
  if (!Array.isArray(rules)) return [];
  const seen = new Map<string, number>();
  const issues: { path: (string | number)[]; message: string }[] = [];
  rules.forEach((rule: unknown, index) => {
    const id = (rule as { id?: unknown } | null)?.id;
    if (typeof id !== 'string') return;
    const first = seen.get(id);
    if (first !== undefined) issues.push({ path: ['rules', index, 'id'], message: `duplicate rule id (also /rules/${first})` });
    else seen.set(id, index);
  });
  return issues;
}

export type PolicyDocument = z.output<typeof policyDocumentSchema>;
export type PolicyDocumentInput = z.input<typeof policyDocumentSchema>;
export type PolicyRule = z.output<typeof ruleSchema>;
export type CapabilityRule = z.output<typeof capabilityRuleSchema>;
export type BudgetRule = z.output<typeof budgetRuleSchema>;
export type TimeWindowRule = z.output<typeof timeWindowRuleSchema>;
export type DataRule = z.output<typeof dataRuleSchema>;
export type ApprovalRule = z.output<typeof approvalRuleSchema>;

export interface PolicyIssue {
  /** JSON Pointer (RFC 6901) into the document, e.g. "/rules/3/effect". */
  path: string;
  message: string;
}

/**
 * Validates a policy document (already parsed from JSON).
 * @throws {AgentOsError} 'invalid-policy' listing every problem in
 *   `details.issues` as `{ path, message }`; nothing of the document is used then.
 */
export function parsePolicyDocument(input: unknown): PolicyDocument {
  const result = policyDocumentSchema.safeParse(input);
  if (result.success) return result.data;
  const issues: PolicyIssue[] = result.error.issues.map((issue) => ({
    path: toPointer(issue.path),
    message: issue.message,
  }));
  // zod skips the document-level refinement once a rule is invalid; report duplicates anyway.
  for (const issue of duplicateIds((input as { rules?: unknown } | null)?.rules)) {
    const path = toPointer(issue.path);
    if (!issues.some((i) => i.path === path && i.message === issue.message)) issues.push({ path, message: issue.message });
  }
  const summary = issues.slice(0, 3).map((i) => `${i.path || '/'}: ${i.message}`).join('; ');
  throw new AgentOsError(
    'invalid-policy',
    `The policy document is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}: ${summary}${issues.length > 3 ? '; …' : ''}). Nothing was loaded; fix it and load it again.`,
    { details: { issues } },
  );
}

function toPointer(path: readonly PropertyKey[]): string {
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}
