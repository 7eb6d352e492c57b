/**
 * Secrets as the runtime uses them: values the HOST injects into capability
 * calls on the guest's behalf (an API key in an `Authorization` header for one
 * host), so the guest can use a credential without ever holding it. A guest
 * may read a secret only when a grant names it. Every value loaded is handed
 * to the Redactor, so it is scrubbed from whatever gets stored or printed.
 *
 * Templates are expanded only in the host's rules, never in guest input: a
 * guest writing `{{secret:KEY}}` into a URL or header sends those characters.
 */
import { z } from 'zod';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { compileGlobs } from '../policy/index.ts';
import { Redactor } from './redactor.ts';
import type { SecretStore } from './store.ts';

const TEMPLATE = /\{\{secret:([A-Za-z0-9_.-]+)\}\}/g;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const patterns = z.array(z.string().min(1)).min(1).optional();

export const injectionRuleSchema = z.strictObject({
  capability: z.string().min(1).meta({ description: 'Capability id the rule applies to, e.g. "http.fetch".' }),
  host: z.string().min(1).optional().meta({ description: 'Destination host: exact, or "*.domain" for its subdomains. Omit for capabilities without a host.' }),
  header: z.string().regex(HEADER_NAME, 'an HTTP header name'),
  value: z.string().meta({ description: 'Header value; {{secret:NAME}} is replaced by the secret.' }),
  tenants: patterns,
  agentTypes: patterns,
});

export const readGrantSchema = z.strictObject({
  secret: z.string().min(1),
  tenants: patterns,
  agentTypes: patterns,
});

export type InjectionRule = z.input<typeof injectionRuleSchema>;
export type ReadGrant = z.input<typeof readGrantSchema>;

/** Who is asking (a subset of the runtime's CallContext). */
export interface SecretCaller {
  tenant: string;
  agentType: string;
}

export interface SecretsOptions {
  store: SecretStore;
  /** Headers the host adds per capability call and destination. */
  inject?: readonly InjectionRule[];
  /** Secrets a guest may read itself (default none). */
  guestReadable?: readonly ReadGrant[];
  /** Share one redactor across the host (default a new one). */
  redactor?: Redactor;
}

/** Where a call goes, for choosing its injections. */
export interface InjectionTarget {
  capability: string;
  /** Normalized destination host (lower case, no trailing dot). */
  host?: string;
  caller: SecretCaller;
}

interface CompiledRule {
  capability: string;
  host?: string;
  header: string;
  value: string;
  caller: (c: SecretCaller) => boolean;
}

function callerMatcher(rule: { tenants?: string[]; agentTypes?: string[] }): (c: SecretCaller) => boolean {
  const tenant = compileGlobs(rule.tenants);
  const agentType = compileGlobs(rule.agentTypes);
  return (c) => tenant(c.tenant) && agentType(c.agentType);
}

function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  if (p.startsWith('*.')) return host.endsWith(p.slice(1)) && host.length > p.length - 1;
  return p === host;
}

export class Secrets {
  readonly redactor: Redactor;
  readonly #store: SecretStore;
  readonly #rules: { capability: string; host?: string; header: string; template: string; caller: (c: SecretCaller) => boolean }[];
  readonly #grants: { secret: string; caller: (c: SecretCaller) => boolean }[];
  readonly #values = new Map<string, string>();
  #compiled: CompiledRule[] = [];

  private constructor(options: SecretsOptions) {
    this.#store = options.store;
    this.redactor = options.redactor ?? new Redactor();
    const rules = z.array(injectionRuleSchema).safeParse(options.inject ?? []);
    const grants = z.array(readGrantSchema).safeParse(options.guestReadable ?? []);
    if (!rules.success || !grants.success) {
      const issues = [...(rules.error?.issues ?? []), ...(grants.error?.issues ?? [])].map((i) => `/${i.path.join('/')}: ${i.message}`);
      throw new AgentOsError('invalid-policy', `Invalid secret rules: ${issues.join('; ')}.`, { details: { problems: issues } });
    }
    this.#rules = rules.data.map((r) => ({ capability: r.capability, host: r.host, header: r.header, template: r.value, caller: callerMatcher(r) }));
    this.#grants = grants.data.map((g) => ({ secret: g.secret, caller: callerMatcher(g) }));
  }

  /**
   * Reads every secret the rules and grants name, registers it with the
   * redactor and checks the expanded header values.
   * @throws AgentOsError 'not-found' when a named secret has no value,
   *   'invalid-policy' for malformed rules, 'invalid-argument' for a value that
   *   is too short to redact or would break a header (CR, LF, NUL).
   */
  static async load(options: SecretsOptions): Promise<Secrets> {
    const secrets = new Secrets(options);
    await secrets.refresh();
    return secrets;
  }

  /** Re-reads every value (rotation). Old values stay redacted. @throws as {@link Secrets.load}. */
  async refresh(): Promise<void> {
    const names = new Set<string>(this.#grants.map((g) => g.secret));
    for (const rule of this.#rules) for (const m of rule.template.matchAll(TEMPLATE)) names.add(m[1]);
    for (const name of names) {
      const value = await this.#store.get(name);
      if (value === undefined) throw new AgentOsError('not-found', `Secret ${name} is named by a rule but the secret store has no value for it.`, { details: { secret: name } });
      this.redactor.add(name, value);
      this.#values.set(name, value);
    }
    this.#compiled = this.#rules.map((rule) => {
      const value = rule.template.replace(TEMPLATE, (_, name: string) => this.#values.get(name)!);
      if (/[\r\n\0]/.test(value)) {
        throw new AgentOsError('invalid-argument', `The injected ${rule.header} header would hold CR, LF or NUL; fix the secret's value.`, { details: { header: rule.header } });
      }
      return { capability: rule.capability, host: rule.host, header: rule.header, value, caller: rule.caller };
    });
  }

  /** Headers to add to a call (later rules win for the same header name). Values are secret: never log them. */
  injections(target: InjectionTarget): [string, string][] {
    const byName = new Map<string, [string, string]>();
    for (const rule of this.#compiled) {
      if (rule.capability !== target.capability || !rule.caller(target.caller)) continue;
      if (rule.host !== undefined && (target.host === undefined || !hostMatches(rule.host, target.host))) continue;
      byName.set(rule.header.toLowerCase(), [rule.header, rule.value]);
    }
    return [...byName.values()];
  }

  /**
   * A secret's value for a guest that asked for it itself.
   * @throws AgentOsError 'capability-denied' unless a grant lets this caller read `name`.
   */
  read(name: string, caller: SecretCaller): string {
    const granted = this.#grants.some((g) => g.secret === name && g.caller(caller));
    const value = this.#values.get(name);
    if (!granted || value === undefined) {
      throw new AgentOsError('capability-denied', `This agent may not read secret ${name}; the host injects secrets into calls instead.`, { details: { secret: name } });
    }
    return value;
  }
}
