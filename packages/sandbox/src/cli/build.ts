/**
 * `agentos build`: turns a JavaScript or TypeScript module into a component
 * for a world of the agentos WIT package (or any WIT you point it at).
 */
import { writeFile } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentOsError } from '../errors/index.ts';
import { formatBytes, parseFlags, usageError, type CliIo, type Command } from './command.ts';

/** The `agentos:runtime` WIT package of this repository. */
export const DEFAULT_WIT = fileURLToPath(new URL('../../../../wit', import.meta.url));

const usage = `Usage: agentos build <entry.js|entry.ts> [options]

Bundles the entry module (local imports included, TypeScript stripped) and
builds a WebAssembly component whose exports are the module's exports.

Options:
  --wit <path>     WIT file or folder (default: the agentos:runtime package)
  --world <name>   world to build for: tool, tool-with-capabilities, agent, ...
  -o, --out <file> output file (default: <entry name>.wasm)
  --wasi           keep the QuickJS runtime's WASI imports instead of stubbing
                   them with traps (Date.now/Math.random then use WASI)
  --opt-size       use the size-optimised QuickJS runtime
  --json           print the result (or error) as one JSON object on stdout
  -h, --help       show this help
`;

const FLAGS = {
  wit: { type: 'string' },
  world: { type: 'string' },
  out: { type: 'string', short: 'o' },
  wasi: { type: 'boolean' },
  'opt-size': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export const command: Command = {
  usage,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(args, FLAGS);
    if (positionals.length !== 1) {
      throw usageError(positionals.length === 0 ? 'missing the entry file' : `expected one entry file, got ${positionals.length}`);
    }
    const entry = resolve(io.cwd, positionals[0]);
    const out = resolve(io.cwd, values.out ?? `${basename(entry, extname(entry))}.wasm`);
    const started = performance.now();
    const { buildComponent } = await import('../node/index.ts');
    const built = await buildComponent({
      entry,
      witPath: values.wit === undefined ? DEFAULT_WIT : resolve(io.cwd, values.wit),
      world: values.world,
      stubWasi: !values.wasi,
      optSize: values['opt-size'] ?? false,
    });
    try {
      await writeFile(out, built.bytes);
    } catch (error) {
      throw new AgentOsError('invalid-argument', `cannot write ${out}: ${(error as Error).message}`, { cause: error });
    }
    const ms = Math.round(performance.now() - started);
    const imports = built.world.imports.map((item) => item.name);
    const exports = built.world.exports.map((item) => item.name);
    if (values.json) {
      io.stdout(`${JSON.stringify({ ok: true, output: out, size: built.bytes.length, world: values.world ?? null, imports, exports, ms })}\n`);
    } else {
      io.stdout(
        `built ${out} (${formatBytes(built.bytes.length)}) in ${ms} ms\n` +
          `  imports: ${imports.join(', ') || '(none)'}\n` +
          `  exports: ${exports.join(', ')}\n`,
      );
    }
    return 0;
  },
};
