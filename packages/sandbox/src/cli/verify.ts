/**
 * `agentos verify <tool.wasm> <tool.manifest.json>`: checks a signed tool.
 * Exit 0 only when the manifest is intact, its signature holds and the
 * component is the one it was signed for; otherwise exit 1 with a stable code
 * (signature-invalid, hash-mismatch, invalid-argument, not-found), also as
 * {"ok":false,"error":{"code",…}} with --json.
 */
import { parseFlags, usageError, type CliIo, type Command } from './command.ts';
import { readInput } from './files.ts';

const USAGE = `Usage: agentos verify <tool.wasm> <tool.manifest.json> [--key <public-key|key.json>] [--json]

Verifies a signed tool: the manifest's Ed25519 signature and the component's
SHA-256. Exit 0 when both hold; exit 1 with a stable error code otherwise:
  signature-invalid  the manifest was altered, or signed by another key than --key
  hash-mismatch      the component is not the one the manifest was signed for
  invalid-argument   the manifest is not a manifest

  --key <key>   also require this publisher key (base64url, hex, JWK or a key file)
  --json        print {"ok":true,"name","version","sha256","keyId"} (or the error)
`;

export const command: Command = {
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(args, { key: { type: 'string' }, json: { type: 'boolean' } });
    if (positionals.length !== 2) throw usageError('expected a component file and its manifest file');
    const core = await import('@agentos/core');
    const component = await readInput(io, positionals[0], 'component');
    const signed = core.parseManifestFile(await readInput(io, positionals[1], 'manifest'));
    const publicKey = values.key ? core.readPublicKey(await keyText(io, values.key)) : undefined;
    await core.verifyManifest(signed, { component, publicKey });
    const { name, version, component: c, publisher } = signed.manifest;
    if (values.json) io.stdout(`${JSON.stringify({ ok: true, name, version, sha256: c.sha256, keyId: publisher.keyId })}\n`);
    else io.stdout(`ok: ${name}@${version} signed by key ${publisher.keyId}; component sha256 ${c.sha256}\n`);
    return 0;
  },
};

/** `--key` is the key itself unless it names a file. */
async function keyText(io: CliIo, value: string): Promise<string> {
  if (/^[A-Za-z0-9_+/=-]{43,64}$/.test(value) || value.trim().startsWith('{')) return value;
  return new TextDecoder().decode(await readInput(io, value, 'key'));
}
