/**
 * `agentos precompile`: does at build time what `agentos run` does at load
 * time (transpile, harden, meter, cap) and writes the result as files a host
 * without run-time code generation (Cloudflare workerd) can bundle: a loader
 * `index.js` to pass to `fromPrecompiled`, the glue and the .wasm modules.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AgentOsError } from '../errors/index.ts';
import { Engine, LOADER_FILE } from '../engine/index.ts';
import { formatBytes, parseFlags, usageError, type CliIo, type Command } from './command.ts';
import { parseSize } from './run.ts';

const USAGE = `Usage: agentos precompile <component.wasm> -o <dir> [options]

Writes a component as precompiled files for hosts that cannot compile wasm at
run time (Cloudflare Workers): import <dir>/index.js (your bundler must turn
.wasm imports into WebAssembly.Module, as wrangler does) and pass its default
export to fromPrecompiled().

Options:
  -o, --out <dir>   output folder (created if missing; files in it are overwritten)
  --memory <size>   cap on each memory: bytes or 64MiB, 512KiB, 1GiB; default 64MiB
  --no-meter        do not inject fuel metering (caps still apply)
  --json            print the result (or error) as one JSON object on stdout
  -h, --help        show this help
`;

const FLAGS = {
  out: { type: 'string', short: 'o' },
  memory: { type: 'string' },
  'no-meter': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export const command: Command = {
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(args, FLAGS);
    if (positionals.length !== 1) throw usageError(positionals.length === 0 ? 'missing the component file' : `expected one component file, got ${positionals.length}`);
    if (!values.out) throw usageError('-o <dir> is required');
    const maxMemoryBytes = parseSize(values.memory ?? '64MiB');
    const input = resolve(io.cwd, positionals[0]);
    const outDir = resolve(io.cwd, values.out);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(input));
    } catch (error) {
      throw new AgentOsError('invalid-argument', `cannot read ${input}: ${(error as Error).message}`, { cause: error });
    }
    const started = performance.now();
    const { files, manifest } = await new Engine().precompile(bytes, { meter: !values['no-meter'], maxMemoryBytes });
    try {
      await mkdir(outDir, { recursive: true });
      for (const [name, contents] of Object.entries(files)) await writeFile(join(outDir, name), contents);
    } catch (error) {
      throw new AgentOsError('invalid-argument', `cannot write to ${outDir}: ${(error as Error).message}`, { cause: error });
    }
    const ms = Math.round(performance.now() - started);
    const sizes = Object.fromEntries(Object.entries(files).map(([name, contents]) => [name, typeof contents === 'string' ? new TextEncoder().encode(contents).length : contents.length]));
    const total = Object.values(sizes).reduce((a, b) => a + b, 0);
    if (values.json) {
      io.stdout(`${JSON.stringify({ ok: true, output: outDir, loader: join(outDir, LOADER_FILE), files: sizes, size: total, metered: manifest.metered, maxMemoryBytes: manifest.maxMemoryBytes, hash: manifest.hash, ms })}\n`);
    } else {
      io.stdout(
        `precompiled ${input} into ${outDir} (${Object.keys(files).length} files, ${formatBytes(total)}) in ${ms} ms\n` +
          `  loader: ${join(outDir, LOADER_FILE)} (pass its default export to fromPrecompiled)\n` +
          `  metered: ${manifest.metered ? 'yes' : 'no'}; memory cap: ${manifest.maxMemoryBytes === undefined ? 'none' : formatBytes(manifest.maxMemoryBytes)}\n`,
      );
    }
    return 0;
  },
};
