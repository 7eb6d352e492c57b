/**
 * `agentos publish <tool.wasm> <tool.manifest.json>`: verifies a signed tool
 * and stores it in a registry folder (default `.agentos/registry`), a
 * `FolderStore` from @agentos/node. Publishing the same content again is a
 * no-op; a version is never replaced. Registry events (this publish, refused
 * ones too) are appended to `<registry>/audit.jsonl`, one JSON object a line.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseFlags, usageError, type CliIo, type Command } from './command.ts';
import { readInput } from './files.ts';

export const DEFAULT_REGISTRY = '.agentos/registry';

const USAGE = `Usage: agentos publish <tool.wasm> <tool.manifest.json> [--registry <dir>] [--json]

Publishes a signed tool (from 'agentos sign') into a registry folder after
verifying its signature and component hash. A tool name belongs to the key that
first published it; published versions are immutable.

  --registry <dir>  the registry folder; default ${DEFAULT_REGISTRY}
  --json            print {"ok":true,"name","version","sha256","registry"}
`;

export const command: Command = {
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(args, { registry: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length !== 2) throw usageError('expected a component file and its manifest file');
    const core = await import('@agentos/core');
    const { FolderStore } = await import('@agentos/node');
    const component = await readInput(io, positionals[0], 'component');
    const signed = core.parseManifestFile(await readInput(io, positionals[1], 'manifest'));
    const dir = resolve(io.cwd, values.registry ?? DEFAULT_REGISTRY);
    await mkdir(dir, { recursive: true });
    const events: string[] = [];
    const registry = new core.Registry({
      store: new FolderStore({ dir: join(dir, 'store') }),
      audit: (event) => void events.push(`${JSON.stringify({ at: Date.now(), ...event })}\n`),
    });
    try {
      const info = await registry.publish(signed, component);
      if (values.json) io.stdout(`${JSON.stringify({ ok: true, name: info.name, version: info.version, sha256: info.sha256, registry: dir })}\n`);
      else io.stdout(`published ${info.name}@${info.version} (sha256 ${info.sha256}) to ${dir}\n`);
      return 0;
    } finally {
      if (events.length > 0) await appendFile(join(dir, 'audit.jsonl'), events.join(''));
    }
  },
};
