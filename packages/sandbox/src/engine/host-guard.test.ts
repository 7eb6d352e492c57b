import { describe, expect, it } from 'vitest';
import { guestComponent } from '../../../../test/adversarial/guest.ts';
import { isAgentOsError } from '../errors/index.ts';
import { Engine } from './engine.ts';
import { Store } from './store.ts';

describe('host import guard', () => {
  it('names the core import (namespace#name) in the trap of a host import that throws', async () => {
    const component = await new Engine().load(await guestComponent());
    const imports = { ping: { default: () => { throw new TypeError('host bug'); } } };
    const instance = await component.instantiate(new Store(), { imports });
    const error = await instance.call('ping-times', [2]).then(() => undefined, (e: unknown) => e);
    expect(isAgentOsError(error)).toBe(true);
    const { details, message } = error as { details: { kind: string; import: string }; message: string };
    expect(details.kind).toBe('host-error');
    expect(details.import).toMatch(/^[^#]+#ping$/);
    expect(message).toContain(`The host import ${details.import} failed: TypeError: host bug`);
  });

  it('instantiates many times from one component without the instances sharing link state', async () => {
    const component = await new Engine().load(await guestComponent());
    let pings = 0;
    const imports = { ping: { default: () => void pings++ } };
    const first = await component.instantiate(new Store(), { imports });
    const second = await component.instantiate(new Store(), { imports });
    expect(await first.call('ping-times', [3])).toBe(3);
    expect(await second.call('ping-times', [2])).toBe(2);
    expect(pings).toBe(5);
  });
});
