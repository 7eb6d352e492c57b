import { describe, expect, it } from 'vitest';
import { compileSchema } from './json-schema.ts';

const fetchSchema = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: {
    url: { type: 'string', pattern: '^https://', maxLength: 2048 },
    method: { enum: ['GET', 'POST'] },
    retries: { type: 'integer', minimum: 0, maximum: 5 },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    tags: { type: 'array', items: { type: 'string', minLength: 1 }, maxItems: 3 },
    timeout: { type: ['number', 'null'], exclusiveMinimum: 0 },
  },
};

describe('input schema subset', () => {
  const validate = compileSchema(fetchSchema);

  it('accepts a value that satisfies every keyword', () => {
    expect(validate({ url: 'https://x.test', method: 'GET', retries: 2, headers: { a: 'b' }, tags: ['t'], timeout: null })).toEqual([]);
  });

  it('reports each violation with its JSON Pointer', () => {
    const errors = validate({ url: 'http://x', method: 'PUT', retries: 1.5, headers: { a: 1 }, tags: ['', 'b', 'c', 'd'], timeout: 0, extra: 1 });
    expect(errors.map((e) => e.path).sort()).toEqual(
      ['/extra', '/headers/a', '/method', '/retries', '/tags', '/tags/0', '/timeout', '/url'].sort(),
    );
    expect(validate({})).toEqual([{ path: '', message: 'is missing the required property "url"' }]);
    expect(validate('nope')[0].message).toBe('expected object, got string');
  });

  it('counts string length in code points and compares enum/const by value', () => {
    expect(compileSchema({ maxLength: 1 })('😀')).toEqual([]);
    expect(compileSchema({ const: { a: 1, b: 2 } })({ b: 2, a: 1 })).toEqual([]);
    expect(compileSchema({ enum: [[1, 2]] })([2, 1])).toHaveLength(1);
  });

  it('refuses keywords outside the subset instead of ignoring them', () => {
    expect(() => compileSchema({ type: 'object', properties: { a: { oneOf: [] } } })).toThrow(
      expect.objectContaining({ code: 'invalid-argument', details: expect.objectContaining({ path: '/properties/a/oneOf' }) }),
    );
    expect(() => compileSchema({ type: 'text' })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => compileSchema({ pattern: '(' })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });
});
