import { describe, expect, it } from 'vitest';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { VirtualClock } from '../clock/index.ts';
import { Bus, type DeadLetter } from './bus.ts';
import { deny, ALLOW, type Envelope, type Route } from './envelope.ts';
import { createLink, type Transport } from './transport.ts';

const tick = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

/** A real link end that loses the envelopes `drop` picks (a lossy network). */
function lossy(inner: Transport, drop: (envelope: Envelope) => boolean): Transport {
  return {
    send: (envelopes) => inner.send(envelopes.filter((e) => !drop(e))),
    listen: (receiver) => inner.listen(receiver),
  };
}

function rejection(promise: Promise<unknown>): Promise<AgentOsError> {
  return promise.then(
    () => { throw new Error('expected a rejection'); },
    (error: AgentOsError) => error,
  );
}

describe('Bus direct messages', () => {
  it('delivers a direct message once and clears it as acknowledged', async () => {
    const bus = new Bus({ clock: new VirtualClock() });
    const got: unknown[] = [];
    bus.attach('bob', (m) => void got.push([m.from, m.body, m.attempt]));
    const alice = bus.attach('alice');
    const id = alice.send('bob', { hello: 1 });
    expect(id).toMatch(/^[0-9a-f-]+:0$/);
    expect(got).toEqual([]); // queued until the microtask flush
    await tick();
    expect(got).toEqual([['alice', { hello: 1 }, 1]]);
    expect(bus.unacknowledged).toBe(0);
    expect(bus.stats).toMatchObject({ sent: 1, delivered: 1, redelivered: 0 });
  });

  it('delivers messages a handler sends while handling, within the same flush', () => {
    const bus = new Bus({ clock: new VirtualClock() });
    const order: string[] = [];
    bus.attach('carol', (m) => void order.push(`carol:${m.body}`));
    const bob = bus.attach('bob', (m) => { order.push(`bob:${m.body}`); bob.send('carol', 'pong'); });
    bus.attach('alice').send('bob', 'ping');
    bus.flush();
    expect(order).toEqual(['bob:ping', 'carol:pong']);
    expect(bus.unacknowledged).toBe(0);
  });

  it('redelivers after the ack timeout while the handler fails, then stops once it succeeds', async () => {
    const clock = new VirtualClock();
    const errors: unknown[] = [];
    const bus = new Bus({ clock, ackTimeoutMs: 100, maxAttempts: 5, onError: (e) => errors.push(e) });
    const attempts: number[] = [];
    bus.attach('bob', (m) => {
      attempts.push(m.attempt);
      if (m.attempt < 3) throw new Error('not yet');
    });
    bus.attach('alice').send('bob', 'x');
    await tick();
    expect(attempts).toEqual([1]);
    await clock.advanceAsync(99);
    expect(attempts).toEqual([1]);
    await clock.advanceAsync(1);
    expect(attempts).toEqual([1, 2]);
    await clock.advanceAsync(100);
    expect(attempts).toEqual([1, 2, 3]);
    await clock.advanceAsync(1000);
    expect(attempts).toEqual([1, 2, 3]);
    expect(bus.unacknowledged).toBe(0);
    expect(errors).toHaveLength(2);
    expect(bus.stats.redelivered).toBe(2);
  });

  it('runs the handler once when the ack is lost, and re-acks the redelivered duplicate', async () => {
    const clock = new VirtualClock();
    const [a, b] = createLink({ clone: true });
    let acksDropped = 0;
    const sender = new Bus({ clock, transport: a, ackTimeoutMs: 50, id: 'bus-a' });
    const receiver = new Bus({
      clock,
      id: 'bus-b',
      transport: lossy(b, (e) => e.kind === 'ack' && acksDropped++ < 2),
    });
    const handled: unknown[] = [];
    receiver.attach('bob', (m) => void handled.push(m.body));
    sender.attach('alice').send('bob', 'once');
    await tick();
    expect(handled).toEqual(['once']);
    expect(sender.unacknowledged).toBe(1);
    await clock.advanceAsync(50); // redelivery 2: ack dropped again
    await clock.advanceAsync(50); // redelivery 3: acked
    expect(handled).toEqual(['once']);
    expect(receiver.stats.duplicates).toBe(2);
    expect(sender.unacknowledged).toBe(0);
    expect(sender.stats.redelivered).toBe(2);
  });

  it('dead-letters with timeout after maxAttempts unacknowledged deliveries', async () => {
    const clock = new VirtualClock();
    const letters: DeadLetter[] = [];
    const bus = new Bus({ clock, ackTimeoutMs: 10, maxAttempts: 3, onDeadLetter: (l) => letters.push(l) });
    let calls = 0;
    bus.attach('bob', () => { calls++; throw new Error('always'); });
    bus.attach('alice').send('bob', 'doomed');
    await tick();
    await clock.advanceAsync(100);
    expect(calls).toBe(3);
    expect(letters).toHaveLength(1);
    expect(letters[0].error.code).toBe('timeout');
    expect(letters[0].envelope).toMatchObject({ to: 'bob', body: 'doomed', attempt: 3 });
    expect(bus.unacknowledged).toBe(0);
    expect(bus.stats.deadLettered).toBe(1);
  });

  it('dead-letters at once with not-found when the receiver has no such agent', async () => {
    const clock = new VirtualClock();
    const letters: DeadLetter[] = [];
    const bus = new Bus({ clock, onDeadLetter: (l) => letters.push(l) });
    bus.attach('alice').send('nobody', 1);
    await tick();
    expect(letters.map((l) => l.error.code)).toEqual(['not-found']);
    expect(clock.pending).toBe(0);
  });

  it('refuses a second attach of the same agent and malformed agent ids', () => {
    const bus = new Bus({ clock: new VirtualClock() });
    bus.attach('alice');
    expect(() => bus.attach('alice')).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => bus.attach('')).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => bus.attach('a b')).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });
});

describe('Bus request/response', () => {
  it('resolves with the value the handler returns, also from an async handler', async () => {
    const bus = new Bus({ clock: new VirtualClock() });
    bus.attach('adder', (m) => (m.body as number[]).reduce((a, b) => a + b, 0));
    bus.attach('slow', async (m) => `echo:${m.body}`);
    const alice = bus.attach('alice');
    await expect(alice.request('adder', [1, 2, 3])).resolves.toBe(6);
    await expect(alice.request('slow', 'hi')).resolves.toBe('echo:hi');
    expect(bus.unacknowledged).toBe(0);
  });

  it('rejects with timeout exactly when the virtual clock reaches the timeout', async () => {
    const clock = new VirtualClock();
    const bus = new Bus({ clock });
    bus.attach('silent', () => new Promise(() => {})); // never answers
    let settled: AgentOsError | undefined;
    void rejection(bus.attach('alice').request('silent', 'q', { timeoutMs: 1000 })).then((e) => (settled = e));
    await clock.advanceAsync(999);
    expect(settled).toBeUndefined();
    await clock.advanceAsync(1);
    await tick();
    expect(settled?.code).toBe('timeout');
    expect(bus.unacknowledged).toBe(0); // the request is no longer redelivered
  });

  it("passes the handler's AgentOsError code to the requester", async () => {
    const bus = new Bus({ clock: new VirtualClock() });
    bus.attach('strict', () => { throw new AgentOsError('capability-denied', 'no web access'); });
    bus.attach('buggy', () => { throw new TypeError('oops'); });
    const alice = bus.attach('alice');
    const denied = await rejection(alice.request('strict', 1));
    expect([denied.code, denied.message]).toEqual(['capability-denied', 'no web access']);
    expect((await rejection(alice.request('buggy', 1))).code).toBe('internal');
  });

  it('rejects with not-found when the agent does not exist', async () => {
    const bus = new Bus({ clock: new VirtualClock() });
    expect((await rejection(bus.attach('alice').request('ghost', 1))).code).toBe('not-found');
  });

  it('answers requests across a cloning link between two buses', async () => {
    const [a, b] = createLink({ clone: true });
    const clock = new VirtualClock();
    const left = new Bus({ clock, transport: a, id: 'left' });
    const right = new Bus({ clock, transport: b, id: 'right' });
    right.attach('calc', (m) => ({ doubled: (m.body as { n: number }).n * 2 }));
    await expect(left.attach('alice').request('calc', { n: 21 })).resolves.toEqual({ doubled: 42 });
  });

  it('rejects waiting requests with illegal-state when the bus closes', async () => {
    const bus = new Bus({ clock: new VirtualClock() });
    bus.attach('silent', () => new Promise(() => {}));
    const pending = rejection(bus.attach('alice').request('silent', 1));
    await tick();
    bus.close();
    expect((await pending).code).toBe('illegal-state');
  });
});

describe('Bus publish/subscribe', () => {
  it('fans a publish out to every matching pattern and to nobody else', async () => {
    const bus = new Bus({ clock: new VirtualClock() });
    const seen: string[] = [];
    const sub = bus.attach('sub');
    sub.subscribe('tasks.*.done', (m) => void seen.push(`star:${m.topic}`));
    sub.subscribe('tasks.>', (m) => void seen.push(`tail:${m.topic}`));
    sub.subscribe('other.#', (m) => void seen.push(`other:${m.topic}`));
    const pub = bus.attach('pub');
    pub.publish('tasks.billing.done', 1);
    pub.publish('tasks', 2);
    await tick();
    expect(seen.sort()).toEqual(['star:tasks.billing.done', 'tail:tasks.billing.done']);
  });

  it('stops delivering after unsubscribe and after detach', async () => {
    const bus = new Bus({ clock: new VirtualClock() });
    let a = 0;
    let b = 0;
    const sub = bus.attach('sub');
    const off = sub.subscribe('x', () => void a++);
    sub.subscribe('x', () => void b++);
    const pub = bus.attach('pub');
    pub.publish('x', 0);
    await tick();
    off();
    pub.publish('x', 0);
    await tick();
    sub.detach();
    pub.publish('x', 0);
    await tick();
    expect([a, b]).toEqual([1, 2]);
  });

  it('refuses to publish on a wildcard topic', () => {
    const bus = new Bus({ clock: new VirtualClock() });
    expect(() => bus.attach('pub').publish('tasks.*', 1)).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });
});

describe('Bus policy and rate limits', () => {
  it('refuses a denied route with policy-denied and sends nothing', async () => {
    const routes: Route[] = [];
    const bus = new Bus({
      clock: new VirtualClock(),
      authorize: (route) => {
        routes.push(route);
        return route.to === 'vault' || route.to.startsWith('secrets') ? deny('tenant boundary') : ALLOW;
      },
    });
    let got = 0;
    bus.attach('vault', () => void got++);
    const alice = bus.attach('alice');
    expect(() => alice.send('vault', 1)).toThrow(expect.objectContaining({ code: 'policy-denied', details: expect.objectContaining({ reason: 'tenant boundary' }) }));
    await expect(alice.request('vault', 1)).rejects.toMatchObject({ code: 'policy-denied' });
    expect(() => alice.subscribe('secrets.>', () => {})).toThrow(expect.objectContaining({ code: 'policy-denied' }));
    expect(() => alice.publish('secrets.x', 1)).toThrow(expect.objectContaining({ code: 'policy-denied' }));
    await tick();
    expect(got).toBe(0);
    expect(bus.stats.sent).toBe(0);
    expect(routes.map((r) => r.kind)).toEqual(['direct', 'request', 'subscribe', 'publish']);
  });

  it('throttles each agent by its own token bucket and refills with the clock', async () => {
    const clock = new VirtualClock();
    const bus = new Bus({ clock, rateLimit: (agent) => (agent === 'admin' ? undefined : { capacity: 3, refillPerSecond: 10 }) });
    bus.attach('sink');
    const alice = bus.attach('alice');
    const bob = bus.attach('bob');
    const admin = bus.attach('admin');
    for (let i = 0; i < 3; i++) alice.send('sink', i);
    let error: AgentOsError | undefined;
    try {
      alice.send('sink', 3);
    } catch (e) {
      error = e as AgentOsError;
    }
    expect(error?.code).toBe('rate-limited');
    expect(error?.details?.retryAfterMs).toBe(100);
    expect(() => bob.send('sink', 0)).not.toThrow(); // buckets are per agent
    for (let i = 0; i < 100; i++) admin.send('sink', i);
    clock.advance(100);
    expect(() => alice.send('sink', 4)).not.toThrow();
    expect(() => alice.send('sink', 5)).toThrow(expect.objectContaining({ code: 'rate-limited' }));
  });
});

describe('Bus transports', () => {
  it('drops malformed envelopes from an untrusted transport when validating', () => {
    const [a, b] = createLink();
    const errors: AgentOsError[] = [];
    const bus = new Bus({ clock: new VirtualClock(), transport: b, validateIncoming: true, onError: (e) => errors.push(e as AgentOsError) });
    let got = 0;
    bus.attach('bob', () => void got++);
    a.listen(() => {});
    a.send([
      { kind: 'direct', origin: 'evil', seq: -1, from: 'x', to: 'bob', body: 1, attempt: 1 },
      { kind: 'direct', origin: 'evil', seq: 1, from: 'x', to: 'bob', body: 1, attempt: 1 },
    ]);
    expect(got).toBe(1);
    expect(errors.map((e) => e.code)).toEqual(['invalid-argument']);
  });
});
