/**
 * Which failures are worth retrying.
 *
 * A retry only helps when the next attempt can go differently: the other side
 * was busy (rate limits, 429, 503), slow (timeouts) or briefly broken (5xx).
 * Everything deterministic fails the same way again — a spent fuel budget, a
 * trap, a denied capability or policy, bad input — so retrying it only burns
 * budget and delays the real answer. Unknown errors are not retried: failing
 * fast is safer than repeating an effect we cannot reason about.
 */

import { type ErrorCode, isAgentOsError } from '../../../sandbox/src/errors/index.ts';

export interface RetryClassification {
  retryable: boolean;
  /** How long the other side asked us to wait (from `retryAfterMs`, `Retry-After`), if it said. */
  retryAfterMs?: number;
  /** Short machine-readable reason, e.g. "code:rate-limited" or "status:503". */
  reason: string;
}

/** Decides whether an error is worth another attempt. */
export type Classifier = (error: unknown) => RetryClassification;

/** AgentOsError codes that describe a transient condition. */
export const RETRYABLE_CODES: readonly ErrorCode[] = ['timeout', 'rate-limited', 'connection-failed'];

/**
 * HTTP statuses worth retrying: 408 (request timeout), 425 (too early),
 * 429 (too many requests) and every 5xx except 501 (not implemented) and
 * 505 (HTTP version not supported), which answer the same way every time.
 */
export function isRetryableStatus(status: number): boolean {
  if (status === 408 || status === 425 || status === 429) return true;
  return status >= 500 && status <= 599 && status !== 501 && status !== 505;
}

/**
 * Parses an HTTP `Retry-After` value: delta-seconds ("120") or an HTTP-date
 * (relative to `now`, ms since the epoch). Returns ms to wait, or undefined
 * when the value is neither.
 */
export function parseRetryAfter(value: string, now: number): number | undefined {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

interface HttpLike {
  status: number;
  headers?: { get(name: string): string | null } | Record<string, string | undefined>;
}

function readHeader(headers: HttpLike['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : record[key];
}

/** Finds an HTTP status on a Response-like value, an error's `status`, or an AgentOsError's `details.status`. */
function findHttp(error: unknown): HttpLike | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const value = error as { status?: unknown; headers?: unknown; details?: { status?: unknown; headers?: unknown } };
  if (typeof value.status === 'number') return value as HttpLike;
  if (value.details && typeof value.details.status === 'number') return value.details as HttpLike;
  return undefined;
}

/** A non-negative finite number of ms, or undefined. */
function asDelay(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function retryAfterOf(error: unknown, http: HttpLike | undefined, now: number): number | undefined {
  if (isAgentOsError(error)) {
    const hinted = asDelay(error.details?.retryAfterMs);
    if (hinted !== undefined) return hinted;
  }
  if (typeof error === 'object' && error !== null) {
    const hinted = asDelay((error as { retryAfterMs?: unknown }).retryAfterMs);
    if (hinted !== undefined) return hinted;
  }
  const header = http ? readHeader(http.headers, 'retry-after') : undefined;
  return header === undefined ? undefined : parseRetryAfter(header, now);
}

export interface ClassifyOptions {
  /** Time used to resolve an HTTP-date `Retry-After` (ms since the epoch); defaults to `Date.now()`. */
  now?: number;
}

/**
 * The default classifier. An `AgentOsError` is retryable when its code is in
 * `RETRYABLE_CODES`, or when it carries a retryable HTTP status in
 * `details.status`; a Response-like value or error with a `status` is
 * judged by `isRetryableStatus`. Anything else is not retryable.
 * Never throws.
 */
export function classifyError(error: unknown, options: ClassifyOptions = {}): RetryClassification {
  const http = findHttp(error);
  const now = options.now ?? Date.now();
  const withHint = (retryable: boolean, reason: string): RetryClassification => {
    const retryAfterMs = retryable ? retryAfterOf(error, http, now) : undefined;
    return retryAfterMs === undefined ? { retryable, reason } : { retryable, reason, retryAfterMs };
  };
  if (isAgentOsError(error)) {
    if (isCircuitOpen(error)) return withHint(false, 'circuit-open');
    if (RETRYABLE_CODES.includes(error.code)) return withHint(true, `code:${error.code}`);
    if (http) return withHint(isRetryableStatus(http.status), `status:${http.status}`);
    return { retryable: false, reason: `code:${error.code}` };
  }
  if (http) return withHint(isRetryableStatus(http.status), `status:${http.status}`);
  return { retryable: false, reason: 'unknown' };
}

/**
 * True for the refusal of an open circuit breaker. It is not retried by the
 * default classifier (the breaker already says when to come back, and a retry
 * loop hammering an open breaker defeats its purpose) and never counts as a
 * failure of an outer breaker.
 */
export function isCircuitOpen(error: unknown): boolean {
  return isAgentOsError(error) && error.details?.circuit === 'open';
}
