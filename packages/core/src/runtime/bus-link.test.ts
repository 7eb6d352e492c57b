import { describe, expect, it } from 'vitest';
import { Bus } from '../bus/index.ts';
import { BusLink } from './bus-link.ts';
import type { CallContext } from './options.ts';

const as = (agentId: string): CallContext => ({ agentId, tenant: 'acme', agentType: 'worker', workspaceId: agentId });

describe('BusLink (the guest bus over the core Bus)', () => {
  it('sends and publishes as the calling agent into the receiver inbox, and answers requests through host services', async () => {
    const bus = new Bus();
    const link = new BusLink(bus);
    link.join('a');
    link.join('b');
    bus.attach('oracle', (message) => ({ echoed: message.body, from: message.from }));
    link.subscribe(as('b'), 'news.*');
    link.send(as('a'), 'b', '{"hello":1}');
    link.publish(as('a'), 'news.today', '"headline"');
    bus.flush();
    expect(link.inbox('b')).toEqual([
      expect.objectContaining({ from: 'a', topic: undefined, payload: '{"hello":1}' }),
      expect.objectContaining({ from: 'a', topic: 'news.today', payload: '"headline"' }),
    ]);
    expect(await link.request(as('a'), 'oracle', '[1,2]', 1000)).toBe('{"echoed":[1,2],"from":"a"}');
    await expect(link.request(as('a'), 'b', '{}', 1000)).rejects.toMatchObject({ code: 'capability-denied' });
    expect(() => link.send(as('a'), 'b', 'not json')).toThrowError(expect.objectContaining({ code: 'invalid-argument' }));
    link.leave('b');
    expect(link.inbox('b')).toEqual([]);
    await expect(link.request(as('a'), 'b', '{}', 1000)).rejects.toMatchObject({ code: 'not-found' });
    bus.close?.();
  });
});
