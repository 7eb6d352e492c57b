import { describe, expect, it } from 'vitest';
import { secretVariants } from './encodings.ts';
import { Redactor } from './redactor.ts';

const SECRET = 'tok_9f8e7d6c5b4a/+ é';
const hex = (s: string) => Array.from(new TextEncoder().encode(s), (b) => b.toString(16).padStart(2, '0')).join('');
const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s)));

function redactor(): Redactor {
  const r = new Redactor();
  r.add('API_KEY', SECRET);
  return r;
}

describe('Redactor', () => {
  it.each([
    ['raw', `key=${SECRET}.`],
    ['JSON-escaped', JSON.stringify({ k: SECRET })],
    ['URL component', `?k=${encodeURIComponent(SECRET)}&x=1`],
    ['URL, lower-case escapes', `?k=${encodeURIComponent(SECRET).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())}`],
    ['form-encoded', `k=${encodeURIComponent(SECRET).replace(/%20/g, '+')}`],
    ['hex', `0x${hex(SECRET)}`],
    ['HEX', hex(SECRET).toUpperCase()],
    ['base64 at offset 0', b64(SECRET)],
    ['base64 at offset 1', b64(`a${SECRET}zz`)],
    ['base64 at offset 2', `Basic ${b64(`u:${SECRET}`)}`],
    ['base64url', b64(`xy${SECRET}`).replace(/\+/g, '-').replace(/\//g, '_')],
  ])('removes the %s spelling from text and bytes', (_, leak) => {
    const r = redactor();
    const out = r.redact(leak);
    expect(out).toContain('[REDACTED:API_KEY]');
    expect(secretVariants(SECRET).some((v) => out.includes(v))).toBe(false);
    const bytes = r.redactBytes(new TextEncoder().encode(leak));
    expect(new TextDecoder().decode(bytes)).toBe(out);
  });

  it('leaves text without secrets untouched (same bytes array)', () => {
    const r = redactor();
    const bytes = new TextEncoder().encode('nothing to see');
    expect(r.redact('nothing to see')).toBe('nothing to see');
    expect(r.redactBytes(bytes)).toBe(bytes);
  });

  it('redacts deep values, keys and errors, keeping their code', () => {
    const error = Object.assign(new Error(`bad ${SECRET}`), { code: 'timeout', details: { header: SECRET } });
    const out = redactor().redactValue({ [SECRET]: [SECRET, { n: 1, e: error }], b: new TextEncoder().encode(SECRET) });
    const json = JSON.stringify(out, (_, v) => (v instanceof Uint8Array ? new TextDecoder().decode(v) : v));
    expect(json).not.toContain(SECRET);
    expect(json).toContain('"code":"timeout"');
    expect(json.match(/REDACTED:API_KEY/g)?.length).toBe(5);
  });

  it('keeps every other byte as it was, including bytes that are not UTF-8', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const secret = new TextEncoder().encode(SECRET);
    const input = new Uint8Array([...all, ...secret, ...all]);
    const out = redactor().redactBytes(input);
    const label = new TextEncoder().encode('[REDACTED:API_KEY]');
    expect(Array.from(out)).toEqual([...all, ...label, ...all]);
  });

  it('refuses values too short to redact', () => {
    expect(() => new Redactor().add('PIN', '1234')).toThrowError(expect.objectContaining({ code: 'invalid-argument' }));
  });

  it('keeps redacting a rotated value', () => {
    const r = redactor();
    r.add('API_KEY', 'the-new-value-123');
    expect(r.redact(`${SECRET} the-new-value-123`)).toBe('[REDACTED:API_KEY] [REDACTED:API_KEY]');
    expect(r.names).toEqual(['API_KEY']);
  });
});
