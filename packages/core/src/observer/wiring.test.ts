/**
 * Recovery and the observer together, as a host wires them: a flaky tool
 * called through a circuit breaker inside `retry`, traced and counted.
 */
import { describe, expect, it } from 'vitest';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { type Clock, VirtualClock } from '../clock/index.ts';
import { BreakerRegistry, retry, toolBreakerKey } from '../recovery/index.ts';
import { AgentMetrics, MetricRegistry, Tracer, seededRandomBytes, toPrometheusText, traceToolCall } from './index.ts';

describe('recovery under the observer', () => {
  it('shows retries as span events, and breaker state and call outcomes as metrics', async () => {
    const virtual = new VirtualClock();
    const sleeps: number[] = [];
    const clock: Clock = { now: () => virtual.now(), sleep: (ms, signal) => (sleeps.push(ms), virtual.sleep(ms, signal)) };
    const states: string[] = [];
    const tracer = new Tracer({ clock, randomBytes: seededRandomBytes(11) });
    const registry = new MetricRegistry();
    const metrics = new AgentMetrics(registry);
    const breakers = new BreakerRegistry({
      defaults: { failureThreshold: 2, coolDownMs: 1_000, clock },
      onStateChange: (t) => {
        states.push(`${t.to}@${t.at}`);
        metrics.setBreakerState(t.key, t.to);
      },
    });
    let calls = 0;
    const flakyTool = async (): Promise<string> => {
      calls++;
      if (calls <= 2) throw new AgentOsError('timeout', 'upstream slow');
      return 'result';
    };

    const turn = tracer.startSpan('agent.turn');
    const run = traceToolCall(tracer, { tool: 'web.fetch', parent: turn }, (span) =>
      retry(async () => {
        try {
          const value = await breakers.execute(toolBreakerKey('web.fetch'), flakyTool);
          metrics.recordCall('web.fetch');
          return value;
        } catch (error) {
          metrics.recordCall('web.fetch', error);
          throw error;
        }
      }, {
        clock, random: () => 0.5, maxAttempts: 5, backoff: { baseMs: 400, capMs: 2_000 },
        // Refusals of the open breaker carry their cool-down; wait for it instead of giving up.
        classify: (error) => ({ retryable: true, reason: 'test', retryAfterMs: (error as AgentOsError).details?.retryAfterMs as number | undefined }),
        onRetry: (event) => span.addEvent('retry', { attempt: event.attempt, 'retry.delay_ms': event.delayMs }),
      }));
    // Let each wait pass exactly as soon as it starts (a macrotask turn runs every pending continuation).
    let settled = false;
    void run.finally(() => (settled = true)).catch(() => undefined);
    while (!settled) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (virtual.pending > 0) virtual.advance(sleeps.at(-1) as number);
    }
    await expect(run).resolves.toBe('result');
    turn.end();

    const [tool] = tracer.drain();
    // t=0 timeout; t=200 timeout opens the breaker; t=600 refused (cool-down ends at 1200); t=1400 the probe succeeds.
    expect(tool.events.map((e) => e.attributes.attempt)).toEqual([1, 2, 3]);
    expect(sleeps).toEqual([200, 400, 800]);
    expect(states).toEqual(['open@200', 'half-open@1400', 'closed@1400']);
    expect(tool.status.code).toBe('ok');
    expect(calls).toBe(3);
    const text = toPrometheusText(registry.collect());
    expect(text).toContain('agentos_circuit_breaker_state{key="tool:web.fetch"} 0\n');
    expect(text).toContain('agentos_calls_total{capability="web.fetch",outcome="timeout"} 2\n');
    expect(text).toContain('agentos_calls_total{capability="web.fetch",outcome="rate-limited"} 1\n');
    expect(text).toContain('agentos_calls_total{capability="web.fetch",outcome="success"} 1\n');
    expect(metrics.successRate('web.fetch')).toBe(0.25);
  });
});
