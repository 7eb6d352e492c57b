import { describe, expect, it } from 'vitest';
import { AgentOsError, type ErrorCode } from '../../../sandbox/src/errors/index.ts';
import { type Clock, VirtualClock } from '../clock/index.ts';
import type { EscalationContext, EscalationDecision } from './escalation.ts';
import { type RetryOptions, retry } from './retry.ts';

/** A virtual clock that records every wait, and a driver that lets each wait pass as soon as it starts. */
function harness() {
  const virtual = new VirtualClock({ start: 1_000 });
  const sleeps: number[] = [];
  const clock: Clock = {
    now: () => virtual.now(),
    sleep: (ms, signal) => {
      sleeps.push(ms);
      return virtual.sleep(ms, signal);
    },
  };
  async function drive<T>(promise: Promise<T>): Promise<T> {
    let settled = false;
    const watched = promise.finally(() => {
      settled = true;
    });
    watched.catch(() => undefined);
    while (!settled) {
      // A real macrotask turn runs every pending microtask (the attempt, the classification, the next sleep call).
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (virtual.pending > 0) virtual.advance(sleeps.at(-1) as number);
    }
    return watched;
  }
  return { clock, virtual, sleeps, drive };
}

const fail = (code: ErrorCode, details?: Record<string, unknown>) => new AgentOsError(code, `failed with ${code}`, { details });

/** An operation failing with the given errors in order, then returning "ok". */
function script(...errors: unknown[]) {
  const calls: number[] = [];
  const operation = async ({ attempt }: { attempt: number }): Promise<string> => {
    calls.push(attempt);
    const error = errors[calls.length - 1];
    if (error !== undefined) throw error;
    return 'ok';
  };
  return { operation, calls };
}

const base: RetryOptions<string> = { backoff: { baseMs: 100, capMs: 10_000, jitter: 'full' }, random: () => 0.5 };

describe('retry', () => {
  it('returns the first success without waiting', async () => {
    const { clock, sleeps, drive } = harness();
    const { operation, calls } = script();
    await expect(drive(retry(operation, { ...base, clock }))).resolves.toBe('ok');
    expect(calls).toEqual([1]);
    expect(sleeps).toEqual([]);
  });

  it('retries retryable failures with jittered exponential waits until one succeeds', async () => {
    const { clock, virtual, sleeps, drive } = harness();
    const { operation, calls } = script(fail('timeout'), fail('rate-limited'), { status: 503 });
    const events: number[] = [];
    const result = drive(retry(operation, { ...base, clock, onRetry: (e) => events.push(e.attempt) }));
    await expect(result).resolves.toBe('ok');
    expect(calls).toEqual([1, 2, 3, 4]);
    expect(sleeps).toEqual([50, 100, 200]);
    expect(events).toEqual([1, 2, 3]);
    expect(virtual.now()).toBe(1_000 + 350);
  });

  it('throws a non-retryable failure at once', async () => {
    const { clock, sleeps, drive } = harness();
    const denied = fail('policy-denied');
    const { operation, calls } = script(fail('timeout'), denied);
    await expect(drive(retry(operation, { ...base, clock }))).rejects.toBe(denied);
    expect(calls).toEqual([1, 2]);
    expect(sleeps).toEqual([50]);
  });

  it('throws the last error when the attempts are spent', async () => {
    const { clock, sleeps, drive } = harness();
    const errors = [fail('timeout'), fail('timeout'), fail('timeout')];
    const { operation, calls } = script(...errors);
    await expect(drive(retry(operation, { ...base, clock, maxAttempts: 3 }))).rejects.toBe(errors[2]);
    expect(calls).toEqual([1, 2, 3]);
    expect(sleeps).toHaveLength(2);
  });

  it('waits at least as long as a retry-after hint asks', async () => {
    const { clock, sleeps, drive } = harness();
    const { operation } = script(fail('rate-limited', { retryAfterMs: 4_000 }));
    await drive(retry(operation, { ...base, clock }));
    expect(sleeps).toEqual([4_000]);
  });

  it('does not wait for a hint longer than maxRetryAfterMs', async () => {
    const { clock, sleeps, drive } = harness();
    const limited = fail('rate-limited', { retryAfterMs: 60_000 });
    const { operation, calls } = script(limited);
    await expect(drive(retry(operation, { ...base, clock, maxRetryAfterMs: 5_000 }))).rejects.toBe(limited);
    expect(calls).toEqual([1]);
    expect(sleeps).toEqual([]);
  });

  it('stops before a wait would pass maxElapsedMs', async () => {
    const { clock, sleeps, drive } = harness();
    const { operation, calls } = script(fail('timeout'), fail('timeout'), fail('timeout'), fail('timeout'));
    await expect(drive(retry(operation, { ...base, clock, maxElapsedMs: 200 }))).rejects.toMatchObject({ code: 'timeout' });
    // Waits of 50 and 100 fit in 200 ms; the third (200) would end at 350.
    expect(sleeps).toEqual([50, 100]);
    expect(calls).toEqual([1, 2, 3]);
  });

  it('gives up waiting when the signal aborts', async () => {
    const { clock, virtual } = harness();
    const controller = new AbortController();
    const { operation, calls } = script(fail('timeout'));
    const result = retry(operation, { ...base, clock, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(virtual.pending).toBe(1);
    controller.abort(new Error('stopped'));
    await expect(result).rejects.toThrow('stopped');
    expect(calls).toEqual([1]);
  });

  it('refuses maxAttempts below 1', async () => {
    await expect(retry(async () => 1, { maxAttempts: 0 })).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});

describe('retry escalation', () => {
  function escalator(...decisions: EscalationDecision<string>[]) {
    const contexts: EscalationContext[] = [];
    const escalate = async (context: EscalationContext) => {
      contexts.push(context);
      return decisions[contexts.length - 1];
    };
    return { escalate, contexts };
  }

  it('asks the human gate when retries are exhausted, and a granted round can succeed', async () => {
    const { clock, sleeps, drive } = harness();
    const { operation, calls } = script(fail('timeout'), fail('timeout'), fail('timeout'));
    const { escalate, contexts } = escalator({ action: 'retry', attempts: 2 });
    const result = drive(retry(operation, { ...base, clock, maxAttempts: 2, escalate, operation: 'tool:web.fetch' }));
    await expect(result).resolves.toBe('ok');
    expect(calls).toEqual([1, 2, 3, 4]);
    expect(contexts).toHaveLength(1);
    expect(contexts[0]).toMatchObject({ operation: 'tool:web.fetch', attempts: 2, escalations: 0, elapsedMs: 50, classification: { retryable: true } });
    // The granted round restarts the backoff: 50 in the first round, then 50 again.
    expect(sleeps).toEqual([50, 50]);
  });

  it('returns the value a person supplies with resolve', async () => {
    const { clock, drive } = harness();
    const { operation } = script(fail('timeout'), fail('timeout'));
    const { escalate } = escalator({ action: 'resolve', value: 'typed by hand' });
    await expect(drive(retry(operation, { ...base, clock, maxAttempts: 1, escalate }))).resolves.toBe('typed by hand');
  });

  it('throws the last error when the person aborts, or when escalations run out', async () => {
    const { clock, drive } = harness();
    const last = fail('timeout');
    const aborted = escalator({ action: 'abort', reason: 'not worth it' });
    await expect(drive(retry(script(last).operation, { ...base, clock, maxAttempts: 1, escalate: aborted.escalate }))).rejects.toBe(last);

    const twice = escalator({ action: 'retry', attempts: 1 }, { action: 'retry', attempts: 1 });
    const { operation, calls } = script(fail('timeout'), fail('timeout'), fail('timeout'));
    await expect(drive(retry(operation, { ...base, clock, maxAttempts: 1, escalate: twice.escalate, maxEscalations: 1 }))).rejects.toMatchObject({ code: 'timeout' });
    expect(twice.contexts).toHaveLength(1);
    expect(calls).toEqual([1, 2]);
  });

  it('does not escalate a non-retryable failure', async () => {
    const { clock, drive } = harness();
    const { escalate, contexts } = escalator({ action: 'resolve', value: 'x' });
    await expect(drive(retry(script(fail('capability-denied')).operation, { ...base, clock, escalate }))).rejects.toMatchObject({ code: 'capability-denied' });
    expect(contexts).toEqual([]);
  });

  it('passes the escalate hook rejection through', async () => {
    const { clock, drive } = harness();
    const escalate = async (): Promise<EscalationDecision<string>> => {
      throw fail('timeout', { approval: 'expired' });
    };
    await expect(drive(retry(script(fail('rate-limited')).operation, { ...base, clock, maxAttempts: 1, escalate }))).rejects.toMatchObject({
      details: { approval: 'expired' },
    });
  });
});
