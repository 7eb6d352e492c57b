/**
 * Wildcard patterns for tenants, agent types and capability ids: `*` matches
 * any run of characters (dots included), everything else is literal.
 * `web.*` matches `web.fetch` and `web.search.news`; `*` matches everything.
 */

export type Matcher = (value: string) => boolean;

const ANY: Matcher = () => true;

/** Compiles one pattern into a matcher (exact compare when it has no `*`). */
export function compileGlob(pattern: string): Matcher {
  if (pattern === '*') return ANY;
  if (!pattern.includes('*')) return (value) => value === pattern;
  const parts = pattern.split('*');
  if (parts.length === 2 && parts[1] === '') {
    const prefix = parts[0];
    return (value) => value.startsWith(prefix);
  }
  const regex = new RegExp('^' + parts.map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 's');
  return (value) => regex.test(value);
}

/** A matcher for "any of these patterns"; `undefined` patterns match everything. */
export function compileGlobs(patterns: readonly string[] | undefined): Matcher {
  if (patterns === undefined || patterns.includes('*')) return ANY;
  const matchers = patterns.map(compileGlob);
  if (matchers.length === 1) return matchers[0];
  return (value) => matchers.some((m) => m(value));
}

/** True when the pattern has no wildcard, i.e. it names exactly one value. */
export function isExact(pattern: string): boolean {
  return !pattern.includes('*');
}
