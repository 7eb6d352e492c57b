import { describe, expect, it } from 'vitest';
import { Secrets } from './secrets.ts';
import { MemorySecretStore } from './store.ts';

const caller = { tenant: 'acme', agentType: 'researcher' };

describe('Secrets', () => {
  it('injects per capability, host and caller, expanding templates only in rules', async () => {
    const secrets = await Secrets.load({
      store: new MemorySecretStore({ KEY: 'key-value-0001', OTHER: 'other-value-0002' }),
      inject: [
        { capability: 'http.fetch', host: 'api.example.com', header: 'Authorization', value: 'Bearer {{secret:KEY}}' },
        { capability: 'http.fetch', host: '*.svc.example.com', header: 'X-Api-Key', value: '{{secret:OTHER}}', agentTypes: ['researcher'] },
        { capability: 'llm.complete', header: 'X-Llm-Key', value: '{{secret:OTHER}}' },
      ],
    });
    expect(secrets.injections({ capability: 'http.fetch', host: 'api.example.com', caller })).toEqual([['Authorization', 'Bearer key-value-0001']]);
    expect(secrets.injections({ capability: 'http.fetch', host: 'a.svc.example.com', caller })).toEqual([['X-Api-Key', 'other-value-0002']]);
    expect(secrets.injections({ capability: 'http.fetch', host: 'a.svc.example.com', caller: { ...caller, agentType: 'prober' } })).toEqual([]);
    expect(secrets.injections({ capability: 'http.fetch', host: 'evil.example.com', caller })).toEqual([]);
    expect(secrets.injections({ capability: 'llm.complete', caller })).toEqual([['X-Llm-Key', 'other-value-0002']]);
    expect(secrets.redactor.redact('key-value-0001')).toBe('[REDACTED:KEY]');
  });

  it('fails to load when a rule names a secret the store lacks', async () => {
    await expect(Secrets.load({ store: new MemorySecretStore({}), inject: [{ capability: 'http.fetch', header: 'A', value: '{{secret:MISSING}}' }] })).rejects.toMatchObject({
      code: 'not-found', details: { secret: 'MISSING' },
    });
  });

  it('refuses a value that would break a header', async () => {
    const store = new MemorySecretStore({ KEY: 'line-one\r\nX-Evil: 1' });
    await expect(Secrets.load({ store, inject: [{ capability: 'http.fetch', header: 'A', value: '{{secret:KEY}}' }] })).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it('picks up a rotated value on refresh', async () => {
    const store = new MemorySecretStore({ KEY: 'first-value-001' });
    const secrets = await Secrets.load({ store, inject: [{ capability: 'http.fetch', header: 'A', value: '{{secret:KEY}}' }] });
    store.set('KEY', 'second-value-002');
    await secrets.refresh();
    expect(secrets.injections({ capability: 'http.fetch', caller })).toEqual([['A', 'second-value-002']]);
    expect(secrets.redactor.redact('first-value-001')).toBe('[REDACTED:KEY]');
  });
});
