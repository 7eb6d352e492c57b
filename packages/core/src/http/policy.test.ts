import { describe, expect, it } from 'vitest';
import { checkAllowed, hostMatches, parseEgressPolicy } from './policy.ts';

const policy = parseEgressPolicy({
  allow: [
    { host: 'api.example.com', methods: ['get', 'post'] },
    { host: '*.cdn.example.com', schemes: ['https', 'http'], ports: [443, 8443] },
  ],
});
const reason = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    return (error as { details?: { reason?: string } }).details?.reason;
  }
  return 'allowed';
};

describe('egress allowlist', () => {
  it('matches exact hosts and subdomain wildcards only', () => {
    expect([hostMatches('*.example.com', 'a.b.example.com'), hostMatches('*.example.com', 'example.com'), hostMatches('*.example.com', 'badexample.com')]).toEqual([true, false, false]);
  });

  it('allows what a rule names and says why it refuses the rest', () => {
    const at = (host: string, method = 'get', scheme = 'https', port = 443) =>
      reason(() => checkAllowed(policy, { host, method: method as 'get', scheme: scheme as 'https', port }));
    expect(at('api.example.com', 'post')).toBe('allowed');
    expect(at('img.cdn.example.com', 'get', 'http', 8443)).toBe('allowed');
    expect(at('evil.example.com')).toBe('host-not-allowed');
    expect(at('api.example.com', 'get', 'http', 80)).toBe('scheme-not-allowed');
    expect(at('api.example.com', 'get', 'https', 8443)).toBe('port-not-allowed');
    expect(at('api.example.com', 'delete')).toBe('method-not-allowed');
    expect(at('img.cdn.example.com', 'post')).toBe('method-not-allowed');
  });

  it('refuses an invalid policy with every problem listed', () => {
    expect(() => parseEgressPolicy({ allow: [{ host: 'Bad Host' }], maxRedirects: -1 })).toThrowError(
      expect.objectContaining({ code: 'invalid-policy', details: { problems: [expect.stringContaining('/allow/0/host'), expect.stringContaining('/maxRedirects')] } }),
    );
  });
});
