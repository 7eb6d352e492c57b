import { describe, expect, it } from 'vitest';
import { compareVersions, maxSatisfying, parseRange, parseVersion, satisfies, tryParseVersion } from './semver.ts';

/** [range, version, satisfies?] — each row agrees with node-semver 7 (non-loose, no includePrerelease). */
const RANGE_TABLE: readonly (readonly [string, string, boolean])[] = [
  ['1.2.3', '1.2.3', true],
  ['1.2.3', '1.2.4', false],
  ['=1.2.3', '1.2.3', true],
  ['v1.2.3', '1.2.3', true],
  ['1.2.3', '1.2.3+build.7', true],
  ['^1.2.3', '1.2.3', true],
  ['^1.2.3', '1.9.9', true],
  ['^1.2.3', '2.0.0', false],
  ['^1.2.3', '1.2.2', false],
  ['^1.2.3', '2.0.0-alpha', false],
  ['^1.2.3', '1.3.0-beta', false],
  ['^1.2.3-beta.2', '1.2.3-beta.4', true],
  ['^1.2.3-beta.2', '1.2.3-beta.1', false],
  ['^1.2.3-beta.2', '1.2.4-beta.2', false],
  ['^1.2.3-beta.2', '1.5.0', true],
  ['^0.2.3', '0.2.9', true],
  ['^0.2.3', '0.3.0', false],
  ['^0.0.3', '0.0.3', true],
  ['^0.0.3', '0.0.4', false],
  ['^0.0', '0.0.9', true],
  ['^0.0', '0.1.0', false],
  ['^0.x', '0.9.0', true],
  ['^0.x', '1.0.0', false],
  ['^1.x', '1.9.0', true],
  ['^1.2.x', '1.2.0', true],
  ['^1.2.x', '1.9.0', true],
  ['^1.2.x', '2.0.0', false],
  ['^0.0.x', '0.0.7', true],
  ['^0.0.x', '0.1.0', false],
  ['^1', '1.99.0', true],
  ['^1', '2.0.0', false],
  ['~1.2.3', '1.2.9', true],
  ['~1.2.3', '1.3.0', false],
  ['~1.2.3', '1.2.2', false],
  ['~1.2', '1.2.0', true],
  ['~1.2', '1.3.0', false],
  ['~1', '1.9.9', true],
  ['~1', '2.0.0', false],
  ['~0.2.3', '0.2.5', true],
  ['~0.2.3', '0.3.0', false],
  ['~>1.2.3', '1.2.5', true],
  ['~1.2.3-beta.2', '1.2.3-beta.3', true],
  ['~1.2.3-beta.2', '1.2.4-beta.3', false],
  ['>=1.2.3', '1.2.3', true],
  ['>=1.2.3', '9.0.0', true],
  ['>=1.2.3', '1.2.2', false],
  ['>1.2.3', '1.2.3', false],
  ['>1.2.3', '1.2.4', true],
  ['<1.2.3', '1.2.2', true],
  ['<1.2.3', '1.2.3', false],
  ['<1.2.3', '1.2.3-beta', false],
  ['<=1.2.3', '1.2.3', true],
  ['>= 1.2.3', '1.2.3', true],
  ['>1.2', '1.2.9', false],
  ['>1.2', '1.3.0', true],
  ['>1', '1.9.9', false],
  ['>1', '2.0.0', true],
  ['>=1.2', '1.2.0', true],
  ['<1.2', '1.1.9', true],
  ['<1.2', '1.2.0', false],
  ['<=1.2', '1.2.9', true],
  ['<=1.2', '1.3.0', false],
  ['<=1', '1.9.9', true],
  ['<=1', '2.0.0', false],
  ['>=1.0.0 <2.0.0', '1.5.0', true],
  ['>=1.0.0 <2.0.0', '2.0.0', false],
  ['>=1.0.0 <2.0.0', '0.9.0', false],
  ['>1.0.0 <1.0.1', '1.0.0', false],
  ['1.x', '1.0.0', true],
  ['1.x', '1.9.3', true],
  ['1.x', '2.0.0', false],
  ['1.X', '1.4.0', true],
  ['1.2.*', '1.2.7', true],
  ['1.2.*', '1.3.0', false],
  ['1', '1.7.0', true],
  ['1', '2.0.0', false],
  ['1.2', '1.2.5', true],
  ['1.2', '1.3.0', false],
  ['*', '1.2.3', true],
  ['*', '0.0.0', true],
  ['*', '1.2.3-beta', false],
  ['x', '3.0.0', true],
  ['', '1.0.0', true],
  ['>=*', '0.1.0', true],
  ['<*', '0.1.0', false],
  ['>*', '1.0.0', false],
  ['1.2.3 - 2.3.4', '1.2.3', true],
  ['1.2.3 - 2.3.4', '2.3.4', true],
  ['1.2.3 - 2.3.4', '2.3.5', false],
  ['1.2 - 2.3.4', '1.2.0', true],
  ['1.2.3 - 2.3', '2.3.9', true],
  ['1.2.3 - 2.3', '2.4.0', false],
  ['1.2.3 - 2', '2.9.9', true],
  ['1.2.3 - 2', '3.0.0', false],
  ['1.x || >=2.5.0', '2.6.0', true],
  ['1.x || >=2.5.0', '2.4.0', false],
  ['1.x || >=2.5.0', '1.1.0', true],
  ['^1.0.0 || ^3.0.0', '3.1.0', true],
  ['^1.0.0 || ^3.0.0', '2.1.0', false],
  ['<1.0.0 || >=2.0.0-beta', '2.0.0-beta.1', true],
  ['<1.0.0 || >=2.0.0-beta', '2.0.0-alpha', false],
  ['>=1.0.0-rc.1', '1.0.0-rc.2', true],
  ['>=1.0.0-rc.1', '1.0.0-rc.10', true],
  ['>=1.0.0-rc.1', '1.0.1-rc.1', false],
  ['>=1.0.0-rc.1', '1.0.0', true],
  ['>=1.0.0-alpha', '1.0.0-alpha.1', true],
  ['>=1.0.0-alpha.beta', '1.0.0-alpha.1', false],
  ['>=1.0.0-1', '1.0.0-alpha', true],
  ['=1.2', '1.2.8', true],
];

describe('semver ranges', () => {
  it.each(RANGE_TABLE)('%s against %s is %s', (range, version, expected) => {
    expect(satisfies(parseVersion(version), parseRange(range))).toBe(expected);
  });

  it('refuses ranges that do not parse with invalid-argument', () => {
    for (const bad of ['^', 'abc', '1.2.3.4', '>=1.2.3 - 2', '01.2.3', '~>>1', '1.2.3-', '^1.2.3 ||| 2', '1.x.3', 'x.1']) {
      expect(() => parseRange(bad), bad).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    }
  });
});

describe('semver versions', () => {
  it('orders versions by SemVer 2.0.0 precedence', () => {
    // The example chain of SemVer §11, plus numeric (not lexical) comparison of parts.
    const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11',
      '1.0.0-rc.1', '1.0.0', '1.2.0', '1.10.0', '2.0.0', '10.0.0'];
    const shuffled = [...ordered].reverse().map(parseVersion);
    expect(shuffled.sort(compareVersions).map((v) => v.raw)).toEqual(ordered);
    expect(compareVersions(parseVersion('1.0.0+a'), parseVersion('1.0.0+b'))).toBe(0);
  });

  it('accepts only strict SemVer', () => {
    for (const good of ['0.0.0', '1.2.3-0', '1.2.3-alpha.0.x-y', '1.2.3+20130313144700', '1.0.0-rc.1+build.1']) {
      expect(tryParseVersion(good), good).toBeDefined();
    }
    for (const bad of ['1.2', 'v1.2.3', '01.2.3', '1.2.3-01', '1.2.3-', '1.2.3+', ' 1.2.3', '1.2.3 ', '9007199254740992.0.0', '1.2.3-a..b']) {
      expect(tryParseVersion(bad), bad).toBeUndefined();
    }
    expect(() => parseVersion('latest')).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });

  it('picks the highest satisfying version', () => {
    const versions = ['1.0.0', '1.4.2', '1.10.0', '2.0.0-rc.1', '2.0.0', '2.1.0'].map(parseVersion);
    expect(maxSatisfying(versions, parseRange('^1.0.0'))?.raw).toBe('1.10.0');
    expect(maxSatisfying(versions, parseRange('>=2.0.0-rc.1 <2.1.0'))?.raw).toBe('2.0.0');
    expect(maxSatisfying(versions, parseRange('~2.0.0-rc.1 <2.0.0'))?.raw).toBe('2.0.0-rc.1');
    expect(maxSatisfying(versions, parseRange('^3'))).toBeUndefined();
  });
});
