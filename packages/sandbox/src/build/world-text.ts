/**
 * Reads the world of a component from its WIT text (what `jco wit` /
 * `componentWit` prints): which interfaces and functions it imports and
 * exports. Only the world block is read; that is all `inspect` and the export
 * check of `build` need.
 */
import { AgentOsError } from '../errors/index.ts';

/** One function with its WIT signature (`func(input: string) -> string`). */
export interface WorldFunction {
  name: string;
  signature: string;
}

/** One import or export of a world. */
export interface WorldItem {
  /** `function` for a freestanding func, `interface` for a named or inline interface. */
  kind: 'function' | 'interface';
  /** `invoke`, or a qualified interface name (`agentos:runtime/log@0.1.0`). */
  name: string;
  /** For functions: the signature. */
  signature?: string;
  /** For inline interfaces: their functions (named interfaces are listed elsewhere). */
  functions?: WorldFunction[];
}

/** The parsed world. */
export interface WorldText {
  /** Name of the world (`root` for components printed by wasm-tools). */
  name: string;
  imports: WorldItem[];
  exports: WorldItem[];
}

/**
 * Parses the first `world` block of `wit`.
 * @throws AgentOsError 'invalid-component' when the text holds no world block.
 */
export function parseWorldText(wit: string): WorldText {
  const lines = wit.split('\n').map((line) => line.trim());
  const start = lines.findIndex((line) => /^world\s+[\w-]+\s*\{$/.test(line));
  if (start < 0) throw new AgentOsError('invalid-component', 'the WIT text has no world block');
  const world: WorldText = { name: lines[start].split(/\s+/)[1], imports: [], exports: [] };
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === '}') break;
    const match = /^(import|export)\s+(%?[^\s:;]+(?::[^\s;{]+)?)\s*(:?)\s*(.*)$/.exec(line);
    if (!match) continue; // `use`, blank lines, doc comments, type definitions
    const [, direction, rawName, colon, rest] = match;
    const list = direction === 'import' ? world.imports : world.exports;
    const name = rawName.replace(/^%/, '').replace(/:$/, '');
    if (colon === ':' || rawName.endsWith(':')) {
      const body = rest.replace(/;$/, '').trim();
      if (body.startsWith('interface')) {
        const functions: WorldFunction[] = [];
        for (i++; i < lines.length && lines[i] !== '}'; i++) {
          const fn = /^(%?[\w-]+):\s*(.*func.*?);?$/.exec(lines[i]);
          if (fn) functions.push({ name: fn[1].replace(/^%/, ''), signature: fn[2].replace(/;$/, '') });
        }
        list.push({ kind: 'interface', name, functions });
      } else {
        list.push({ kind: 'function', name, signature: body });
      }
    } else {
      list.push({ kind: 'interface', name: name.replace(/;$/, '') });
    }
  }
  return world;
}

/** The JavaScript name a WIT name gets in guest bindings: kebab-case to camelCase. */
export function jsName(witName: string): string {
  const local = witName.includes('/') ? witName.slice(witName.indexOf('/') + 1).replace(/@.*$/, '') : witName;
  return local.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
