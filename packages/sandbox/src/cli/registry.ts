/**
 * `agentos registry list|resolve|fetch|yank`: the local tool registry that
 * `agentos publish` fills (a folder, default `.agentos/registry`; see
 * folders.ts). The registry itself is @agentos/core's `Registry`; these
 * commands read it, resolve npm-style ranges, copy a verified tool out, and
 * yank a version — the last only with the key that owns the tool's name.
 */
import { stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AgentOsError } from '../errors/index.ts';
import { formatTable, parseFlags, usageError, type CliIo, type Command } from './command.ts';
import { openStateFolder, type StateFolder } from './folders.ts';
import { DEFAULT_REGISTRY } from './publish.ts';
import { yank } from './registry-yank.ts';

const USAGE = `Usage: agentos registry <command> [options]

The local tool registry ('agentos publish' adds to it).

  list                                   every tool and version (yanked ones marked)
  resolve <name> [<range>]               the highest version in an npm-style range
                                         (default *); yanked versions are skipped
  fetch <name> <version> -o <file>       write the component (verified again) to <file>
        [--manifest <file>] [--force]    and its signed manifest to <file>.manifest.json
                                         (or --manifest); existing files need --force.
                                         Yanked versions stay fetchable by exact version.
  yank <name> <version> --key <key.json> hide a version from resolve; only the publisher
        [--reason <text>] [--undo]       key that owns the name may (--undo restores it)

Options for every command:
  --registry <dir>   the registry folder; default ${DEFAULT_REGISTRY}
  --json             print one JSON object ({"ok":true,…} or {"ok":false,"error":{"code",…}})

Errors (exit 1): not-found (no registry, tool or version), invalid-argument (bad name,
version or range), signature-invalid / hash-mismatch (stored files were altered),
capability-denied (yank with a key that does not own the name), illegal-state
(fetch onto an existing file without --force).
`;

const FLAGS = {
  registry: { type: 'string' },
  json: { type: 'boolean' },
  out: { type: 'string', short: 'o' },
  manifest: { type: 'string' },
  force: { type: 'boolean' },
  key: { type: 'string' },
  reason: { type: 'string' },
  undo: { type: 'boolean' },
} as const;

type Flags = ReturnType<typeof parseFlags<typeof FLAGS>>['values'];

/** What every subcommand gets: its arguments, flags, the I/O and a way to open the registry. */
export interface RegistryCall {
  args: string[];
  flags: Flags;
  io: CliIo;
  open(auditFields?: Record<string, unknown>): Promise<{ folder: StateFolder; registry: import('@agentos/core').Registry }>;
}

const SUBCOMMANDS: Record<string, { flags: (keyof Flags)[]; run(call: RegistryCall): Promise<number> }> = {
  list: { flags: [], run: list },
  resolve: { flags: [], run: resolveRange },
  fetch: { flags: ['out', 'manifest', 'force'], run: fetch },
  yank: { flags: ['key', 'reason', 'undo'], run: yank },
};

export const command: Command = {
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(argv, FLAGS);
    const [name, ...args] = positionals;
    if (name === undefined) throw usageError("expected a subcommand (list, resolve, fetch, yank); run 'agentos registry --help'");
    const sub = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
    if (!sub) throw usageError(`unknown registry command '${name}'; expected list, resolve, fetch or yank`);
    const misplaced = (Object.keys(values) as (keyof Flags)[]).filter((f) => f !== 'registry' && f !== 'json' && !sub.flags.includes(f));
    if (misplaced.length > 0) throw usageError(`registry ${name} does not take --${misplaced[0]}`);
    return sub.run({
      args,
      flags: values,
      io,
      async open(auditFields) {
        const folder = await openStateFolder(io, {
          path: values.registry ?? DEFAULT_REGISTRY, create: false, what: 'registry', createdBy: "'agentos publish'", auditFields,
        });
        const { Registry } = await import('@agentos/core');
        return { folder, registry: new Registry({ store: folder.store, audit: folder.audit }) };
      },
    });
  },
};

async function list({ args, flags, io, open }: RegistryCall): Promise<number> {
  if (args.length > 0) throw usageError('registry list takes no arguments');
  const { folder, registry } = await open();
  const tools = await registry.list();
  if (flags.json) {
    io.stdout(`${JSON.stringify({
      ok: true,
      registry: folder.dir,
      tools: tools.map((t) => ({ name: t.name, owner: t.owner, versions: t.versions.map(({ name: _, ...version }) => version) })),
    })}\n`);
    return 0;
  }
  if (tools.length === 0) {
    io.stdout(`no tools in ${folder.dir}\n`);
    return 0;
  }
  const rows = [['NAME', 'VERSION', 'SHA256', 'PUBLISHED', 'OWNER KEY', 'YANKED']];
  for (const tool of tools) {
    for (const v of tool.versions) {
      const yanked = v.yanked ? `yanked${v.yanked.reason ? `: ${v.yanked.reason}` : ''}` : '';
      rows.push([tool.name, v.version, v.sha256.slice(0, 16), new Date(v.publishedAt).toISOString(), tool.owner.keyId, yanked]);
    }
  }
  io.stdout(`${formatTable(rows)}\n`);
  return 0;
}

async function resolveRange({ args, flags, io, open }: RegistryCall): Promise<number> {
  if (args.length === 0) throw usageError('expected a tool name and a version range');
  // `>=1.2 <2` typed without quotes arrives as two arguments: it is one range.
  const range = args.length > 1 ? args.slice(1).join(' ') : '*';
  const { folder, registry } = await open();
  try {
    const info = await registry.resolve(args[0], range);
    if (flags.json) io.stdout(`${JSON.stringify({ ok: true, range, ...info })}\n`);
    else io.stdout(`${info.name}@${info.version} (sha256 ${info.sha256}) for ${range}\n`);
    return 0;
  } finally {
    await folder.flushAudit();
  }
}

async function fetch({ args, flags, io, open }: RegistryCall): Promise<number> {
  if (args.length !== 2) throw usageError('expected a tool name and an exact version');
  if (!flags.out) throw usageError('-o <file> is required: where to write the component');
  const out = resolve(io.cwd, flags.out);
  const manifestOut = resolve(io.cwd, flags.manifest ?? `${flags.out}.manifest.json`);
  if (out === manifestOut) throw usageError('the component and its manifest need two different files');
  const { folder, registry } = await open();
  try {
    const { signed, component, info } = await registry.fetch(args[0], args[1]);
    const { encodeManifestFile } = await import('@agentos/core');
    // Refuse both before writing either, so a refusal leaves nothing half-written.
    if (!flags.force) for (const file of [out, manifestOut]) await refuseExisting(file);
    await writeOut(out, component);
    await writeOut(manifestOut, encodeManifestFile(signed));
    const yanked = info.yanked ?? null;
    if (flags.json) {
      io.stdout(`${JSON.stringify({ ok: true, name: info.name, version: info.version, sha256: info.sha256, size: info.size, yanked, file: out, manifest: manifestOut })}\n`);
    } else {
      if (yanked) io.stderr(`warning: ${info.name}@${info.version} is yanked${yanked.reason ? ` (${yanked.reason})` : ''}\n`);
      io.stdout(`fetched ${info.name}@${info.version} (sha256 ${info.sha256}, verified)\nwrote ${out}\nwrote ${manifestOut}\n`);
    }
    return 0;
  } finally {
    await folder.flushAudit();
  }
}

/** @throws AgentOsError 'illegal-state' when `file` exists. */
async function refuseExisting(file: string): Promise<void> {
  const exists = await stat(file).then(() => true, () => false);
  if (exists) throw new AgentOsError('illegal-state', `${file} exists; fetch never replaces a file silently (use --force).`, { details: { file } });
}

/** @throws AgentOsError 'invalid-argument' when the file cannot be written. */
async function writeOut(file: string, data: Uint8Array | string): Promise<void> {
  try {
    await writeFile(file, data);
  } catch (error) {
    throw new AgentOsError('invalid-argument', `cannot write ${file}: ${(error as Error).message}`, { cause: error, details: { file } });
  }
}
