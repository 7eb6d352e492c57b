import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parsePolicyDocument } from './document.ts';
import { policyJsonSchemaText } from './schema-gen.ts';

describe('policy documents', () => {
  it('fills defaults of a minimal valid document', () => {
    const doc = parsePolicyDocument({ version: 1, id: 'p', rules: [{ id: 'w', kind: 'time-window', windows: [{ start: '09:00', end: '17:00' }] }] });
    expect(doc.defaultTimeZone).toBe('UTC');
    expect(doc.rules[0]).toMatchObject({ risks: ['high', 'critical'], windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] }] });
  });

  it('refuses an invalid document whole, with the path and reason of every problem', () => {
    let error: unknown;
    try {
      parsePolicyDocument({
        version: 1,
        id: 'p',
        defaultTimeZone: 'Mars/Olympus',
        rules: [
          { id: 'a', kind: 'capability', effect: 'allow' },
          { id: 'a', kind: 'capability', effect: 'deny' },
          { id: 'b', kind: 'capability', effect: 'perhaps' },
          { id: 'c', kind: 'data', action: 'deny', patterns: [{ name: 'x', regex: '(' }] },
          { id: 'd', kind: 'time-window', windows: [{ start: '9am', end: '17:00' }] },
          { id: 'e', kind: 'teleport' },
          { id: 'f', kind: 'capability', effect: 'allow', extra: true },
        ],
      });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'invalid-policy' });
    const issues = (error as { details: { issues: { path: string; message: string }[] } }).details.issues;
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['/defaultTimeZone', '/rules/1/id', '/rules/2/effect', '/rules/3/patterns/0/regex', '/rules/4/windows/0/start', '/rules/5/kind', '/rules/6']),
    );
    expect(issues.find((i) => i.path === '/rules/1/id')!.message).toContain('duplicate');
    expect(issues.every((i) => i.message.length > 0)).toBe(true);
  });

  it('refuses a data rule with nothing to detect', () => {
    expect(() => parsePolicyDocument({ version: 1, id: 'p', rules: [{ id: 'x', kind: 'data', action: 'deny' }] })).toThrow(
      expect.objectContaining({ details: { issues: [expect.objectContaining({ path: '/rules/0/detectors' })] } }),
    );
  });

  it('has an up-to-date published JSON Schema (regenerate with schema-gen.ts)', async () => {
    const published = await readFile(new URL('../../../../schemas/policy.schema.json', import.meta.url), 'utf8');
    expect(published).toBe(policyJsonSchemaText());
  });
});
