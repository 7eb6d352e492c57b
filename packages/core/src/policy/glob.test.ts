import { describe, expect, it } from 'vitest';
import { compileGlob, compileGlobs } from './glob.ts';

describe('glob patterns', () => {
  it('matches literally without a star and treats regex characters as text', () => {
    expect(compileGlob('web.fetch')('web.fetch')).toBe(true);
    expect(compileGlob('web.fetch')('webXfetch')).toBe(false);
    expect(compileGlob('a+b*')('a+bc')).toBe(true);
    expect(compileGlob('a+b*')('aab')).toBe(false);
  });

  it('lets a star match any run of characters, dots included', () => {
    expect(compileGlob('web.*')('web.search.news')).toBe(true);
    expect(compileGlob('*.read')('fs.read')).toBe(true);
    expect(compileGlob('*.read')('fs.write')).toBe(false);
    expect(compileGlob('a*c*e')('abcde')).toBe(true);
  });

  it('matches everything when no patterns are given', () => {
    expect(compileGlobs(undefined)('anything')).toBe(true);
    expect(compileGlobs(['x', 'y*'])('yes')).toBe(true);
    expect(compileGlobs(['x', 'y*'])('no')).toBe(false);
  });
});
