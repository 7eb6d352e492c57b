/**
 * A small JSON Schema validator for capability inputs, compiled once when a
 * capability is registered.
 *
 * Supported subset (draft 2020-12 meaning):
 *   type (string or array of: string, number, integer, boolean, object, array, null),
 *   enum, const,
 *   string: minLength, maxLength, pattern (ECMAScript regex, unanchored as in the spec),
 *   number: minimum, maximum, exclusiveMinimum, exclusiveMaximum,
 *   object: properties, required, additionalProperties (boolean or schema),
 *   array: items (one schema), minItems, maxItems,
 *   annotations ignored: title, description, default, examples, $schema, $id, $comment.
 * Any other keyword is refused at compile time rather than silently ignored,
 * so a schema never looks stricter than it is. Lengths count code points.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

export interface SchemaError {
  /** JSON Pointer into the validated value. */
  path: string;
  message: string;
}

/** Returns the problems found (empty when valid). */
export type Validator = (value: unknown) => SchemaError[];

const TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'] as const;
type JsonType = (typeof TYPES)[number];
const ANNOTATIONS = new Set(['title', 'description', 'default', 'examples', '$schema', '$id', '$comment']);
const KEYWORDS = new Set([
  'type', 'enum', 'const', 'minLength', 'maxLength', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum',
  'exclusiveMaximum', 'properties', 'required', 'additionalProperties', 'items', 'minItems', 'maxItems',
]);

type Check = (value: unknown, path: string, errors: SchemaError[]) => void;

/**
 * Compiles a schema of the supported subset.
 * @throws {AgentOsError} 'invalid-argument' naming the schema location of an
 *   unsupported keyword or a malformed value (bad type name, bad regex, …).
 */
export function compileSchema(schema: unknown): Validator {
  const check = compile(schema, '');
  return (value) => {
    const errors: SchemaError[] = [];
    check(value, '', errors);
    return errors;
  };
}

function compile(schema: unknown, at: string): Check {
  if (schema === true || (typeof schema === 'object' && schema !== null && Object.keys(schema).length === 0)) return () => {};
  if (schema === false) return (_v, path, errors) => void errors.push({ path, message: 'no value is allowed here' });
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) bad(at, 'a schema must be an object or a boolean');
  const s = schema as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (!KEYWORDS.has(key) && !ANNOTATIONS.has(key)) bad(`${at}/${key}`, `the keyword "${key}" is not supported (see capabilities/json-schema.ts)`);
  }
  const checks: Check[] = [];

  if (s.type !== undefined) {
    const types = (Array.isArray(s.type) ? s.type : [s.type]) as unknown[];
    if (types.length === 0 || !types.every((t): t is JsonType => (TYPES as readonly unknown[]).includes(t))) bad(`${at}/type`, 'unknown type');
    const allowed = types as JsonType[];
    checks.push((v, path, errors) => {
      if (!allowed.some((t) => hasType(v, t))) errors.push({ path, message: `expected ${allowed.join(' or ')}, got ${typeOf(v)}` });
    });
  }
  if (s.enum !== undefined) {
    if (!Array.isArray(s.enum)) bad(`${at}/enum`, 'enum must be an array');
    const options = s.enum.map(stableJson);
    checks.push((v, path, errors) => {
      if (!options.includes(stableJson(v))) errors.push({ path, message: `must be one of ${options.join(', ')}` });
    });
  }
  if ('const' in s) {
    const expected = stableJson(s.const);
    checks.push((v, path, errors) => {
      if (stableJson(v) !== expected) errors.push({ path, message: `must be ${expected}` });
    });
  }
  const minLength = count(s, 'minLength', at);
  const maxLength = count(s, 'maxLength', at);
  let pattern: RegExp | undefined;
  if (s.pattern !== undefined) {
    try {
      pattern = new RegExp(s.pattern as string, 'u');
    } catch {
      bad(`${at}/pattern`, 'not a valid regular expression');
    }
  }
  if (minLength !== undefined || maxLength !== undefined || pattern) {
    checks.push((v, path, errors) => {
      if (typeof v !== 'string') return;
      const length = minLength !== undefined || maxLength !== undefined ? [...v].length : 0;
      if (minLength !== undefined && length < minLength) errors.push({ path, message: `must be at least ${minLength} characters` });
      if (maxLength !== undefined && length > maxLength) errors.push({ path, message: `must be at most ${maxLength} characters` });
      if (pattern && !pattern.test(v)) errors.push({ path, message: `must match ${pattern.source}` });
    });
  }
  const bounds = (['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'] as const).map((k) => [k, number(s, k, at)] as const);
  if (bounds.some(([, b]) => b !== undefined)) {
    checks.push((v, path, errors) => {
      if (typeof v !== 'number') return;
      for (const [k, b] of bounds) {
        if (b === undefined) continue;
        const ok = k === 'minimum' ? v >= b : k === 'maximum' ? v <= b : k === 'exclusiveMinimum' ? v > b : v < b;
        if (!ok) errors.push({ path, message: `must be ${{ minimum: '>=', maximum: '<=', exclusiveMinimum: '>', exclusiveMaximum: '<' }[k]} ${b}` });
      }
    });
  }
  if (s.properties !== undefined || s.required !== undefined || s.additionalProperties !== undefined) {
    checks.push(compileObject(s, at));
  }
  if (s.items !== undefined || s.minItems !== undefined || s.maxItems !== undefined) {
    const items = s.items === undefined ? undefined : compile(s.items, `${at}/items`);
    const minItems = count(s, 'minItems', at);
    const maxItems = count(s, 'maxItems', at);
    checks.push((v, path, errors) => {
      if (!Array.isArray(v)) return;
      if (minItems !== undefined && v.length < minItems) errors.push({ path, message: `must have at least ${minItems} items` });
      if (maxItems !== undefined && v.length > maxItems) errors.push({ path, message: `must have at most ${maxItems} items` });
      if (items) v.forEach((item, i) => items(item, `${path}/${i}`, errors));
    });
  }
  return (value, path, errors) => {
    for (const c of checks) c(value, path, errors);
  };
}

function compileObject(s: Record<string, unknown>, at: string): Check {
  const props = s.properties ?? {};
  if (typeof props !== 'object' || props === null || Array.isArray(props)) bad(`${at}/properties`, 'properties must be an object');
  const properties = new Map(Object.entries(props).map(([k, sub]) => [k, compile(sub, `${at}/properties/${escape(k)}`)]));
  const required = s.required ?? [];
  if (!Array.isArray(required) || !required.every((r) => typeof r === 'string')) bad(`${at}/required`, 'required must be an array of strings');
  const additional = s.additionalProperties === undefined ? undefined : compile(s.additionalProperties, `${at}/additionalProperties`);
  return (v, path, errors) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return;
    for (const name of required as string[]) {
      if (!Object.hasOwn(v, name)) errors.push({ path, message: `is missing the required property "${name}"` });
    }
    for (const [key, value] of Object.entries(v)) {
      const sub = properties.get(key) ?? additional;
      sub?.(value, `${path}/${escape(key)}`, errors);
    }
  };
}

function hasType(v: unknown, t: JsonType): boolean {
  switch (t) {
    case 'string': return typeof v === 'string';
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'integer': return Number.isInteger(v);
    case 'boolean': return typeof v === 'boolean';
    case 'null': return v === null;
    case 'array': return Array.isArray(v);
    case 'object': return typeof v === 'object' && v !== null && !Array.isArray(v);
  }
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** JSON with sorted keys, so enum/const compare by value, not key order. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

function count(s: Record<string, unknown>, key: string, at: string): number | undefined {
  const v = s[key];
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || (v as number) < 0) bad(`${at}/${key}`, `${key} must be a non-negative integer`);
  return v as number;
}

function number(s: Record<string, unknown>, key: string, at: string): number | undefined {
  const v = s[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) bad(`${at}/${key}`, `${key} must be a number`);
  return v;
}

function escape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function bad(path: string, message: string): never {
  throw new AgentOsError('invalid-argument', `Unsupported input schema at ${path || '/'}: ${message}.`, { details: { path, message } });
}
