import { describe, expect, it } from 'vitest';
import { MemoryKv } from './memory-kv.ts';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('MemoryKv', () => {
  it('keeps workspaces apart', () => {
    const kv = new MemoryKv();
    kv.set('w1', 'k', bytes('one'));
    expect(kv.get('w2', 'k')).toBeUndefined();
    expect(new TextDecoder().decode(kv.get('w1', 'k'))).toBe('one');
  });

  it('refuses a write past the quota with quota-exceeded and keeps the old value', () => {
    const kv = new MemoryKv({ quotaBytes: 20 });
    kv.set('w', 'k', bytes('12345'));
    expect(() => kv.set('w', 'k', bytes('x'.repeat(30)))).toThrow(expect.objectContaining({ code: 'quota-exceeded' }));
    expect(kv.get('w', 'k')?.length).toBe(5);
    expect(kv.delete('w', 'k')).toBe(true);
    expect(kv.usedBytes('w')).toBe(0);
  });

  it('pages keys by prefix in order with a cursor', () => {
    const kv = new MemoryKv();
    for (const key of ['n/3', 'n/1', 'n/2', 'm/1']) kv.set('w', key, bytes(''));
    const first = kv.list('w', { prefix: 'n/', limit: 2 });
    expect(first).toEqual({ keys: ['n/1', 'n/2'], nextCursor: 'n/2' });
    expect(kv.list('w', { prefix: 'n/', cursor: first.nextCursor, limit: 2 })).toEqual({ keys: ['n/3'] });
  });
});
