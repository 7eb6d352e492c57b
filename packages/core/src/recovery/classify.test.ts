import { describe, expect, it } from 'vitest';
import { AgentOsError, type ErrorCode } from '../../../sandbox/src/errors/index.ts';
import { classifyError, isRetryableStatus, parseRetryAfter } from './classify.ts';

const error = (code: ErrorCode, details?: Record<string, unknown>): AgentOsError => new AgentOsError(code, code, { details });

describe('classifyError', () => {
  it('retries transient AgentOsError codes: timeout and rate-limited', () => {
    expect(classifyError(error('timeout'))).toEqual({ retryable: true, reason: 'code:timeout' });
    expect(classifyError(error('rate-limited')).retryable).toBe(true);
  });

  it('does not retry deterministic failures', () => {
    const codes: ErrorCode[] = ['capability-denied', 'policy-denied', 'invalid-argument', 'out-of-fuel', 'trap', 'memory-limit', 'budget-exceeded', 'internal'];
    for (const code of codes) expect(classifyError(error(code)), code).toEqual({ retryable: false, reason: `code:${code}` });
  });

  it('judges HTTP statuses on Response-like values, errors and AgentOsError details', () => {
    expect(classifyError({ status: 503 })).toEqual({ retryable: true, reason: 'status:503' });
    expect(classifyError(Object.assign(new Error('x'), { status: 429 })).retryable).toBe(true);
    expect(classifyError(error('internal', { status: 502 })).retryable).toBe(true);
    expect(classifyError(new Response(null, { status: 404 })).retryable).toBe(false);
  });

  it('takes a retry-after hint from details.retryAfterMs and from a Retry-After header', () => {
    expect(classifyError(error('rate-limited', { retryAfterMs: 1500 })).retryAfterMs).toBe(1500);
    expect(classifyError(new Response(null, { status: 429, headers: { 'Retry-After': '3' } })).retryAfterMs).toBe(3000);
    const now = Date.parse('2025-01-01T00:00:00Z');
    const dated = classifyError({ status: 503, headers: { 'retry-after': 'Wed, 01 Jan 2025 00:00:10 GMT' } }, { now });
    expect(dated.retryAfterMs).toBe(10_000);
  });

  it('ignores a retry-after hint on a failure that is not retryable', () => {
    expect(classifyError(error('policy-denied', { retryAfterMs: 10 })).retryAfterMs).toBeUndefined();
  });

  it('does not retry unknown errors or an open circuit', () => {
    expect(classifyError(new TypeError('boom'))).toEqual({ retryable: false, reason: 'unknown' });
    expect(classifyError('a string')).toEqual({ retryable: false, reason: 'unknown' });
    expect(classifyError(error('rate-limited', { circuit: 'open', retryAfterMs: 100 }))).toEqual({ retryable: false, reason: 'circuit-open' });
  });
});

describe('isRetryableStatus', () => {
  it('accepts 408, 425, 429 and 5xx except 501 and 505', () => {
    const retryable = [400, 401, 403, 404, 408, 409, 422, 425, 429, 500, 501, 502, 503, 504, 505, 599].filter(isRetryableStatus);
    expect(retryable).toEqual([408, 425, 429, 500, 502, 503, 504, 599]);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP-dates, never negative, and rejects garbage', () => {
    expect(parseRetryAfter(' 120 ', 0)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:05 GMT', 1000)).toBe(4000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:05 GMT', 9000)).toBe(0);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
});
