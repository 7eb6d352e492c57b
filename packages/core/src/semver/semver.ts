/**
 * Semantic versions (SemVer 2.0.0) and the npm range language the registry
 * resolves against: `^ ~ = < <= > >=`, x-ranges (`1.x`, `1.2.*`, `*`, `1`),
 * hyphen ranges (`1.2 - 2.3.4`), space-separated intersections and `||`.
 *
 * Semantics follow node-semver (the reference users know) without its loose
 * mode: a prerelease version satisfies a range only when some comparator of
 * the same `||` branch names a prerelease of the same major.minor.patch, so
 * `^1.2.0` never picks up `1.3.0-beta` by surprise. Our own small
 * implementation keeps `@agentos/core` free of dependencies; the table in
 * semver.test.ts pins its behaviour.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  /** Dot-separated prerelease identifiers; numeric ones as numbers. Empty for a release. */
  prerelease: readonly (string | number)[];
  /** Build metadata identifiers: kept, but ignored by precedence. */
  build: readonly string[];
  /** The text it was parsed from. */
  raw: string;
}

const NUM = '0|[1-9]\\d*';
const PRE_ID = `(?:${NUM}|\\d*[a-zA-Z-][0-9a-zA-Z-]*)`;
const BUILD_ID = '[0-9a-zA-Z-]+';
const VERSION = new RegExp(`^(${NUM})\\.(${NUM})\\.(${NUM})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))?$`);

/** The parsed version, or undefined when `text` is not strict SemVer 2.0.0 (no `v`, no spaces). */
export function tryParseVersion(text: string): SemVer | undefined {
  const m = typeof text === 'string' && text.length <= 256 ? VERSION.exec(text) : null;
  if (!m) return undefined;
  const [major, minor, patch] = [m[1], m[2], m[3]].map(Number);
  if (![major, minor, patch].every(Number.isSafeInteger)) return undefined;
  const prerelease = m[4] === undefined ? [] : m[4].split('.').map((id) => (/^\d+$/.test(id) ? Number(id) : id));
  if (prerelease.some((id) => typeof id === 'number' && !Number.isSafeInteger(id))) return undefined;
  return { major, minor, patch, prerelease, build: m[5] === undefined ? [] : m[5].split('.'), raw: text };
}

/**
 * Parses a strict SemVer 2.0.0 version such as `1.2.3`, `1.0.0-rc.1+build.5`.
 * @throws {AgentOsError} 'invalid-argument' otherwise.
 */
export function parseVersion(text: string): SemVer {
  const version = tryParseVersion(text);
  if (!version) throw new AgentOsError('invalid-argument', `'${String(text)}' is not a semantic version (like 1.2.3 or 1.0.0-rc.1).`, { details: { version: String(text) } });
  return version;
}

/** Precedence order (SemVer §11): negative when a < b, 0 when equal (build metadata ignored). */
export function compareVersions(a: SemVer, b: SemVer): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || comparePrerelease(a.prerelease, b.prerelease);
}

function comparePrerelease(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  if (a.length === 0 || b.length === 0) return b.length - a.length; // a release ranks above its prereleases
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    if (typeof x === 'number') return -1; // numeric identifiers rank below alphanumeric ones
    if (typeof y === 'number') return 1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

type Op = '<' | '<=' | '>' | '>=' | '=';

interface Comparator {
  op: Op;
  version: SemVer;
}

/** A parsed range: a union (`||`) of intersections of comparators. An empty intersection matches every release. */
export interface Range {
  raw: string;
  sets: readonly (readonly Comparator[])[];
}

/** A partial version as ranges write it: missing or wildcard parts are undefined. */
interface Partial {
  major?: number;
  minor?: number;
  patch?: number;
  prerelease: readonly (string | number)[];
}

const XR = `(?:${NUM}|[xX*])`;
const PARTIAL = new RegExp(`^v?(${XR})(?:\\.(${XR})(?:\\.(${XR})(?:-(${PRE_ID}(?:\\.${PRE_ID})*))?(?:\\+${BUILD_ID}(?:\\.${BUILD_ID})*)?)?)?$`);

/**
 * Parses an npm-style range: `^1.2.3`, `~1.2`, `>=1.0.0 <2.0.0`, `1.x || >=3.1.0-beta`, `1.2 - 2`, `*`.
 * @throws {AgentOsError} 'invalid-argument' when the range does not parse.
 */
export function parseRange(text: string): Range {
  if (typeof text !== 'string' || text.length > 1024) throw badRange(String(text));
  const sets = text.split('||').map((branch) => parseBranch(branch.trim(), text));
  return { raw: text, sets };
}

function parseBranch(branch: string, whole: string): Comparator[] {
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(branch);
  if (hyphen) return [...lowerBound(partial(hyphen[1], whole)), ...hyphenUpper(partial(hyphen[2], whole))];
  // Allow a space between an operator and its version (`>= 1.2.3`).
  const tokens = branch.replace(/(<=|>=|<|>|=|\^|~)\s+/g, '$1').split(/\s+/).filter((t) => t !== '');
  return tokens.flatMap((token) => parseComparator(token, whole));
}

function parseComparator(token: string, whole: string): Comparator[] {
  const m = /^(<=|>=|<|>|=|\^|~>?)?(.*)$/.exec(token)!;
  const op = m[1] ?? '';
  const p = partial(m[2], whole);
  switch (op) {
    case '^':
      return caret(p);
    case '~':
    case '~>':
      return tilde(p);
    case '':
    case '=':
      return xRange(p);
    default:
      return primitive(op as Op, p);
  }
}

function partial(text: string, whole: string): Partial {
  const m = PARTIAL.exec(text);
  if (!m) throw badRange(whole);
  const part = (s: string | undefined): number | undefined => {
    if (s === undefined || /^[xX*]$/.test(s)) return undefined;
    const n = Number(s);
    if (!Number.isSafeInteger(n)) throw badRange(whole);
    return n;
  };
  const major = part(m[1]);
  const minor = part(m[2]);
  const patch = part(m[3]);
  // A number after a wildcard (`1.x.3`) is refused, as node-semver does; wildcards after one are fine.
  if ((major === undefined && (minor !== undefined || patch !== undefined)) || (minor === undefined && patch !== undefined)) throw badRange(whole);
  const prerelease = m[4] === undefined || patch === undefined ? [] : m[4].split('.').map((id) => (/^\d+$/.test(id) ? Number(id) : id));
  return { major, minor, patch, prerelease };
}

function v(major: number, minor: number, patch: number, prerelease: readonly (string | number)[] = []): SemVer {
  const pre = prerelease.length ? `-${prerelease.join('.')}` : '';
  return { major, minor, patch, prerelease, build: [], raw: `${major}.${minor}.${patch}${pre}` };
}

/** The smallest version above every release of `major.minor.patch` prefix: X.Y.Z-0. */
const floor = (major: number, minor: number, patch: number): SemVer => v(major, minor, patch, [0]);

function lowerBound(p: Partial): Comparator[] {
  if (p.major === undefined) return [];
  return [{ op: '>=', version: v(p.major, p.minor ?? 0, p.patch ?? 0, p.prerelease) }];
}

function hyphenUpper(p: Partial): Comparator[] {
  if (p.major === undefined) return [];
  if (p.minor === undefined) return [{ op: '<', version: floor(p.major + 1, 0, 0) }];
  if (p.patch === undefined) return [{ op: '<', version: floor(p.major, p.minor + 1, 0) }];
  return [{ op: '<=', version: v(p.major, p.minor, p.patch, p.prerelease) }];
}

function xRange(p: Partial): Comparator[] {
  if (p.major === undefined) return [];
  if (p.minor === undefined) return [{ op: '>=', version: v(p.major, 0, 0) }, { op: '<', version: floor(p.major + 1, 0, 0) }];
  if (p.patch === undefined) return [{ op: '>=', version: v(p.major, p.minor, 0) }, { op: '<', version: floor(p.major, p.minor + 1, 0) }];
  return [{ op: '=', version: v(p.major, p.minor, p.patch, p.prerelease) }];
}

function tilde(p: Partial): Comparator[] {
  if (p.major === undefined) return [];
  if (p.minor === undefined) return xRange(p);
  return [...lowerBound(p), { op: '<', version: floor(p.major, p.minor + 1, 0) }];
}

function caret(p: Partial): Comparator[] {
  if (p.major === undefined) return [];
  if (p.minor === undefined) return xRange(p);
  // The first non-zero part is the one a compatible release may not change.
  let upper: SemVer;
  if (p.major > 0) upper = floor(p.major + 1, 0, 0);
  else if (p.minor > 0 || p.patch === undefined) upper = floor(0, p.minor + 1, 0);
  else upper = floor(0, 0, p.patch + 1);
  return [...lowerBound(p), { op: '<', version: upper }];
}

function primitive(op: Op, p: Partial): Comparator[] {
  if (p.major === undefined) {
    // `>=*` and `<=*` match everything; `<*` and `>*` match nothing.
    return op === '>=' || op === '<=' ? [] : [{ op: '<', version: floor(0, 0, 0) }];
  }
  if (p.minor !== undefined && p.patch !== undefined) return [{ op, version: v(p.major, p.minor, p.patch, p.prerelease) }];
  const next = p.minor === undefined ? floor(p.major + 1, 0, 0) : floor(p.major, p.minor + 1, 0);
  switch (op) {
    case '>': // above every release the partial covers
      return [{ op: '>=', version: v(next.major, next.minor, next.patch) }];
    case '>=':
      return lowerBound(p);
    case '<':
      return [{ op: '<', version: floor(p.major, p.minor ?? 0, 0) }];
    default: // '<='
      return [{ op: '<', version: next }];
  }
}

function badRange(text: string): AgentOsError {
  return new AgentOsError('invalid-argument', `'${text.slice(0, 100)}' is not a version range (try ^1.2.0, ~1.2, >=1.0.0 <2.0.0, 1.x or *).`, { details: { range: text.slice(0, 100) } });
}

function test(c: Comparator, version: SemVer): boolean {
  const order = compareVersions(version, c.version);
  switch (c.op) {
    case '<': return order < 0;
    case '<=': return order <= 0;
    case '>': return order > 0;
    case '>=': return order >= 0;
    default: return order === 0;
  }
}

/** True when `version` lies in `range` (see the module comment for prereleases). */
export function satisfies(version: SemVer, range: Range): boolean {
  return range.sets.some((set) => {
    if (!set.every((c) => test(c, version))) return false;
    if (version.prerelease.length === 0) return true;
    return set.some((c) => c.version.prerelease.length > 0 && c.version.major === version.major &&
      c.version.minor === version.minor && c.version.patch === version.patch);
  });
}

/** The highest of `versions` in `range`, or undefined. */
export function maxSatisfying<T extends SemVer>(versions: Iterable<T>, range: Range): T | undefined {
  let best: T | undefined;
  for (const version of versions) {
    if (satisfies(version, range) && (best === undefined || compareVersions(version, best) > 0)) best = version;
  }
  return best;
}
