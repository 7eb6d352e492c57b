import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../store/index.ts';
import { Redactor } from './redactor.ts';
import { redacting, redactingStore } from './sinks.ts';

const SECRET = 'sinks-secret-value';
const redactor = new Redactor();
redactor.add('S', SECRET);

describe('redacting sinks', () => {
  it('redacts every argument of a sink', () => {
    const seen: unknown[] = [];
    redacting((a: string, b: { m: string }) => seen.push(a, b), redactor)(`x ${SECRET}`, { m: btoa(SECRET) });
    expect(JSON.stringify(seen)).not.toMatch(/sinks-secret-value|c2lua3Mtc2VjcmV0LXZhbHVl/);
    expect(seen[0]).toBe('x [REDACTED:S]');
  });

  it('redacts keys and values written to a Store, through put and batch', async () => {
    const raw = new MemoryStore();
    const store = redactingStore(raw, redactor);
    await store.put(`k/${SECRET}`, new TextEncoder().encode(SECRET));
    await store.batch([{ type: 'put', key: 'b', value: new TextEncoder().encode(`"${SECRET}"`) }]);
    const keys = (await raw.list()).keys.map((k) => k.key);
    expect(keys).toEqual(['b', 'k/[REDACTED:S]']);
    expect(new TextDecoder().decode((await raw.get('b'))!.value)).toBe('"[REDACTED:S]"');
  });
});
