import { describe, expect, it } from 'vitest';
import { Bus } from '../bus/index.ts';
import { BusLink } from './bus-link.ts';
import type { CallContext } from './options.ts';

const as = (agentId: string): CallContext => ({ agentId, tenant: 'acme', agentType: 'worker', workspaceId: agentId });

describe('BusLink (the guest bus over the core Bus)', () => {
  it('sends and publishes as the calling agent into the receiver inbox, and answers requests through host services', async () => {
    const bus = new Bus();
    const link = new BusLink(bus, { now: () => 1234 });
    link.join('a');
    link.join('b');
    bus.attach('oracle', (message) => ({ echoed: message.body, from: message.from }));
    link.subscribe(as('b'), 'news.*');
    link.send(as('a'), 'b', '{"hello":1}');
    link.publish(as('a'), 'news.today', '"headline"');
    bus.flush();
    expect(link.inbox('b')).toEqual([
      expect.objectContaining({ from: 'a', topic: undefined, payload: '{"hello":1}', expectsReply: false, sentAt: 1234 }),
      expect.objectContaining({ from: 'a', topic: 'news.today', payload: '"headline"', expectsReply: false }),
    ]);
    expect(await link.request(as('a'), 'oracle', '[1,2]', 1000)).toBe('{"echoed":[1,2],"from":"a"}');
    expect(() => link.send(as('a'), 'b', 'not json')).toThrowError(expect.objectContaining({ code: 'invalid-argument' }));
    link.leave('b');
    expect(link.inbox('b')).toEqual([]);
    await expect(link.request(as('a'), 'b', '{}', 1000)).rejects.toMatchObject({ code: 'not-found' });
    bus.close?.();
  });

  it('queues a request to an agent until a delivery answers it, and tells listeners of each arrival', async () => {
    const bus = new Bus();
    const link = new BusLink(bus);
    const arrivals: string[] = [];
    link.listen((id) => arrivals.push(id));
    link.join('a');
    link.join('b');
    const reply = link.request(as('a'), 'b', '{"q":"ping"}', 1000);
    await Promise.resolve();
    bus.flush();
    expect(arrivals).toEqual(['b']);
    expect(link.inbox('b')).toEqual([expect.objectContaining({ from: 'a', payload: '{"q":"ping"}', expectsReply: true })]);
    const delivery = link.take('b');
    expect(link.inbox('b')).toEqual([]);
    delivery?.answer('{"a":"pong"}');
    expect(await reply).toBe('{"a":"pong"}');

    const refused = link.request(as('a'), 'b', '1', 1000);
    await Promise.resolve();
    bus.flush();
    link.take('b')?.answer('not json');
    await expect(refused).rejects.toMatchObject({ code: 'invalid-argument' });

    const abandoned = link.request(as('a'), 'b', '2', 1000);
    await Promise.resolve();
    bus.flush();
    link.leave('b');
    await expect(abandoned).rejects.toMatchObject({ code: 'not-found' });
    bus.close?.();
  });
});
