/**
 * Reading response bodies under a size cap, and turning failed HTTP answers
 * into AgentOsErrors the recovery layer can classify: the status and any
 * `Retry-After` hint travel in `details`, so `retry` and the circuit breaker
 * decide on them without knowing about HTTP.
 */
import { AgentOsError, type ErrorCode } from '../../../sandbox/src/errors/index.ts';
import { readCapped } from '../http/index.ts';
import { parseRetryAfter } from '../recovery/index.ts';

/**
 * The whole body as text, refusing bodies past `maxBytes`.
 * @throws AgentOsError 'limit-exceeded' past the cap; 'invalid-argument' when it is not UTF-8.
 */
export async function readText(response: Response, maxBytes: number): Promise<string> {
  const bytes = await readCapped({ body: response.body, maxBytes, declaredLength: response.headers.get('content-length') });
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new AgentOsError('invalid-argument', 'The response body is not valid UTF-8.', { cause: error });
  }
}

/** Which AgentOsError code a failed status maps to (the WIT error cases the guest can branch on). */
function codeFor(status: number): ErrorCode {
  if (status === 408) return 'timeout';
  if (status === 429) return 'rate-limited';
  if (status === 400 || status === 413 || status === 422) return 'invalid-argument';
  if (status === 404) return 'not-found';
  if (status === 401 || status === 403) return 'capability-denied';
  return 'internal';
}

/**
 * The error for a non-2xx answer. `details.status` and `details.retryAfterMs`
 * let `classifyError` retry 408/429/5xx and honour the server's wait.
 */
export async function httpFailure(response: Response, options: { what: string; now: number }): Promise<AgentOsError> {
  let text = '';
  try {
    text = await readText(response, 64 * 1024);
  } catch {
    // The status says enough; an unreadable error body must not hide it.
  }
  let said = '';
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof body.error === 'string' ? body.error : body.error?.message ?? body.message;
    if (typeof message === 'string') said = message.slice(0, 500);
  } catch {
    said = text.slice(0, 200);
  }
  const header = response.headers.get('retry-after');
  const retryAfterMs = header === null ? undefined : parseRetryAfter(header, options.now);
  const details: Record<string, unknown> = { status: response.status };
  if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs;
  const advice = response.status === 401 || response.status === 403 ? ' Check the API key the host is configured with.' : '';
  return new AgentOsError(codeFor(response.status), `${options.what} answered ${response.status}${said ? `: ${said}` : ''}.${advice}`, { details });
}
