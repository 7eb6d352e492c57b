/**
 * Wiring the MCP capability to the runtime's capability gate: each call is
 * decided as capability `mcp.<server>.<tool>` (entitlement → policy → audit),
 * exactly like the built-in capabilities. Register the ids (or a pattern the
 * entitlements grant) in the CapabilityManager.
 *
 * This authorizer cannot wait for a human: a `require-approval` decision is
 * refused here. Inside the Runtime, route `tools.call` of `mcp.*` names
 * through `guarded(...)` instead (see the report in docs), which parks the
 * agent for the approval like any other capability.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { CapabilityGate } from '../runtime/index.ts';
import type { McpAuthorize } from './capability.ts';

/** An authorizer that asks `gate`; `tokensUsed` reports the caller's token spend for budget rules. */
export function gateAuthorizer(gate: CapabilityGate, options: { tokensUsed?: (agentId: string) => number } = {}): McpAuthorize {
  return ({ capability, input }, context) => {
    const outcome = gate.decide({ ...context, capability, input, tokensUsed: options.tokensUsed?.(context.agentId) ?? 0 });
    if (outcome.effect === 'deny') throw outcome.error;
    if (outcome.effect === 'require-approval') {
      throw new AgentOsError('policy-denied', `${capability} needs an approval (rule ${outcome.ruleId}), which this caller cannot wait for.`, { details: { ruleId: outcome.ruleId, capability } });
    }
  };
}
