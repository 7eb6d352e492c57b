/**
 * Finds sensitive data in a call's input (data rules): e-mail addresses,
 * payment card numbers (checked with Luhn so order ids do not trip it),
 * API-key shapes of common providers, and custom patterns from the policy.
 * Redaction replaces each match with `[REDACTED:<detector>]`, keeping the rest
 * of the string so the call still makes sense.
 */
import type { DataDetector } from './document.ts';

export interface Finding {
  /** JSON Pointer of the string in the input. */
  path: string;
  detector: string;
}

/** A compiled detector: finds matches in one string. */
export interface Detector {
  name: string;
  /** Global regex of candidates. */
  regex: RegExp;
  /** Extra check on a candidate (Luhn for cards). */
  accept?: (match: string) => boolean;
}

const BUILT_IN: Record<DataDetector, Detector> = {
  email: { name: 'email', regex: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g },
  'credit-card': { name: 'credit-card', regex: /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g, accept: luhn },
  'api-key': {
    name: 'api-key',
    regex:
      /\b(?:sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}|(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,}|xox[abprs]-[A-Za-z0-9-]{10,}|AIza[0-9A-Za-z_-]{35})\b/g,
  },
};

export function builtInDetector(name: DataDetector): Detector {
  return BUILT_IN[name];
}

export function customDetector(pattern: { name: string; regex: string; flags?: string }): Detector {
  return { name: pattern.name, regex: new RegExp(pattern.regex, (pattern.flags ?? '') + 'g') };
}

/** Luhn checksum over the digits of `text` (spaces and dashes ignored). */
export function luhn(text: string): boolean {
  let sum = 0;
  let double = false;
  let digits = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) continue;
    digits++;
    let d = c;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return digits >= 13 && digits <= 19 && sum % 10 === 0;
}

function matches(detector: Detector, text: string): RegExpExecArray[] {
  // exec on the shared regex (lastIndex reset first) rather than matchAll, which
  // clones the regex on every call; evaluation is synchronous, so no call interleaves.
  const regex = detector.regex;
  regex.lastIndex = 0;
  const found: RegExpExecArray[] = [];
  for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
    if (m[0] === '') regex.lastIndex++;
    else if (!detector.accept || detector.accept(m[0])) found.push(m);
  }
  return found;
}

/** True when `text` holds something `detector` finds. */
export function detects(detector: Detector, text: string): boolean {
  const regex = detector.regex;
  regex.lastIndex = 0;
  if (!detector.accept) {
    const hit = regex.test(text);
    regex.lastIndex = 0;
    return hit;
  }
  return matches(detector, text).length > 0;
}

/** `text` with every finding of `detector` replaced by `[REDACTED:<name>]`. */
export function redactText(detector: Detector, text: string): string {
  const found = matches(detector, text);
  if (found.length === 0) return text;
  let out = '';
  let last = 0;
  for (const m of found) {
    out += text.slice(last, m.index) + `[REDACTED:${detector.name}]`;
    last = m.index! + m[0].length;
  }
  return out + text.slice(last);
}

/** A compiled field path: dot segments, `*` for any key or index. */
export type FieldPath = readonly string[];

export function compileFieldPath(path: string): FieldPath {
  return path.split('.');
}

/**
 * Calls `visit` for every string in `input` reachable by `fields` (every
 * string when `fields` is undefined), with its JSON Pointer.
 */
export function eachString(
  input: unknown,
  fields: readonly FieldPath[] | undefined,
  visit: (text: string, pointer: string) => void,
): void {
  if (fields === undefined) return walkAll(input, '', visit);
  for (const field of fields) walkPath(input, field, 0, '', visit);
}

function walkAll(value: unknown, pointer: string, visit: (text: string, pointer: string) => void): void {
  if (typeof value === 'string') visit(value, pointer);
  else if (Array.isArray(value)) value.forEach((v, i) => walkAll(v, `${pointer}/${i}`, visit));
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) walkAll(v, `${pointer}/${escape(k)}`, visit);
  }
}

function walkPath(value: unknown, path: FieldPath, at: number, pointer: string, visit: (text: string, pointer: string) => void): void {
  if (at === path.length) return walkAll(value, pointer, visit);
  if (typeof value !== 'object' || value === null) return;
  const segment = path[at];
  if (segment === '*') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    for (const [k, v] of entries) walkPath(v, path, at + 1, `${pointer}/${escape(k)}`, visit);
  } else if (Object.hasOwn(value, segment)) {
    walkPath((value as Record<string, unknown>)[segment], path, at + 1, `${pointer}/${escape(segment)}`, visit);
  }
}

function escape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A deep copy of `input` with the string at each pointer passed through `change`. */
export function rewriteStrings(input: unknown, pointers: ReadonlySet<string>, change: (text: string, pointer: string) => string): unknown {
  const rewrite = (value: unknown, pointer: string): unknown => {
    if (typeof value === 'string') return pointers.has(pointer) ? change(value, pointer) : value;
    if (Array.isArray(value)) return value.map((v, i) => rewrite(v, `${pointer}/${i}`));
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = rewrite(v, `${pointer}/${escape(k)}`);
      return out;
    }
    return value;
  };
  return rewrite(input, '');
}
