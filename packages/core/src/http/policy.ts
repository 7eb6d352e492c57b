/**
 * The egress policy of the http capability: which hosts an agent may reach,
 * with which methods, on which ports and schemes, and the caps every request
 * runs under. Nothing is reachable unless a rule allows it. A host pattern is
 * an exact name (`api.example.com`), a wildcard for subdomains only
 * (`*.example.com` matches `a.example.com` and `a.b.example.com`, not
 * `example.com`) or a public IP literal; private addresses stay refused even
 * when a rule names them.
 */
import { z } from 'zod';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { HttpRequest } from '../runtime/options.ts';

export const HTTP_METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options'] as const;
export type HttpMethod = HttpRequest['method'];

const hostPattern = z
  .string()
  .regex(/^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$|^\[[0-9a-f:.]+\]$/, 'a lower-case host name, "*." + a name, or an [IPv6] literal')
  .meta({ description: 'Exact host, "*.domain" for its subdomains, or an IP literal (IPv6 in brackets).' });

export const egressRuleSchema = z.strictObject({
  host: hostPattern,
  methods: z.array(z.enum(HTTP_METHODS)).min(1).default(['get', 'head']).meta({ description: 'Allowed methods; default get and head.' }),
  ports: z.array(z.int().min(1).max(65535)).min(1).optional().meta({ description: "Allowed ports; default the scheme's (443 / 80)." }),
  schemes: z.array(z.enum(['https', 'http'])).min(1).default(['https']).meta({ description: 'Allowed schemes; default https only.' }),
});

export const egressPolicySchema = z.strictObject({
  allow: z.array(egressRuleSchema).meta({ description: 'Destinations that may be reached; everything else is refused.' }),
  maxRedirects: z.int().min(0).max(20).default(5).meta({ description: 'Redirect hops followed (each one checked again); more is limit-exceeded.' }),
  maxResponseBytes: z.int().positive().default(10 * 1024 * 1024).meta({ description: 'Response body cap in bytes.' }),
  maxRequestBytes: z.int().positive().default(10 * 1024 * 1024).meta({ description: 'Request body cap in bytes.' }),
  timeoutMs: z.int().positive().default(30_000).meta({ description: 'Longest a request (all hops and the body) may take; a guest may ask for less.' }),
});

export type EgressRuleInput = z.input<typeof egressRuleSchema>;
export type EgressPolicyInput = z.input<typeof egressPolicySchema>;
export type EgressRule = z.output<typeof egressRuleSchema>;
export type EgressPolicy = z.output<typeof egressPolicySchema>;

/**
 * Validates an egress policy document (defaults filled in).
 * @throws AgentOsError 'invalid-policy' listing every problem by path.
 */
export function parseEgressPolicy(input: unknown): EgressPolicy {
  const result = egressPolicySchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `/${i.path.join('/')}: ${i.message}`);
  throw new AgentOsError('invalid-policy', `The egress policy is invalid: ${problems.join('; ')}.`, { details: { problems } });
}

/** Does `pattern` (from a rule) match the normalized host name? */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return pattern === host || (pattern.startsWith('[') && pattern.slice(1, -1) === host);
}

export interface Destination {
  scheme: 'http' | 'https';
  /** Normalized host: lower-case name or canonical IP text. */
  host: string;
  port: number;
  method: HttpMethod;
}

/**
 * Finds the rule that allows this destination.
 * @throws AgentOsError 'policy-denied' (details.reason 'host-not-allowed',
 *   'scheme-not-allowed', 'port-not-allowed' or 'method-not-allowed') when none does.
 */
export function checkAllowed(policy: EgressPolicy, destination: Destination, canonicalIp?: (pattern: string) => string | undefined): EgressRule {
  const { host, scheme, port, method } = destination;
  const forHost = policy.allow.filter((rule) => hostMatches(rule.host, host) || canonicalIp?.(rule.host) === host);
  const deny = (reason: string, what: string) =>
    new AgentOsError('policy-denied', `The egress policy does not allow ${what}.`, { details: { reason, host, scheme, port, method } });
  if (forHost.length === 0) throw deny('host-not-allowed', `requests to ${host}`);
  const withScheme = forHost.filter((r) => r.schemes.includes(scheme));
  if (withScheme.length === 0) throw deny('scheme-not-allowed', `${scheme}: to ${host}`);
  const withPort = withScheme.filter((r) => (r.ports ?? [scheme === 'https' ? 443 : 80]).includes(port));
  if (withPort.length === 0) throw deny('port-not-allowed', `port ${port} on ${host}`);
  const rule = withPort.find((r) => r.methods.includes(method));
  if (!rule) throw deny('method-not-allowed', `${method.toUpperCase()} to ${host}`);
  return rule;
}
