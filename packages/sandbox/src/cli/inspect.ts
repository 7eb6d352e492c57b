/**
 * `agentos inspect`: shows what a component is made of — its world (imports
 * and exports with signatures), and the core modules inside with their sizes,
 * function counts, memories and the WebAssembly features each uses.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AgentOsError } from '../errors/index.ts';
import type { WorldItem } from '../build/index.ts';
import type { ComponentReport, CoreModuleReport } from '../node/index.ts';
import { formatBytes, formatTable, parseFlags, usageError, type CliIo, type Command } from './command.ts';

const usage = `Usage: agentos inspect <component.wasm> [options]

Prints the component's world (imports and exports, with signatures), the core
modules inside it with their sizes, and the features they use.

Options:
  --json       print one JSON object instead of tables
  -h, --help   show this help
`;

const FLAGS = { json: { type: 'boolean' } } as const;

export const command: Command = {
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(args, FLAGS);
    if (positionals.length !== 1) {
      throw usageError(positionals.length === 0 ? 'missing the component file' : `expected one file, got ${positionals.length}`);
    }
    const path = resolve(io.cwd, positionals[0]);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path));
    } catch (error) {
      throw new AgentOsError('invalid-argument', `cannot read ${path}: ${(error as Error).message}`, {
        cause: error,
        details: { path },
      });
    }
    const { inspectComponent } = await import('../node/index.ts');
    const report = await inspectComponent(bytes);
    io.stdout(values.json ? `${JSON.stringify({ ok: true, file: path, ...report })}\n` : formatReport(path, report));
    return 0;
  },
};

/** The human-readable form: a header, the world as a table, the core modules as a table. */
export function formatReport(path: string, report: ComponentReport): string {
  const out: string[] = [`${report.kind}  ${path}  ${formatBytes(report.size)}`, ''];
  if (report.world) {
    const rows: string[][] = [];
    const add = (direction: string, item: WorldItem) => {
      rows.push([direction, item.kind === 'function' ? `${item.name}: ${item.signature}` : item.name]);
      for (const fn of item.functions ?? []) rows.push(['', `  ${fn.name}${fn.signature.startsWith('(') ? '' : ': '}${fn.signature}`]);
    };
    for (const item of report.world.imports) add('import', item);
    for (const item of report.world.exports) add('export', item);
    out.push('world', formatTable(rows.map((row) => ['', ...row])), '');
  }
  const header = ['', '#', 'component', 'offset', 'size', 'funcs', 'memory', 'features'];
  const rows = report.coreModules.map((m) => [
    '',
    String(m.index),
    m.componentPath.length ? m.componentPath.join('.') : '-',
    String(m.offset),
    formatBytes(m.size),
    m.functions === undefined ? '?' : String(m.functions),
    formatMemories(m.memories),
    m.error ?? (m.features?.join(', ') || '-'),
  ]);
  out.push(`core modules (${report.coreModules.length})`, formatTable([header, ...rows]));
  return `${out.join('\n')}\n`;
}

/** `17 pages`, `1..16 pages (imported)`, `-` when the module has no memory. */
function formatMemories(memories: CoreModuleReport['memories']): string {
  if (!memories || memories.length === 0) return '-';
  return memories
    .map((m) => `${m.min}${m.max === undefined ? '+' : m.max === m.min ? '' : `..${m.max}`} pages${m.imported ? ' (imported)' : ''}`)
    .join('; ');
}
