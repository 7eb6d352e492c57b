/**
 * The host's `http.fetch` implementation: the platform `fetch`, called only
 * after the capability gate and the policy allowed the request. The runtime
 * has already added the journaled call's `Idempotency-Key`, so a request
 * retried after a crash is recognisable by the server.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { HttpImplementation, HttpRequest, HttpResponse } from '../../../core/src/index.ts';

const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** An HttpImplementation over `fetch`. Network failures become 'timeout' (deadline) or 'not-found' (unreachable). */
export function fetchHttp(): HttpImplementation {
  return {
    async fetch(request: HttpRequest): Promise<HttpResponse> {
      const timeoutMs = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      let response: Response;
      try {
        response = await fetch(request.url, {
          method: request.method.toUpperCase(), headers: request.headers, body: request.body as Uint8Array<ArrayBuffer> | undefined,
          redirect: 'manual', signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const timedOut = (error as Error).name === 'TimeoutError';
        throw new AgentOsError(timedOut ? 'timeout' : 'not-found', timedOut ? `${request.url} did not answer within ${timeoutMs} ms.` : `Could not reach ${request.url}: ${(error as Error).message}.`, { cause: error });
      }
      const body = new Uint8Array(await response.arrayBuffer());
      if (body.byteLength > MAX_BODY_BYTES) {
        throw new AgentOsError('limit-exceeded', `The response of ${request.url} has ${body.byteLength} bytes, over ${MAX_BODY_BYTES}.`);
      }
      return { status: response.status, headers: [...response.headers], body };
    },
  };
}
