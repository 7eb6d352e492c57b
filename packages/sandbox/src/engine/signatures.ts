/**
 * The exported functions of a component and their parameter types, read from
 * the TypeScript declarations jco emits for the world (`component.d.ts` and
 * `interfaces/*.d.ts`). jco derives those from the component's WIT types, so
 * they are an exact, machine-written description: `bigint` for s64/u64,
 * `Uint8Array` for list<u8>, and so on. The CLI uses them to check arity and to
 * convert JSON arguments; the engine uses the names to mark exports async.
 */

export interface ExportedFunction {
  /** The export path as a user writes it: `iface#func` or `func` (WIT, kebab-case). */
  path: string;
  /** The exported interface (e.g. `docs:adder/add@0.1.0`), or undefined for a world-level function. */
  interface: string | undefined;
  /** WIT name (kebab-case). */
  name: string;
  /** Property name in jco's exports object (camelCase). */
  jsName: string;
  params: { name: string; type: string }[];
  result: string;
}

const MODULE_COMMENT = /\/\*\* @module Interface (\S+) \*\*\//;
const INTERFACE_MEMBER = /^\s*(?:'([^']+)'|([\w$]+)): typeof (\w+),\s*$/;
const FUNCTION_MEMBER = /^\s*([\w$]+)\((.*)\): (.*),\s*$/;
const EXPORT_FUNCTION = /^export function ([\w$]+)\((.*)\): (.*);\s*$/;
const TYPE_IMPORT = /^import type \* as (\w+) from '\.\/(interfaces\/[^']+)\.js';/;

/** camelCase (jco's JS names) → kebab-case (WIT names). */
export function toKebab(jsName: string): string {
  return jsName.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** kebab-case → camelCase, as jco names functions. */
export function toCamel(witName: string): string {
  return witName.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** Lists every exported function described by jco's typings. */
export function exportedFunctions(typings: Map<string, string>): ExportedFunction[] {
  const root = typings.get('component.d.ts');
  if (root === undefined) return [];
  const aliasFile = new Map<string, string>();
  for (const line of root.split('\n')) {
    const m = TYPE_IMPORT.exec(line);
    if (m) aliasFile.set(m[1], `${m[2]}.d.ts`);
  }
  const rootBody = section(root, 'export interface Root {');
  const out: ExportedFunction[] = [];
  const seen = new Set<string>();
  for (const line of rootBody) {
    const fn = FUNCTION_MEMBER.exec(line);
    if (fn) {
      const name = toKebab(fn[1]);
      out.push({ path: name, interface: undefined, name, jsName: fn[1], params: splitParams(fn[2]), result: fn[3] });
      continue;
    }
    const iface = INTERFACE_MEMBER.exec(line);
    if (!iface) continue;
    const file = aliasFile.get(iface[3]);
    const source = file === undefined ? undefined : typings.get(file);
    if (source === undefined) continue;
    // jco lists an interface under its full name and again under its short name; keep the full one.
    const fullName = MODULE_COMMENT.exec(source)?.[1] ?? iface[1] ?? iface[2];
    if (seen.has(fullName)) continue;
    seen.add(fullName);
    for (const l of source.split('\n')) {
      const f = EXPORT_FUNCTION.exec(l);
      if (!f) continue;
      const name = toKebab(f[1]);
      out.push({ path: `${fullName}#${name}`, interface: fullName, name, jsName: f[1], params: splitParams(f[2]), result: f[3] });
    }
  }
  return out;
}

/** Lines between `header` and the closing brace at the start of a line. */
function section(source: string, header: string): string[] {
  const start = source.indexOf(header);
  if (start < 0) return [];
  const end = source.indexOf('\n}', start);
  return source.slice(start + header.length, end < 0 ? undefined : end).split('\n');
}

/** Splits `a: T, b: Array<[X, Y]>` at top-level commas. */
function splitParams(text: string): { name: string; type: string }[] {
  const params: { name: string; type: string }[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if ('<([{'.includes(ch)) depth++;
    if ('>)]}'.includes(ch)) depth--;
    if (ch === ',' && depth === 0) {
      push(current);
      current = '';
    } else current += ch;
  }
  push(current);
  return params;

  function push(part: string): void {
    const trimmed = part.trim();
    if (!trimmed) return;
    const colon = trimmed.indexOf(':');
    params.push({ name: trimmed.slice(0, colon).trim(), type: trimmed.slice(colon + 1).trim() });
  }
}
