/**
 * The host side of the `agentos:runtime` imports for one process. Every call
 * goes through `guarded` (budget, gate, approval, implementation); results
 * and refusals are WIT values. `log`, `clock` and `random` stay synchronous
 * (they have no use for waiting, and sync imports cost less); everything else
 * may suspend the guest (JSPI) and is listed in ASYNC_IMPORTS.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { HostImports } from '../../../sandbox/src/index.ts';
import { TIMEOUT_APPROVER } from './approvals.ts';
import { approvalId, callContext, guarded, waitForBudget, type HostServices, type ProcessHost } from './guarded-call.ts';
import { createToolImports } from './tools-call.ts';
import type { ChatMessage, Completion, CompletionRequest, HttpRequest, LogRecord } from './options.ts';
import { err, ok, toHttpError, toWitError, witInterface, type WitResult } from './wit.ts';

/** Capability ids the runtime checks, per import (register them in the CapabilityManager). */
export const CAPABILITY_IDS = {
  log: 'log',
  clock: 'clock',
  random: 'random',
  kvGet: 'kv.get',
  kvSet: 'kv.set',
  kvDelete: 'kv.delete',
  kvList: 'kv.list',
  httpFetch: 'http.fetch',
  llmComplete: 'llm.complete',
  busSend: 'bus.send',
  busPublish: 'bus.publish',
  busSubscribe: 'bus.subscribe',
  busRequest: 'bus.request',
  approvalRequest: 'approval.request',
  toolsList: 'tools.list',
  toolsCall: 'tools.call',
} as const;

/** Imports whose host functions return Promises (`engine.load(bytes, { asyncImports })`). */
export const ASYNC_IMPORTS: readonly string[] = [
  'kv#get', 'kv#set', 'kv#delete', 'kv#list-keys', 'http#fetch', 'llm#complete',
  'bus#send', 'bus#publish', 'bus#subscribe', 'bus#request', 'approval#request', 'tools#list-tools', 'tools#call',
].map((name) => `agentos:runtime/${name.replace('#', '@0.1.0#')}`);

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error']);
const MAX_RANDOM_BYTES = 64 * 1024;

export function createHostImports(services: HostServices, host: ProcessHost): HostImports {
  const { implementations: impl, gate } = services;
  const { context } = host;
  const origin = services.clock.now();
  const kv = impl.kv;
  const id = CAPABILITY_IDS;

  /** Sync imports cannot wait: only allow passes, anything else is refused. */
  const allowedNow = (capability: string, input: unknown): AgentOsError | undefined => {
    host.sandbox.calls++;
    const outcome = gate.decide({ ...context, capability, input, tokensUsed: host.process().spent.tokens + host.sandbox.tokens });
    if (outcome.effect === 'allow') return undefined;
    if (outcome.effect === 'deny') return outcome.error;
    return new AgentOsError('policy-denied', `${capability} cannot wait for an approval (rule ${outcome.ruleId}); grant it without one.`, { details: { ruleId: outcome.ruleId } });
  };
  const mustAllow = (capability: string, input: unknown): void => {
    const refusal = allowedNow(capability, input);
    // These functions have no error case in WIT: a refusal stops the guest.
    if (refusal) throw refusal;
  };

  return {
    [witInterface('log')]: {
      log(level: string, message: string, fields: { key: string; value: string }[]): void {
        if (!LEVELS.has(level)) return;
        // Logging never fails for the guest: a refused record is dropped (and the refusal audited).
        if (allowedNow(id.log, { level, message }) === undefined) impl.log?.({ level: level as LogRecord['level'], message, fields }, context);
      },
    },
    [witInterface('clock')]: {
      now(): bigint {
        mustAllow(id.clock, {});
        return BigInt(Math.floor(services.clock.now()));
      },
      monotonicNow(): bigint {
        mustAllow(id.clock, {});
        return BigInt(Math.floor((services.clock.now() - origin) * 1e6));
      },
    },
    [witInterface('random')]: {
      getRandomBytes(length: number): WitResult<Uint8Array> {
        if (length > MAX_RANDOM_BYTES) return err({ tag: 'invalid-argument', val: `At most ${MAX_RANDOM_BYTES} random bytes per call, asked for ${length}.` });
        const refusal = allowedNow(id.random, { length });
        return refusal ? err(toWitError(refusal)) : ok(randomBytes(impl, length));
      },
      getRandomU64(): bigint {
        mustAllow(id.random, { length: 8 });
        return new DataView(randomBytes(impl, 8).buffer).getBigUint64(0);
      },
    },
    [witInterface('kv')]: {
      get: (key: string) => guarded(services, host, id.kvGet, { key }, async () => (await need(kv, 'kv').get(context.workspaceId, key))),
      set: (key: string, value: Uint8Array) => guarded(services, host, id.kvSet, { key, size: value.length }, () => need(kv, 'kv').set(context.workspaceId, key, value)),
      delete: (key: string) => guarded(services, host, id.kvDelete, { key }, () => need(kv, 'kv').delete(context.workspaceId, key)),
      listKeys: (prefix: string, cursor: string | undefined, limit: number) =>
        guarded(services, host, id.kvList, { prefix, limit }, () => need(kv, 'kv').list(context.workspaceId, { prefix, cursor, limit })),
    },
    [witInterface('http')]: {
      async fetch(request: HttpRequest) {
        let host_: string;
        try {
          host_ = new URL(request.url).hostname;
        } catch {
          return err({ tag: 'invalid-request', val: `Not an absolute URL: ${request.url}` });
        }
        const result = await guarded(services, host, id.httpFetch, { method: request.method, url: request.url, host: host_ }, (input) => {
          const url = (input as { url: string }).url;
          const ctx = callContext(host);
          // A journaled effect carries its idempotency key, so a retry after a crash is recognisable upstream.
          const headers: [string, string][] = ctx.idempotencyKey === undefined ? request.headers : [...request.headers.filter(([k]) => k.toLowerCase() !== 'idempotency-key'), ['Idempotency-Key', ctx.idempotencyKey]];
          return need(impl.http, 'http').fetch({ ...request, url, headers }, ctx);
        });
        return result.tag === 'ok' ? result : err(toHttpError(result.val));
      },
    },
    [witInterface('llm')]: {
      async complete(request: CompletionRequest) {
        const input = { model: request.model ?? null, maxTokens: request.maxTokens ?? null, messages: request.messages.map((m) => ({ role: m.role, content: m.content })) };
        const result = await guarded(services, host, id.llmComplete, input, async (checked, limits) => {
          const completion = await need(impl.llm, 'llm').complete(withChecked(request, checked, limits?.maxTokens), callContext(host));
          chargeTokens(services, host, completion);
          return completion;
        });
        // The completion is paid for; if it spent the budget, suspend before the guest goes on.
        await waitForBudget(host);
        return result;
      },
    },
    [witInterface('bus')]: {
      send: (to: string, payload: string) => guarded(services, host, id.busSend, { to, payload }, () => need(impl.bus, 'bus').send(callContext(host), to, payload)),
      publish: (topic: string, payload: string) => guarded(services, host, id.busPublish, { topic, payload }, () => need(impl.bus, 'bus').publish(callContext(host), topic, payload)),
      subscribe: (topic: string) => guarded(services, host, id.busSubscribe, { topic }, () => need(impl.bus, 'bus').subscribe(callContext(host), topic)),
      request: (to: string, payload: string, timeoutMs: number) =>
        guarded(services, host, id.busRequest, { to, payload }, () => need(impl.bus, 'bus').request(callContext(host), to, payload, timeoutMs)),
    },
    [witInterface('approval')]: {
      request: (request: { action: string; reason: string; details: string; approvers: string[]; role?: string; timeoutMs: number }) =>
        guarded(services, host, id.approvalRequest, { action: request.action, reason: request.reason }, () => askHuman(services, host, request)),
    },
    [witInterface('tools')]: createToolImports(services, host),
  };
}

/** The guest's own `approval.request`: opens a request and waits (suspended) for the decision. */
async function askHuman(
  services: HostServices,
  host: ProcessHost,
  request: { action: string; reason: string; details: string; approvers: string[]; role?: string; timeoutMs: number },
) {
  const { request: asked, opened } = services.approvals.openOrFind({
    agentId: host.context.agentId, capability: CAPABILITY_IDS.approvalRequest, action: request.action, reason: request.reason,
    details: request.details, roles: request.role === undefined ? [] : [request.role], approvers: request.approvers, minApprovals: 1, ruleId: 'guest',
  }, { id: approvalId(host), timeoutMs: request.timeoutMs > 0 ? request.timeoutMs : services.approvalTimeoutMs });
  if (opened) services.audit({ kind: 'approval.requested', data: { requestId: asked.id, agentId: host.context.agentId, capability: CAPABILITY_IDS.approvalRequest, ruleId: 'guest', action: request.action } });
  if (asked.status === 'pending') await host.sandbox.park({ outcome: 'await-approval', reason: `approval ${asked.id} for ${request.action}` });
  const decided = services.approvals.get(asked.id);
  if (decided.status === 'denied' && decided.votes.at(-1)?.approver === TIMEOUT_APPROVER) {
    throw new AgentOsError('timeout', `Nobody decided on ${request.action} within ${request.timeoutMs} ms; treat it as denied.`, { details: { requestId: asked.id } });
  }
  const vote = decided.votes.find((v) => v.approved === (decided.status === 'approved')) ?? decided.votes.at(-1);
  return { outcome: decided.status === 'approved' ? 'approved' : 'denied', by: vote?.approver ?? 'runtime', at: BigInt(Math.floor(vote?.at ?? 0)), comment: vote?.comment };
}

/** The request with the checked (possibly redacted) message contents and a policy token cap applied. */
function withChecked(request: CompletionRequest, checked: unknown, maxTokens: number | undefined): CompletionRequest {
  const contents = (checked as { messages: { content: string }[] }).messages;
  const messages: ChatMessage[] = request.messages.map((m, i) => ({ ...m, content: contents[i]?.content ?? m.content }));
  const capped = maxTokens === undefined ? request.maxTokens : Math.min(request.maxTokens ?? maxTokens, maxTokens);
  return { ...request, messages, maxTokens: capped };
}

function chargeTokens(services: HostServices, host: ProcessHost, completion: Completion): void {
  const tokens = completion.usage.inputTokens + completion.usage.outputTokens;
  host.sandbox.tokens += tokens;
  const { tenant, agentType } = host.context;
  services.capabilities.recordUsage({ tenant, agentType, tokens });
}

function randomBytes(impl: { random?: (length: number) => Uint8Array }, length: number): Uint8Array {
  if (impl.random) return impl.random(length);
  return crypto.getRandomValues(new Uint8Array(length));
}

/** @throws AgentOsError 'capability-denied' when the host has no implementation of the interface. */
function need<T>(implementation: T | undefined, what: string): T {
  if (implementation === undefined) {
    throw new AgentOsError('capability-denied', `This runtime has no ${what} implementation; the host must provide one for agents to use ${what}.`);
  }
  return implementation;
}
