/**
 * The world the end-to-end suite runs agents in: capabilities and
 * entitlements, a policy with a denied host, an approval rule and plain
 * allows, and local implementations of the llm and http interfaces — real
 * implementations that answer deterministically (a scripted model, an
 * in-process "internet"), not mocks of the runtime.
 */
import { AgentOsError } from '../../packages/sandbox/src/errors/index.ts';
import { CapabilityManager } from '../../packages/core/src/capabilities/index.ts';
import type { CallContext, Completion, CompletionRequest, HttpRequest, HttpResponse } from '../../packages/core/src/runtime/index.ts';

export const TENANT = 'acme';
export const AGENT_TYPES = ['researcher', 'prober', 'payer', 'burner', 'echo', 'requester', 'generic'] as const;

const CAPABILITIES: [string, 'low' | 'medium' | 'high'][] = [
  ['log', 'low'], ['clock', 'low'], ['random', 'low'], ['kv.get', 'low'], ['kv.set', 'low'], ['kv.delete', 'low'], ['kv.list', 'low'],
  ['tools.list', 'low'], ['tools.call', 'medium'], ['llm.complete', 'medium'], ['http.fetch', 'high'],
  ['bus.send', 'low'], ['bus.publish', 'low'], ['bus.subscribe', 'low'], ['bus.request', 'low'],
];

export function capabilityDefinitions(): unknown[] {
  return CAPABILITIES.map(([id, risk]) => ({ id, name: id, namespace: 'agentos', version: '0.1.0', allowedTenants: [TENANT], risk }));
}

export function entitlements(): unknown[] {
  return AGENT_TYPES.map((agentType) => ({ tenant: TENANT, agentType, capabilities: ['*'], maxCallsPerMinute: 10_000, maxTokenBudget: 1_000_000 }));
}

/**
 * A capability manager with every capability of this world registered and, unless `entitled` is
 * false, every agent type entitled to all of them (tests that grant entitlements themselves pass false).
 */
export function worldCapabilities(options: { entitled?: boolean } = {}): CapabilityManager {
  const capabilities = new CapabilityManager();
  for (const definition of capabilityDefinitions()) capabilities.register(definition);
  if (options.entitled !== false) for (const entitlement of entitlements()) capabilities.entitle(entitlement);
  return capabilities;
}

export const POLICY = {
  version: 1,
  id: 'e2e',
  rules: [
    { id: 'allow-basics', kind: 'capability', effect: 'allow', capabilities: ['log', 'clock', 'random', 'kv.*', 'tools.*', 'llm.complete', 'bus.*'] },
    { id: 'allow-egress', kind: 'capability', effect: 'allow', capabilities: ['http.fetch'] },
    {
      id: 'deny-exfil-host', kind: 'data', capabilities: ['http.fetch'], fields: ['host'], action: 'deny',
      patterns: [{ name: 'exfil-host', regex: '^exfil\\.example$' }],
    },
    { id: 'approve-payments', kind: 'approval', agentTypes: ['payer'], capabilities: ['http.fetch'], roles: ['finance'] },
  ],
};

/**
 * A deterministic model: the researcher's first turn asks for the wordcount
 * tool, its second turn answers from the tool's output; every other prompt gets
 * an echo answer. Each completion costs 40 input + 60 output tokens.
 */
export class ScriptedModel {
  readonly prompts: { agentId: string; messages: number }[] = [];

  complete(request: CompletionRequest, context: CallContext): Completion {
    this.prompts.push({ agentId: context.agentId, messages: request.messages.length });
    const usage = { inputTokens: 40, outputTokens: 60 };
    const last = request.messages.at(-1);
    if (context.agentType === 'researcher' && last?.role === 'user') {
      const text = last.content;
      return {
        message: { role: 'assistant', content: '', toolCalls: [{ id: 'call-1', name: 'wordcount', arguments: JSON.stringify({ text }) }] },
        finishReason: 'tool-calls', usage, model: 'scripted-1',
      };
    }
    if (last?.role === 'tool') {
      const counts = JSON.parse(last.content) as { words: number };
      return { message: { role: 'assistant', content: `The goal has ${counts.words} words.`, toolCalls: [] }, finishReason: 'stop', usage, model: 'scripted-1' };
    }
    return { message: { role: 'assistant', content: `echo: ${last?.content ?? ''}`, toolCalls: [] }, finishReason: 'stop', usage, model: 'scripted-1' };
  }
}

/** An in-process "internet": payments.example answers 201; every other host is unreachable. */
export class LocalInternet {
  readonly requests: { agentId: string; method: string; url: string }[] = [];

  fetch(request: HttpRequest, context: CallContext): HttpResponse {
    this.requests.push({ agentId: context.agentId, method: request.method, url: request.url });
    if (new URL(request.url).hostname !== 'payments.example') {
      throw new AgentOsError('not-found', `No route to ${request.url}.`);
    }
    return { status: 201, headers: [['content-type', 'application/json']], body: new TextEncoder().encode('{"paid":true}') };
  }
}
