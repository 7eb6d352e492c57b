import { describe, expect, it } from 'vitest';
import { builtInDetector, detects, luhn, redactText } from './detectors.ts';

describe('data detectors', () => {
  it('checks card numbers with Luhn', () => {
    expect(luhn('4111111111111111')).toBe(true);
    expect(luhn('5500-0000-0000-0004')).toBe(true);
    expect(luhn('4111111111111112')).toBe(false);
    expect(luhn('12345')).toBe(false);
  });

  it('finds API keys of common shapes but not ordinary words', () => {
    const keys = builtInDetector('api-key');
    for (const key of ['AKIAIOSFODNN7EXAMPLE', 'ghp_' + 'a'.repeat(36), 'sk_live_' + 'b'.repeat(24), 'xoxb-1234567890-abc', 'AIza' + 'c'.repeat(35)]) {
      expect(detects(keys, `token=${key};`), key).toBe(true);
    }
    expect(detects(keys, 'skeleton key risk-assessment')).toBe(false);
  });

  it('redacts each e-mail address and keeps the surrounding text', () => {
    expect(redactText(builtInDetector('email'), 'to a.b@c.org and x@y.co.uk.')).toBe('to [REDACTED:email] and [REDACTED:email].');
  });
});
