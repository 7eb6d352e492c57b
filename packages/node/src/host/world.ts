/**
 * What a local Node host grants by default: every capability of
 * `agentos:runtime` registered for the host's tenant, each agent type it runs
 * entitled to all of them, and a default policy that allows everything except
 * network egress (http.fetch), which an operator opens with `--policy`.
 */
import { CAPABILITY_IDS, type CapabilityManager } from '../../../core/src/index.ts';

/** The tenant agents of a local host belong to. */
export const LOCAL_TENANT = 'local';

const RISK: Record<string, 'low' | 'medium' | 'high'> = { 'http.fetch': 'high', 'llm.complete': 'medium', 'tools.call': 'medium', 'bus.request': 'medium' };

/** The default policy: everything but http.fetch (default deny covers it). */
export const DEFAULT_POLICY = {
  version: 1,
  id: 'agentos-local-default',
  rules: [
    {
      id: 'allow-local-capabilities', kind: 'capability', effect: 'allow',
      capabilities: ['log', 'clock', 'random', 'kv.*', 'tools.*', 'llm.complete', 'bus.*', 'approval.request'],
    },
  ],
};

/** Registers every runtime capability for `tenant`. */
export function registerCapabilities(capabilities: CapabilityManager, tenant: string): void {
  for (const id of new Set(Object.values(CAPABILITY_IDS))) {
    capabilities.register({ id, name: id, namespace: 'agentos', version: '0.1.0', allowedTenants: [tenant], risk: RISK[id] ?? 'low' });
  }
}

/** Entitles an agent type of `tenant` to every registered capability (policy decides the rest). */
export function entitle(capabilities: CapabilityManager, tenant: string, agentType: string): void {
  capabilities.entitle({ tenant, agentType, capabilities: ['*'], maxCallsPerMinute: 1_000_000, maxTokenBudget: Number.MAX_SAFE_INTEGER });
}
