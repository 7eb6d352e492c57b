/**
 * CapabilityManager: the gate every capability call passes before it has any
 * effect. `check` answers, in this order (the first failure wins, and nothing
 * is consumed by a refused call):
 *   1. the capability exists and the tenant may use it      → else 'capability-denied'
 *   2. an entitlement of (tenant, agent type) covers it     → else 'capability-denied'
 *   3. the input matches the capability's input schema      → else 'invalid-argument'
 *   4. the call fits the token budget                       → else 'budget-exceeded'
 *   5. the rate limit (token bucket per entitlement, plus a
 *      stricter one when the policy lowered the limit)     → else 'rate-limited'
 * The policy engine decides separately (policy/); the host asks both.
 */
import { AgentOsError, type ErrorCode } from '../../../sandbox/src/errors/index.ts';
import { compileGlobs, type Matcher } from '../policy/index.ts';
import { compileSchema, type Validator } from './json-schema.ts';
import { type Capability, capabilitySchema, type Entitlement, entitlementSchema, parseOrThrow } from './model.ts';
import { TokenBucket } from './token-bucket.ts';

export interface CapabilityCheck {
  tenant: string;
  agentType: string;
  /** Capability id. */
  capability: string;
  input?: unknown;
  /** Tokens this call is expected to use (counted against the budget, not recorded). */
  tokens?: number;
  /** Lower limits from a policy decision (allow-with-conditions). */
  limits?: { maxCallsPerMinute?: number; maxTokens?: number };
}

export interface CapabilityGrant {
  capability: Capability;
  entitlement: Entitlement;
  /** Tokens left in the budget after this call's `tokens`. */
  tokensLeft: number;
}

export interface CapabilityCheckRecord {
  at: number;
  tenant: string;
  agentType: string;
  capability: string;
  outcome: 'granted' | ErrorCode;
}

export interface CapabilityManagerOptions {
  /** Clock in ms (default `Date.now`); drives the rate limiter. */
  now?: () => number;
  /** Receives the outcome of every check. */
  audit?: (record: CapabilityCheckRecord) => void;
}

interface Registered {
  capability: Capability;
  tenants: Matcher;
  validate: Validator;
}

interface Entitled {
  entitlement: Entitlement;
  covers: Matcher;
  bucket: TokenBucket;
  tokensUsed: number;
  /** Buckets for policy-lowered rates, by calls per minute. */
  lowered: Map<number, TokenBucket>;
}

const MINUTE = 60_000;

export class CapabilityManager {
  readonly #now: () => number;
  readonly #audit: CapabilityManagerOptions['audit'];
  readonly #capabilities = new Map<string, Registered>();
  readonly #entitlements = new Map<string, Entitled>();

  constructor(options: CapabilityManagerOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#audit = options.audit;
  }

  /**
   * Registers (or replaces) a capability.
   * @throws {AgentOsError} 'invalid-argument' when the definition or its input
   *   schema is invalid (details.issues / details.path say where).
   */
  register(definition: unknown): Capability {
    const capability = parseOrThrow(capabilitySchema, definition, 'capability');
    const validate = compileSchema(capability.inputSchema);
    this.#capabilities.set(capability.id, { capability, tenants: compileGlobs(capability.allowedTenants), validate });
    return capability;
  }

  /** The registered capability, or undefined. */
  get(id: string): Capability | undefined {
    return this.#capabilities.get(id)?.capability;
  }

  /**
   * Grants (or replaces) the entitlement of one (tenant, agent type); a
   * replacement starts with a full rate bucket and keeps the tokens used.
   * @throws {AgentOsError} 'invalid-argument' when the entitlement is invalid.
   */
  entitle(definition: unknown): Entitlement {
    const entitlement = parseOrThrow(entitlementSchema, definition, 'entitlement');
    const key = keyOf(entitlement.tenant, entitlement.agentType);
    this.#entitlements.set(key, {
      entitlement,
      covers: compileGlobs(entitlement.capabilities),
      bucket: new TokenBucket({ capacity: entitlement.maxCallsPerMinute, perMs: MINUTE, now: this.#now }),
      tokensUsed: this.#entitlements.get(key)?.tokensUsed ?? 0,
      lowered: new Map(),
    });
    return entitlement;
  }

  /** Removes an entitlement; later checks for it are denied. Returns whether one existed. */
  revoke(who: { tenant: string; agentType: string }): boolean {
    return this.#entitlements.delete(keyOf(who.tenant, who.agentType));
  }

  /**
   * Adds tokens actually spent (after a call) to the budget of (tenant, agent type).
   * @throws {AgentOsError} 'not-found' when there is no such entitlement;
   *   'invalid-argument' for a negative or non-finite count.
   */
  recordUsage(usage: { tenant: string; agentType: string; tokens: number }): number {
    if (!Number.isFinite(usage.tokens) || usage.tokens < 0) {
      throw new AgentOsError('invalid-argument', 'Token usage must be a non-negative number.', { details: { tokens: usage.tokens } });
    }
    const entitled = this.#entitlements.get(keyOf(usage.tenant, usage.agentType));
    if (!entitled) {
      throw new AgentOsError('not-found', `No entitlement for agent type ${usage.agentType} of tenant ${usage.tenant}.`);
    }
    entitled.tokensUsed += usage.tokens;
    return entitled.tokensUsed;
  }

  /**
   * Checks one call; consumes one rate token when granted.
   * @throws {AgentOsError} 'capability-denied', 'invalid-argument', 'budget-exceeded'
   *   or 'rate-limited' (details.retryAfterMs), in the order in the module comment.
   */
  check(request: CapabilityCheck): CapabilityGrant {
    const result = this.tryCheck(request);
    if (!result.ok) throw result.error;
    return result.grant;
  }

  /** Like `check`, but returns the refusal instead of throwing it. */
  tryCheck(request: CapabilityCheck): { ok: true; grant: CapabilityGrant } | { ok: false; error: AgentOsError } {
    let result: { ok: true; grant: CapabilityGrant } | { ok: false; error: AgentOsError };
    try {
      result = { ok: true, grant: this.#decide(request) };
    } catch (error) {
      if (!(error instanceof AgentOsError)) throw error;
      result = { ok: false, error };
    }
    this.#audit?.({
      at: this.#now(), tenant: request.tenant, agentType: request.agentType, capability: request.capability,
      outcome: result.ok ? 'granted' : result.error.code,
    });
    return result;
  }

  #decide(request: CapabilityCheck): CapabilityGrant {
    const { tenant, agentType, capability: id } = request;
    const who = { tenant, agentType, capability: id };
    const registered = this.#capabilities.get(id);
    if (!registered) throw denied(`There is no capability ${id}.`, { ...who, reason: 'unknown-capability' });
    if (!registered.tenants(tenant)) {
      throw denied(`Tenant ${tenant} may not use ${id}.`, { ...who, reason: 'tenant-not-allowed' });
    }
    const entitled = this.#entitlements.get(keyOf(tenant, agentType));
    if (!entitled || !entitled.covers(id)) {
      throw denied(`Agent type ${agentType} of tenant ${tenant} is not entitled to ${id}; grant it with an entitlement.`, {
        ...who, reason: 'not-entitled',
      });
    }
    const errors = registered.validate(request.input);
    if (errors.length > 0) {
      throw new AgentOsError('invalid-argument', `The input to ${id} does not match its schema: ${errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}.`, {
        details: { ...who, errors },
      });
    }
    const budget = Math.min(entitled.entitlement.maxTokenBudget, request.limits?.maxTokens ?? Infinity);
    const tokensLeft = budget - entitled.tokensUsed - (request.tokens ?? 0);
    if (tokensLeft < 0) {
      throw new AgentOsError('budget-exceeded', `Agent type ${agentType} of tenant ${tenant} has spent its token budget of ${budget}.`, {
        details: { ...who, budget, used: entitled.tokensUsed, requested: request.tokens ?? 0 },
      });
    }
    const buckets = [entitled.bucket];
    const lowered = request.limits?.maxCallsPerMinute;
    if (lowered !== undefined && lowered < entitled.entitlement.maxCallsPerMinute) {
      let bucket = entitled.lowered.get(lowered);
      if (!bucket) entitled.lowered.set(lowered, (bucket = new TokenBucket({ capacity: lowered, perMs: MINUTE, now: this.#now })));
      buckets.push(bucket);
    }
    // Refuse before taking from any bucket, so a refused call costs nothing.
    const waits = buckets.map((b) => (b.available >= 1 ? 0 : Math.ceil((1 - b.available) * MINUTE / b.capacity)));
    const retryAfterMs = Math.max(...waits);
    if (retryAfterMs > 0) {
      throw new AgentOsError('rate-limited', `Agent type ${agentType} of tenant ${tenant} is over its call rate; retry in ${retryAfterMs} ms.`, {
        details: { ...who, retryAfterMs },
      });
    }
    for (const b of buckets) b.take();
    return { capability: registered.capability, entitlement: entitled.entitlement, tokensLeft };
  }
}

function keyOf(tenant: string, agentType: string): string {
  return tenant + '\u0000' + agentType;
}

function denied(message: string, details: Record<string, unknown>): AgentOsError {
  return new AgentOsError('capability-denied', message, { details });
}
