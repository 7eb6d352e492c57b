/**
 * The transport: what actually sends one request (one hop — redirects are the
 * capability's business). It is injectable so each host brings its own:
 * the Node adapter connects to the exact address the guard checked (no DNS
 * rebinding between check and connect); `fetchTransport` uses the platform's
 * `fetch` with `redirect: 'manual'`, for workerd and browsers, where there is
 * no resolver and the platform itself keeps workers off private networks.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { HeaderList } from './headers.ts';

export interface TransportRequest {
  /** Serialized, already checked URL: send to exactly this. */
  url: string;
  /** Upper-case method. */
  method: string;
  headers: HeaderList;
  body?: Uint8Array;
  /** Aborts the request and its body stream (the deadline). */
  signal: AbortSignal;
  /**
   * The checked address to connect to when the host name was resolved by the
   * guard. A transport that can pin connections must connect here and nowhere
   * else; `undefined` for IP-literal URLs and hosts without a resolver.
   */
  address?: { address: string; family: 4 | 6 };
}

export interface TransportResponse {
  status: number;
  headers: HeaderList;
  /** `null` when the response has no body (HEAD, 204, 304). */
  body: ReadableStream<Uint8Array> | null;
}

/** Sends one hop. Rejects on network failure or abort. */
export type HttpTransport = (request: TransportRequest) => Promise<TransportResponse>;

/** A `fetch`-compatible function (the platform's, or a test server's). */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

/**
 * A transport over a `fetch` function with redirects left to the caller.
 * Browsers hide redirect targets from `redirect: 'manual'` (an opaque
 * response with status 0); that is refused rather than followed blind.
 */
export function fetchTransport(fetchFunction: FetchFunction = (input, init) => fetch(input, init)): HttpTransport {
  return async (request) => {
    const response = await fetchFunction(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body === undefined ? undefined : (request.body as Uint8Array<ArrayBuffer>),
      redirect: 'manual',
      signal: request.signal,
    });
    if (response.type === 'opaqueredirect' || response.status === 0) {
      await response.body?.cancel();
      throw new AgentOsError('policy-denied', 'The platform hid a redirect target, so it cannot be checked; the request is refused.', {
        details: { reason: 'opaque-redirect' },
      });
    }
    const headers: HeaderList = [];
    response.headers.forEach((value, name) => headers.push([name, value]));
    return { status: response.status, headers, body: response.body };
  };
}
