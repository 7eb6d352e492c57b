import { describe, expect, it } from 'vitest';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { VirtualClock } from '../clock/index.ts';
import { BreakerRegistry, capabilityBreakerKey, toolBreakerKey } from './breaker-registry.ts';
import { type BreakerTransition, CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.ts';

const transient = () => new AgentOsError('timeout', 'upstream did not answer');
const ok = async () => 'ok';
const failing = async (): Promise<string> => {
  throw transient();
};

function setup(options: CircuitBreakerOptions = {}) {
  const clock = new VirtualClock();
  const transitions: BreakerTransition[] = [];
  const breaker = new CircuitBreaker({
    key: 'tool:web.fetch', failureThreshold: 3, windowMs: 1_000, coolDownMs: 5_000, clock,
    onStateChange: (t) => transitions.push(t), ...options,
  });
  const failTimes = async (n: number) => {
    for (let i = 0; i < n; i++) await breaker.execute(failing).catch(() => undefined);
  };
  return { clock, breaker, transitions, failTimes };
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of failures within the window and then refuses without calling', async () => {
    const { breaker, failTimes, transitions } = setup();
    await failTimes(2);
    expect(breaker.state).toBe('closed');
    await failTimes(1);
    expect(breaker.state).toBe('open');
    let called = false;
    const refused = breaker.execute(async () => {
      called = true;
    });
    await expect(refused).rejects.toMatchObject({ code: 'rate-limited', details: { circuit: 'open', key: 'tool:web.fetch', retryAfterMs: 5_000 } });
    expect(called).toBe(false);
    expect(transitions.map((t) => `${t.from}->${t.to}`)).toEqual(['closed->open']);
  });

  it('forgets failures older than the window', async () => {
    const { breaker, failTimes, clock } = setup();
    await failTimes(2);
    clock.advance(1_000);
    await failTimes(2);
    expect(breaker.state).toBe('closed');
    expect(breaker.recentFailures).toBe(2);
  });

  it('does not count non-retryable errors (policy denials, bad input) as failures', async () => {
    const { breaker } = setup();
    for (let i = 0; i < 5; i++) {
      await breaker.execute(async () => {
        throw new AgentOsError('policy-denied', 'no');
      }).catch(() => undefined);
    }
    expect(breaker.state).toBe('closed');
    expect(breaker.recentFailures).toBe(0);
  });

  it('lets one probe through after the cool-down and closes when it succeeds', async () => {
    const { breaker, failTimes, clock, transitions } = setup();
    await failTimes(3);
    clock.advance(4_999);
    await expect(breaker.execute(ok)).rejects.toMatchObject({ details: { retryAfterMs: 1 } });
    clock.advance(1);
    expect(breaker.state).toBe('half-open');
    let release!: () => void;
    const probe = breaker.execute(() => new Promise<string>((resolve) => (release = () => resolve('probed'))));
    await expect(breaker.execute(ok)).rejects.toMatchObject({ code: 'rate-limited', details: { state: 'half-open' } });
    release();
    await expect(probe).resolves.toBe('probed');
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(transitions.map((t) => `${t.from}->${t.to}@${t.at}`)).toEqual(['closed->open@0', 'open->half-open@5000', 'half-open->closed@5000']);
  });

  it('re-opens with a fresh cool-down when the probe fails', async () => {
    const { breaker, failTimes, clock } = setup();
    await failTimes(3);
    clock.advance(5_000);
    await failTimes(1);
    expect(breaker.state).toBe('open');
    clock.advance(4_000);
    expect(breaker.state).toBe('open');
    clock.advance(1_000);
    expect(breaker.state).toBe('half-open');
  });

  it('needs successesToClose probe successes before closing', async () => {
    const { breaker, failTimes, clock } = setup({ successesToClose: 2, halfOpenProbes: 1 });
    await failTimes(3);
    clock.advance(5_000);
    await breaker.execute(ok);
    expect(breaker.state).toBe('half-open');
    await breaker.execute(ok);
    expect(breaker.state).toBe('closed');
  });

  it('ignores the outcome of a call that started before the last state change', async () => {
    const { breaker, failTimes, clock } = setup();
    let failSlow!: () => void;
    const slow = breaker.execute(() => new Promise<string>((_, reject) => (failSlow = () => reject(transient()))));
    await failTimes(3);
    clock.advance(5_000);
    await breaker.execute(ok);
    expect(breaker.state).toBe('closed');
    failSlow();
    await slow.catch(() => undefined);
    expect(breaker.recentFailures).toBe(0);
    expect(breaker.state).toBe('closed');
  });

  it('refuses bad options', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0 })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => new CircuitBreaker({ coolDownMs: -1 })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });
});

describe('BreakerRegistry', () => {
  it('keeps one breaker per key, so a failing tool does not trip another', async () => {
    const clock = new VirtualClock();
    const registry = new BreakerRegistry({ defaults: { failureThreshold: 2, clock } });
    const a = toolBreakerKey('a');
    for (let i = 0; i < 2; i++) await registry.execute(a, failing).catch(() => undefined);
    expect(registry.get(a).state).toBe('open');
    await expect(registry.execute(toolBreakerKey('b'), ok)).resolves.toBe('ok');
    expect(registry.get(a)).toBe(registry.get(a));
    expect(registry.snapshot()).toEqual([
      { key: 'tool:a', state: 'open', recentFailures: 0 },
      { key: 'tool:b', state: 'closed', recentFailures: 0 },
    ]);
  });

  it('passes a call through tool and capability breakers; an inner refusal does not count against the outer one', async () => {
    const clock = new VirtualClock();
    const transitions: string[] = [];
    const registry = new BreakerRegistry({
      defaults: { failureThreshold: 2, clock },
      overrides: (key) => (key.startsWith('capability:') ? { failureThreshold: 1 } : undefined),
      onStateChange: (t) => transitions.push(`${t.key}:${t.to}`),
    });
    const keys = [toolBreakerKey('fetch'), capabilityBreakerKey('net.http')];
    await registry.execute(keys, failing).catch(() => undefined);
    expect(transitions).toEqual(['capability:net.http:open']);
    expect(registry.get(keys[0]).recentFailures).toBe(1);
    for (let i = 0; i < 3; i++) await expect(registry.execute(keys, ok)).rejects.toMatchObject({ details: { key: 'capability:net.http' } });
    expect(registry.get(keys[0]).state).toBe('closed');
    expect(registry.get(keys[0]).recentFailures).toBe(1);
  });

  it('refuses new keys beyond maxBreakers', () => {
    const registry = new BreakerRegistry({ maxBreakers: 2 });
    registry.get('a');
    registry.get('b');
    expect(() => registry.get('c')).toThrow(expect.objectContaining({ code: 'limit-exceeded' }));
    expect(registry.get('a').key).toBe('a');
  });
});
