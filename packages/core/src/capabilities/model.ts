/**
 * Capabilities (what a tool or host function is) and entitlements (who may
 * call it, how often, with how many tokens), validated with zod when they
 * enter the system.
 */
import { z } from 'zod';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { RISK_LEVELS } from '../policy/index.ts';

const name = z.string().min(1);

export const capabilitySchema = z.strictObject({
  /** Unique id that agents and policies use, e.g. "web.fetch". */
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, 'letters, digits and . _ : / @ - only'),
  name,
  namespace: name,
  version: name,
  /** JSON Schema (the subset in json-schema.ts) of the call input; {} accepts anything. */
  inputSchema: z.unknown().default({}),
  /** Tenants that may use it at all; "*" wildcards allowed. */
  allowedTenants: z.array(name).min(1),
  risk: z.enum(RISK_LEVELS),
});

export const entitlementSchema = z.strictObject({
  tenant: name,
  agentType: name,
  /** Capability ids (or "*" patterns) this agent type may call. */
  capabilities: z.array(name).min(1),
  maxCallsPerMinute: z.int().positive(),
  maxTokenBudget: z.int().nonnegative(),
});

export type Capability = z.output<typeof capabilitySchema>;
export type CapabilityInput = z.input<typeof capabilitySchema>;
export type Entitlement = z.output<typeof entitlementSchema>;

/**
 * Parses with `schema` or throws 'invalid-argument' with `details.issues`
 * ({ path, message }[], JSON Pointer paths).
 */
export function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.map((p) => `/${String(p)}`).join(''), message: i.message }));
  throw new AgentOsError('invalid-argument', `Invalid ${what}: ${issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}.`, {
    details: { issues },
  });
}
