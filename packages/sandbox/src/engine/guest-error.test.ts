import { describe, expect, it } from 'vitest';
import { buildFixture } from '../../../../test/fixtures/index.ts';
import { Engine, Store } from './index.ts';

describe('a result export that returns err', () => {
  it('rejects with guest-error carrying the WIT value, and the instance keeps serving', async () => {
    const component = await new Engine().load((await buildFixture('echo')).bytes);
    const instance = await component.instantiate(new Store(), { imports: { 'agentos:runtime/log': { log: () => {} } } });

    const refused = await instance.call('invoke', ['not json']).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ code: 'guest-error' });
    expect((refused as Error).cause).toMatchObject({ tag: 'invalid-input' });
    expect((refused as Error).message).toContain('invalid-input');

    // Not poisoned: the same instance answers the next call.
    await expect(instance.call('invoke', ['{"ok":true}'])).resolves.toBe('{"ok":true}');
  });
});
