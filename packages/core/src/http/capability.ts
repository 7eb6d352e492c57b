/**
 * The host side of `http.fetch`: one guest request becomes at most
 * `maxRedirects + 1` checked hops. Each hop is checked by the guard before
 * anything is sent; redirects are followed by hand (`redirect: 'manual'`) so
 * every Location is checked again; credentials from the Secrets rules are
 * injected per hop for that hop's host only (and the guest's own credentials
 * dropped when a redirect leaves the origin); the response body is read under
 * the byte cap, and one deadline covers all hops and the body.
 */
import { AgentOsError, isAgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { CallContext, HttpImplementation, HttpRequest, HttpResponse } from '../runtime/options.ts';
import { readCapped } from './body.ts';
import { checkHop, type Resolve } from './guard.ts';
import { checkRequestHeaders, CROSS_ORIGIN_STRIPPED, headerValue, withoutHeaders, type HeaderList } from './headers.ts';
import { parseUrl } from './host.ts';
import { HTTP_METHODS, parseEgressPolicy, type EgressPolicy, type EgressPolicyInput, type HttpMethod } from './policy.ts';
import { fetchTransport, type HttpTransport } from './transport.ts';

/** What the capability needs from `Secrets` (structural, so either side can be swapped). */
export interface HttpSecrets {
  injections(target: { capability: string; host?: string; caller: { tenant: string; agentType: string } }): [string, string][];
  redactor: { redactBytes(bytes: Uint8Array): Uint8Array; redact(text: string): string };
}

export interface HttpCapabilityOptions {
  /** The egress policy, or one per caller (e.g. by agent type or tenant). */
  policy: EgressPolicyInput | ((context: CallContext) => EgressPolicyInput);
  /** Sends one hop; default the platform's `fetch` (`fetchTransport()`). */
  transport?: HttpTransport;
  /** Resolves names so every address is checked; the Node adapter brings one. Without it only literal addresses and names are checked. */
  resolve?: Resolve;
  /** Credentials to inject and the redactor that scrubs echoed secrets from responses. */
  secrets?: HttpSecrets;
  /** Capability id the injection rules use; default 'http.fetch'. */
  capability?: string;
  /**
   * An `Idempotency-Key` for POST and PATCH requests that carry none, so a
   * retried call is recognizable by the server (e.g. from the journal's call id).
   */
  idempotencyKey?: (request: HttpRequest, context: CallContext) => string | undefined;
  /**
   * FOR TESTS ONLY: private addresses that may be reached anyway, as an exact
   * address (`127.0.0.1`) or socket (`127.0.0.1:8080`, `[::1]:8080`). Never set in production.
   */
  allowPrivateAddresses?: readonly string[];
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const NON_IDEMPOTENT = new Set<HttpMethod>(['post', 'patch']);

/**
 * Creates the `HttpImplementation` for `implementations.http`.
 * @throws AgentOsError 'invalid-policy' when a static policy is invalid.
 */
export function createHttpCapability(options: HttpCapabilityOptions): HttpImplementation {
  const staticPolicy = typeof options.policy === 'function' ? undefined : parseEgressPolicy(options.policy);
  const policyFor = (context: CallContext): EgressPolicy =>
    staticPolicy ?? parseEgressPolicy((options.policy as (c: CallContext) => EgressPolicyInput)(context));
  const transport = options.transport ?? fetchTransport();
  return {
    fetch: (request, context) => send({ options, transport, policy: policyFor(context), request, context }),
  };
}

interface Send {
  options: HttpCapabilityOptions;
  transport: HttpTransport;
  policy: EgressPolicy;
  request: HttpRequest;
  context: CallContext;
}

/**
 * One guest request, all hops.
 * @throws AgentOsError 'policy-denied', 'invalid-argument', 'limit-exceeded'
 *   (body caps, too many redirects), 'timeout' (deadline), 'internal' with
 *   'connection-failed' (DNS, TCP, TLS).
 */
async function send({ options, transport, policy, request, context }: Send): Promise<HttpResponse> {
  if (!(HTTP_METHODS as readonly string[]).includes(request.method)) {
    throw new AgentOsError('invalid-argument', `Unknown method ${String(request.method)}.`, { details: { reason: 'invalid-method' } });
  }
  checkRequestHeaders(request.headers);
  if (request.body !== undefined && (request.method === 'get' || request.method === 'head')) {
    throw new AgentOsError('invalid-argument', `A ${request.method.toUpperCase()} request cannot have a body.`, { details: { reason: 'invalid-body' } });
  }
  if (request.body !== undefined && request.body.length > policy.maxRequestBytes) {
    throw new AgentOsError('limit-exceeded', `The request body is ${request.body.length} bytes, more than the cap of ${policy.maxRequestBytes}.`, {
      details: { reason: 'request-too-large', limitBytes: policy.maxRequestBytes },
    });
  }
  const timeoutMs = Math.min(request.timeoutMs ?? policy.timeoutMs, policy.timeoutMs);
  const controller = new AbortController();
  const deadline = new AgentOsError('timeout', `No complete response within ${timeoutMs} ms.`, { details: { timeoutMs } });
  const timer = setTimeout(() => controller.abort(deadline), timeoutMs);
  const { signal } = controller;

  let url = parseUrl(request.url);
  let method: HttpMethod = request.method;
  let body = request.body;
  let headers: HeaderList = [...request.headers];
  if (NON_IDEMPOTENT.has(method) && headerValue(headers, 'idempotency-key') === undefined) {
    const key = options.idempotencyKey?.(request, context);
    if (key !== undefined) headers.push(['Idempotency-Key', key]);
  }
  const capability = options.capability ?? 'http.fetch';
  const caller = { tenant: context.tenant, agentType: context.agentType };
  try {
    for (let hop = 0; ; hop++) {
      const checked = await checkHop(url, method, { policy, resolve: options.resolve, allowPrivateAddresses: options.allowPrivateAddresses ?? [], signal });
      const injected = options.secrets?.injections({ capability, host: checked.host, caller }) ?? [];
      const names = new Set(injected.map(([n]) => n.toLowerCase()));
      const response = await transport({
        url: url.href,
        method: method.toUpperCase(),
        headers: [...withoutHeaders(headers, names), ...injected],
        body,
        signal,
        address: checked.address,
      });
      const location = REDIRECTS.has(response.status) ? headerValue(response.headers, 'location') : undefined;
      if (location === undefined) {
        const bytes = await readCapped({ body: response.body, maxBytes: policy.maxResponseBytes, signal, declaredLength: headerValue(response.headers, 'content-length') });
        return scrub(options.secrets, { status: response.status, headers: response.headers, body: bytes });
      }
      await response.body?.cancel().catch(() => {});
      if (hop >= policy.maxRedirects) {
        throw new AgentOsError('limit-exceeded', `More than ${policy.maxRedirects} redirects; stopped at ${response.status} from ${url.host}.`, {
          details: { reason: 'too-many-redirects', limit: policy.maxRedirects },
        });
      }
      const next = parseUrl(location, url);
      // 303 always, and 301/302 after POST, turn into a GET without body (as browsers do).
      if (response.status === 303 ? method !== 'head' : (response.status === 301 || response.status === 302) && method === 'post') {
        method = 'get';
        body = undefined;
        headers = withoutHeaders(headers, new Set(['content-type', 'content-encoding', 'content-language', 'content-location']));
      }
      if (next.origin !== url.origin) headers = withoutHeaders(headers, CROSS_ORIGIN_STRIPPED);
      url = next;
    }
  } catch (error) {
    if (signal.aborted) throw deadline;
    if (isAgentOsError(error)) throw error;
    throw new AgentOsError('connection-failed', `The request to ${url.host} failed: ${describe(error)}.`, { cause: error, details: { reason: 'connection-failed' } });
  } finally {
    clearTimeout(timer);
    if (!signal.aborted) controller.abort(new AgentOsError('internal', 'request finished'));
  }
}

/** Removes any injected secret a server echoed back (e.g. an endpoint that returns the request headers). */
function scrub(secrets: HttpSecrets | undefined, response: HttpResponse): HttpResponse {
  if (!secrets) return response;
  const { redactor } = secrets;
  return {
    status: response.status,
    headers: response.headers.map(([n, v]) => [n, redactor.redact(v)]),
    body: redactor.redactBytes(response.body),
  };
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown; cause?: { code?: unknown } })?.cause?.code ?? (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === 'string' ? `${code} (${message})` : message;
}
