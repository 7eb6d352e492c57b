/**
 * `agentos trust approve|list`: the operator's side of trust on first use.
 *
 * Pins (which publisher key and which surface — description, world, schemas,
 * capabilities — an operator accepted for a tool name) are kept by core's
 * `TrustStore` in a folder, default `.agentos/trust` (a `FolderStore` in
 * `store/`, events in `audit.jsonl`; see folders.ts), next to the registry's
 * `.agentos/registry`. A host that loads signed tools through a `TrustStore`
 * over the same folder sees these approvals; a tool whose key or surface
 * changed is refused ('key-changed', 'manifest-changed') until approved here.
 */
import { AgentOsError } from '../errors/index.ts';
import { formatTable, parseFlags, usageError, type CliIo, type Command } from './command.ts';
import { readInput } from './files.ts';
import { DEFAULT_TRUST_DIR, openStateFolder } from './folders.ts';

const USAGE = `Usage: agentos trust <command> [options]

Trust on first use for signed tools: a tool name is pinned to its publisher key
and surface (description, world, schemas, capabilities); a change is refused
until an operator approves the new manifest.

  approve <tool.manifest.json> --by <operator> [--component <tool.wasm>]
          pin this manifest's key and surface for its tool name (replacing the old
          pin); the signature is verified first, and the component's hash too
          when --component is given
  list    every pin: tool, approved version, key, who approved and when

Options for every command:
  --trust <dir>   the pin folder; default ${DEFAULT_TRUST_DIR}
  --json          print one JSON object ({"ok":true,…} or {"ok":false,"error":{"code",…}})

Errors (exit 1): signature-invalid / hash-mismatch (the manifest or component does
not verify), invalid-argument (not a manifest, empty --by), not-found (no such file,
or no pin folder for list).
`;

const FLAGS = {
  trust: { type: 'string' },
  json: { type: 'boolean' },
  by: { type: 'string' },
  component: { type: 'string' },
} as const;

export const command: Command = {
  usage: USAGE,
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(argv, FLAGS);
    const [name, ...args] = positionals;
    if (name === 'approve') return approve(args, values, io);
    if (name === 'list') {
      if (args.length > 0) throw usageError('trust list takes no arguments');
      if (values.by !== undefined || values.component !== undefined) throw usageError('trust list takes only --trust and --json');
      return list(values, io);
    }
    throw usageError(name === undefined ? "expected a subcommand (approve, list); run 'agentos trust --help'" : `unknown trust command '${name}'; expected approve or list`);
  },
};

type Flags = { trust?: string; json?: boolean; by?: string; component?: string };

async function approve(args: string[], flags: Flags, io: CliIo): Promise<number> {
  if (args.length !== 1) throw usageError('expected one signed manifest file (from agentos sign or agentos registry fetch)');
  if (flags.by === undefined || flags.by.trim() === '') throw usageError('--by <operator> is required: who approves');
  const core = await import('@agentos/core');
  const signed = core.parseManifestFile(await readInput(io, args[0], 'manifest'));
  const component = flags.component === undefined ? undefined : await readInput(io, flags.component, 'component');
  const folder = await openStateFolder(io, { path: flags.trust ?? DEFAULT_TRUST_DIR, create: true, what: 'trust store', createdBy: "'agentos trust approve'" });
  const trust = new core.TrustStore({ store: folder.store, audit: folder.audit });
  try {
    const previous = await trust.pin(signed.manifest.name);
    const pin = await trust.approve(signed, { by: flags.by, component });
    const changed = previous ? core.changedFields(signed.manifest, previous) : [];
    const keyChanged = previous !== undefined && previous.publicKey !== pin.publicKey;
    if (flags.json) {
      io.stdout(`${JSON.stringify({
        ok: true, trust: folder.dir, name: pin.name, version: pin.version, keyId: pin.keyId, approvedBy: pin.approvedBy,
        approvedAt: pin.approvedAt, capabilities: pin.surface.capabilities, previous: previous ? { version: previous.version, keyId: previous.keyId } : null,
        keyChanged, changed,
      })}\n`);
    } else {
      const what = previous === undefined
        ? 'first pin'
        : [keyChanged ? `key ${previous.keyId} -> ${pin.keyId}` : '', changed.length ? `changed: ${changed.join(', ')}` : ''].filter(Boolean).join('; ') || 'unchanged surface';
      io.stdout(`approved ${pin.name}@${pin.version} (key ${pin.keyId}) by ${pin.approvedBy}: ${what}\n`);
    }
    return 0;
  } finally {
    await folder.flushAudit();
  }
}

async function list(flags: Flags, io: CliIo): Promise<number> {
  const core = await import('@agentos/core');
  const folder = await openStateFolder(io, { path: flags.trust ?? DEFAULT_TRUST_DIR, create: false, what: 'trust store', createdBy: "'agentos trust approve'" });
  const trust = new core.TrustStore({ store: folder.store });
  // TrustStore keeps pins under `trust/pins/<name>` (its default prefix).
  const prefix = 'trust/pins/';
  const pins = [];
  for (const { key } of await core.listAll(folder.store, prefix)) {
    const pin = await trust.pin(key.slice(prefix.length));
    if (pin === undefined) throw new AgentOsError('internal', `The pin ${key} vanished while it was listed; retry.`);
    pins.push(pin);
  }
  if (flags.json) {
    io.stdout(`${JSON.stringify({ ok: true, trust: folder.dir, pins })}\n`);
  } else if (pins.length === 0) {
    io.stdout(`no pins in ${folder.dir}\n`);
  } else {
    const rows = [['NAME', 'VERSION', 'KEY', 'APPROVED BY', 'APPROVED AT', 'CAPABILITIES']];
    for (const p of pins) rows.push([p.name, p.version, p.keyId, p.approvedBy, new Date(p.approvedAt).toISOString(), p.surface.capabilities.join(',') || '-']);
    io.stdout(`${formatTable(rows)}\n`);
  }
  return 0;
}
