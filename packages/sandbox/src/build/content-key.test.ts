import { describe, expect, it } from 'vitest';
import { contentKey } from './content-key.ts';

describe('content key', () => {
  it('is the same for the same parts and a 64-digit hex string', async () => {
    const parts = [{ label: 'source', content: 'export {}' }, { label: 'wit', content: new Uint8Array([1, 2, 3]) }];
    const key = await contentKey(parts);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(await contentKey(parts)).toBe(key);
  });

  it('changes when content moves between parts', async () => {
    const a = await contentKey([{ label: 'x', content: 'ab' }, { label: 'y', content: 'c' }]);
    const b = await contentKey([{ label: 'x', content: 'a' }, { label: 'y', content: 'bc' }]);
    expect(a).not.toBe(b);
  });

  it('changes when a label changes', async () => {
    const a = await contentKey([{ label: 'world', content: 'tool' }]);
    const b = await contentKey([{ label: 'options', content: 'tool' }]);
    expect(a).not.toBe(b);
  });
});
