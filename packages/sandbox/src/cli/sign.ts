/**
 * `agentos sign <tool.wasm> --key key.json`: writes the signed manifest of a
 * tool. The fields (name, version, description, world, schemas, capabilities)
 * come from the component itself — its `describe()` run in the sandbox, its
 * imports — unless a `--manifest` file gives them (fields it leaves out still
 * come from the component). The manifest records the component's SHA-256.
 */
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseJsonSafely } from '../boundary/index.ts';
import { AgentOsError } from '../errors/index.ts';
import { parseFlags, usageError, type CliIo, type Command } from './command.ts';
import { readInput } from './files.ts';

const USAGE = `Usage: agentos sign <tool.wasm> --key <key.json> [--manifest <m.json>] [-o <tool.manifest.json>] [--json]

Signs a tool's manifest with a publisher key (from 'agentos keygen'). Without
--manifest, name, version, description and schemas come from the tool's
describe() (run in the sandbox) and world and capabilities from its imports.

  --key <key.json>         the publisher key file (required)
  --manifest <m.json>      manifest fields (name, version, description, world, inputSchema,
                           outputSchema, capabilities); missing ones come from the component.
                           A signed manifest works too (to re-sign with another key).
  -o, --out <file>         where to write; default <tool>.manifest.json next to the component
  --json                   print {"ok":true,"file","name","version","sha256","keyId"}
`;

const FIELDS = ['name', 'version', 'description', 'world', 'inputSchema', 'outputSchema', 'capabilities'] as const;

export const command: Command = {
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(args, {
      key: { type: 'string' },
      manifest: { type: 'string' },
      out: { type: 'string', short: 'o' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw usageError('expected exactly one component file');
    if (!values.key) throw usageError('--key <key.json> is required (create one with agentos keygen)');
    const core = await import('@agentos/core');
    const component = await readInput(io, positionals[0], 'component');
    const key = core.parseKeyFile(new TextDecoder().decode(await readInput(io, values.key, 'key file')));
    const signer = await core.signerFromKeyFile(key);
    let given: Record<string, unknown> = {};
    if (values.manifest) {
      const text = new TextDecoder().decode(await readInput(io, values.manifest, 'manifest'));
      given = core.parsePartialManifestFields(parseJsonSafely(text, '--manifest'));
    }
    const complete = FIELDS.every((field) => given[field] !== undefined);
    // The engine (jco, compilation) is only loaded when the component must describe itself.
    const described = complete ? {} : await core.describeTool({ engine: new (await import('../engine/index.ts')).Engine(), component });
    const fields = core.parseManifestFields({ ...described, ...given });
    const signed = await core.signManifest({ fields, component, signer });
    const out = values.out ? resolve(io.cwd, values.out) : defaultOut(resolve(io.cwd, positionals[0]));
    try {
      await writeFile(out, core.encodeManifestFile(signed));
    } catch (error) {
      throw new AgentOsError('invalid-argument', `cannot write ${out}: ${(error as Error).message}`, { cause: error, details: { file: out } });
    }
    const { name, version, component: c, publisher } = signed.manifest;
    if (values.json) io.stdout(`${JSON.stringify({ ok: true, file: out, name, version, sha256: c.sha256, keyId: publisher.keyId })}\n`);
    else io.stdout(`signed ${name}@${version} (sha256 ${c.sha256}) with key ${publisher.keyId}\nwrote ${out}\n`);
    return 0;
  },
};

function defaultOut(component: string): string {
  return join(dirname(component), `${basename(component).replace(/\.wasm$/, '')}.manifest.json`);
}
