import { beforeAll, describe, expect, it } from 'vitest';
import { guestComponent } from '../../../../test/adversarial/guest.ts';
import { isAgentOsError } from '../errors/index.ts';
import { Engine, Store, hasJspi, type Component } from './index.ts';

// The hand-written guest of test/adversarial: `ping-times(n)` calls the host's `ping` n times.
const engine = new Engine();
let plain: Component;
let async: Component;

beforeAll(async () => {
  const bytes = await guestComponent();
  plain = await engine.load(bytes);
  async = await engine.load(bytes, { asyncImports: ['ping'] });
});

describe.runIf(hasJspi())('async host imports (JSPI)', () => {
  it('suspends the guest while an import returning a Promise settles, then resumes it', async () => {
    const events: string[] = [];
    const ping = async () => {
      events.push('ping');
      await new Promise((resolve) => setTimeout(resolve, 1));
      events.push('settled');
    };
    const instance = await async.instantiate(new Store(), { imports: { ping: { default: ping } } });
    const call = instance.call('ping-times', [3]);
    events.push('call returned');
    expect(await call).toBe(3);
    // The call returned while the guest was suspended; each ping ran only after the previous one settled.
    expect(events.indexOf('call returned')).toBeLessThan(events.indexOf('settled'));
    expect(events.filter((e) => e !== 'call returned')).toEqual(['ping', 'settled', 'ping', 'settled', 'ping', 'settled']);
  });

  it('spends the same fuel as the same work with a synchronous import', async () => {
    const asyncStore = new Store();
    await (await async.instantiate(asyncStore, { imports: { ping: { default: async () => {} } } })).call('ping-times', [50]);
    const syncStore = new Store();
    await (await plain.instantiate(syncStore, { imports: { ping: { default: () => {} } } })).call('ping-times', [50]);
    expect(asyncStore.fuel.used).toBeGreaterThan(50n);
    expect(asyncStore.fuel.used).toBe(syncStore.fuel.used);
  });

  it('turns a rejected import into a trap naming the import, and poisons only that instance', async () => {
    const failing = await async.instantiate(new Store(), {
      imports: { ping: { default: () => Promise.reject(new Error('upstream down')) } },
    });
    const error = await failing.call('ping-times', [1]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAgentOsError(error) && error.code).toBe('trap');
    expect((error as Error).message).toContain('upstream down');
    const fresh = await async.instantiate(new Store(), { imports: { ping: { default: async () => {} } } });
    expect(await fresh.call('ping-times', [2])).toBe(2);
  });

  it('refuses callSync on a component loaded for async calls with illegal-state', async () => {
    const instance = await async.instantiate(new Store(), { imports: { ping: { default: async () => {} } } });
    expect(() => instance.callSync('add', [1, 2])).toThrow(expect.objectContaining({ code: 'illegal-state' }));
    expect(await instance.call('add', [1, 2])).toBe(3);
  });
});
