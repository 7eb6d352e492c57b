/**
 * Admission control: whether a new process may enter the system at all.
 *
 * Checked once, at submit, before a process record exists: a cap on live
 * processes (overall and per tenant), a ceiling on any one process's budget,
 * and a ceiling on the sum of budgets a tenant holds at once. A refusal is a
 * normal answer (`{ ok: false, code, reason }`), not an error: callers show it
 * or retry later. Admitted budgets stay reserved until `release`.
 */

import type { Budget } from '../process/index.ts';
import { requireInteger } from './policy.ts';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

export interface AdmissionOptions {
  /** Live (not yet completed, failed or terminated) processes allowed at once; default unlimited. */
  maxConcurrent?: number;
  /** Live processes one tenant may hold; default unlimited. */
  maxPerTenant?: number;
  /** Largest budget one process may ask for, per dimension; default unlimited. */
  maxBudget?: Partial<Budget>;
  /** Largest sum of live budgets one tenant may hold, per dimension; default unlimited. */
  tenantBudget?: Partial<Budget>;
}

export type RefusalCode = 'max-concurrent' | 'tenant-concurrent' | 'budget-too-large' | 'tenant-budget';

export type AdmissionDecision = { ok: true } | { ok: false; code: RefusalCode; reason: string };

const DIMENSIONS = ['fuel', 'tokens', 'wallMs', 'calls'] as const;
type Dimension = (typeof DIMENSIONS)[number];

interface TenantLoad {
  live: number;
  /** Reserved budget, only for dimensions that have a tenant limit. */
  held: Partial<Record<Dimension, number>>;
}

const ADMITTED: AdmissionDecision = { ok: true };

export class AdmissionControl {
  readonly #maxConcurrent: number;
  readonly #maxPerTenant: number;
  readonly #maxBudget: Partial<Budget>;
  readonly #tenantBudget: Partial<Budget>;
  readonly #tenants = new Map<string, TenantLoad>();
  #live = 0;

  /** @throws AgentOsError 'invalid-argument' when a limit is negative or not a number. */
  constructor(options: AdmissionOptions = {}) {
    this.#maxConcurrent = limitOf('maxConcurrent', options.maxConcurrent);
    this.#maxPerTenant = limitOf('maxPerTenant', options.maxPerTenant);
    this.#maxBudget = checkLimits('maxBudget', options.maxBudget);
    this.#tenantBudget = checkLimits('tenantBudget', options.tenantBudget);
  }

  /** Live processes admitted and not yet released. */
  get live(): number {
    return this.#live;
  }

  /** Decides without reserving anything. */
  check(tenant: string, budget: Budget): AdmissionDecision {
    if (this.#live >= this.#maxConcurrent) {
      return refuse('max-concurrent', `${this.#live} processes are live, the limit is ${this.#maxConcurrent}; retry when one finishes.`);
    }
    const load = this.#tenants.get(tenant);
    if (load !== undefined && load.live >= this.#maxPerTenant) {
      return refuse('tenant-concurrent', `Tenant ${tenant} has ${load.live} live processes, the limit is ${this.#maxPerTenant}.`);
    }
    for (const dimension of DIMENSIONS) {
      const max = this.#maxBudget[dimension];
      if (max !== undefined && budget[dimension] > max) {
        return refuse('budget-too-large', `A ${dimension} budget of ${budget[dimension]} exceeds the per-process limit of ${max}; ask for less.`);
      }
    }
    return this.#checkTenantBudget(tenant, budget);
  }

  /** Decides and, when admitted, reserves a slot and the budget until `release`. */
  admit(tenant: string, budget: Budget): AdmissionDecision {
    const decision = this.check(tenant, budget);
    if (!decision.ok) return decision;
    const load = this.#load(tenant);
    load.live++;
    this.#live++;
    this.#hold(load, budget, 1);
    return ADMITTED;
  }

  /**
   * Reserves `extra` on top of an admitted process's budget (a budget extension),
   * if the tenant's limit allows it. Only the tenant budget applies: the
   * per-process ceiling is for what an agent may ask for, not what an operator grants.
   */
  extend(tenant: string, extra: Budget): AdmissionDecision {
    const decision = this.#checkTenantBudget(tenant, extra);
    if (decision.ok) this.#hold(this.#load(tenant), extra, 1);
    return decision;
  }

  /** Gives back the slot and the budget of a process that is no longer live. */
  release(tenant: string, budget: Budget): void {
    const load = this.#tenants.get(tenant);
    if (load === undefined || load.live === 0) {
      throw new AgentOsError('internal', `Released a process of tenant ${tenant} that admission never admitted.`, {
        details: { tenant },
      });
    }
    load.live--;
    this.#live--;
    this.#hold(load, budget, -1);
    if (load.live === 0) this.#tenants.delete(tenant);
  }

  #checkTenantBudget(tenant: string, budget: Budget): AdmissionDecision {
    const held = this.#tenants.get(tenant)?.held;
    for (const dimension of DIMENSIONS) {
      const max = this.#tenantBudget[dimension];
      if (max === undefined) continue;
      const total = (held?.[dimension] ?? 0) + budget[dimension];
      if (total > max) {
        return refuse('tenant-budget', `Tenant ${tenant} would hold ${total} ${dimension} across live processes, the limit is ${max}.`);
      }
    }
    return ADMITTED;
  }

  #hold(load: TenantLoad, budget: Budget, sign: 1 | -1): void {
    for (const dimension of DIMENSIONS) {
      if (this.#tenantBudget[dimension] === undefined) continue;
      load.held[dimension] = (load.held[dimension] ?? 0) + sign * budget[dimension];
    }
  }

  #load(tenant: string): TenantLoad {
    let load = this.#tenants.get(tenant);
    if (load === undefined) {
      load = { live: 0, held: {} };
      this.#tenants.set(tenant, load);
    }
    return load;
  }
}

function refuse(code: RefusalCode, reason: string): AdmissionDecision {
  return { ok: false, code, reason };
}

function limitOf(name: string, value: number | undefined): number {
  if (value === undefined || value === Infinity) return Infinity;
  return requireInteger(name, value, 0);
}

function checkLimits(name: string, limits: Partial<Budget> | undefined): Partial<Budget> {
  for (const [dimension, value] of Object.entries(limits ?? {})) {
    if (!(value >= 0)) {
      throw new AgentOsError('invalid-argument', `${name}.${dimension} must be a number >= 0, got ${value}.`, {
        details: { option: `${name}.${dimension}`, value },
      });
    }
  }
  return { ...limits };
}
