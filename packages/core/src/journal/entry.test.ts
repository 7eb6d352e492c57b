import { describe, expect, it } from 'vitest';
import { encodeValue } from './codec.ts';
import { encodeEntry, entryText, idempotencyKey, type JournalEntry } from './entry.ts';

const started = (): JournalEntry => ({
  seq: 7, interface: 'agentos:runtime/http', function: 'fetch', args: encodeValue([{ url: 'https://x/"q"', body: new Uint8Array([1, 2]), n: 5n }]),
  state: 'started', fuelAtCall: '123456789012345678901', startedAt: 1_700_000_000_123, effect: 'external', idempotencyKey: idempotencyKey('a', 7),
});

describe('journal entry text', () => {
  it('describes the same object as JSON.stringify, started and then completed', () => {
    const entry = started();
    expect(JSON.parse(entryText(entry))).toEqual(JSON.parse(JSON.stringify(entry)));
    // Completing changes the state and adds the outcome: the reused head must not hide them.
    entry.state = 'completed';
    entry.endedAt = 1_700_000_000_456;
    entry.result = encodeValue({ status: 201, body: new Uint8Array([9]) });
    const text = entryText(entry);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(entry)));
    expect(new TextDecoder().decode(encodeEntry(entry))).toBe(text);
  });

  it('writes errors, null results, reads without keys and strings that need escaping', () => {
    const failed: JournalEntry = { ...started(), state: 'completed', endedAt: 5, error: { code: 'internal', message: 'line\nbreak "quoted" \u2028 é' } };
    expect(JSON.parse(entryText(failed))).toEqual(JSON.parse(JSON.stringify(failed)));
    const read: JournalEntry = { seq: 0, interface: 'i\\"', function: 'f', args: [], state: 'completed', result: null, fuelAtCall: '0', startedAt: 0, endedAt: 0, effect: 'read' };
    expect(JSON.parse(entryText(read))).toEqual(read);
    expect(entryText(read)).toContain('"result":null');
  });

  it('writes the same text as JSON.stringify for an entry loaded from the store', () => {
    const loaded = JSON.parse(JSON.stringify({ ...started(), state: 'completed', endedAt: 9, result: { $bigint: '5' } })) as JournalEntry;
    expect(entryText(loaded)).toBe(JSON.stringify(loaded));
  });

  it('derives idempotency keys as the first 32 hex digits of SHA-256("<agentId>:<seq>"), long ids too', async () => {
    for (const [agentId, seq] of [['a1', 7], ['agent-é-\u{1f600}', 123456789], ['x'.repeat(300), 0]] as const) {
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${agentId}:${seq}`)));
      const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
      expect(idempotencyKey(agentId, seq)).toBe(hex.slice(0, 32));
    }
  });
});
