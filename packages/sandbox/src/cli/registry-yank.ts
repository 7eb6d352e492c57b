/**
 * `agentos registry yank <name> <version> --key <key.json>`: hides a version
 * from range resolution (it stays fetchable by exact version).
 *
 * Core's `Registry.yank` does not check who asks, so this command does: the
 * key file must hold the private key of the publisher key that owns the name
 * (the first publisher's). `signerFromKeyFile` proves the private half matches
 * the public half with a test signature, so naming the owner's public key is
 * not enough. The acting key id is recorded on the registry's audit line.
 */
import { AgentOsError } from '../errors/index.ts';
import { usageError } from './command.ts';
import { readInput } from './files.ts';
import type { RegistryCall } from './registry.ts';

/**
 * @throws AgentOsError 'capability-denied' when the key does not own the name;
 *   'not-found' for an unknown tool or version; 'invalid-argument' for a bad key file.
 */
export async function yank({ args, flags, io, open }: RegistryCall): Promise<number> {
  if (args.length !== 2) throw usageError('expected a tool name and an exact version');
  if (!flags.key) throw usageError('--key <key.json> is required: the publisher key that owns the tool');
  const core = await import('@agentos/core');
  const keyFile = core.parseKeyFile(new TextDecoder().decode(await readInput(io, flags.key, 'key file')));
  const signer = await core.signerFromKeyFile(keyFile);
  const [name, version] = args;
  const { folder, registry } = await open({ keyId: signer.keyId });
  try {
    const tool = (await registry.list()).find((t) => t.name === name);
    if (!tool) throw new AgentOsError('not-found', `No tool named ${name} in the registry.`, { details: { name } });
    if (tool.owner.publicKey !== core.toBase64Url(signer.publicKey)) {
      throw new AgentOsError('capability-denied', `${name} belongs to publisher key ${tool.owner.keyId}; only that key may yank its versions, not ${signer.keyId}.`, {
        details: { name, version, ownerKeyId: tool.owner.keyId, offeredKeyId: signer.keyId },
      });
    }
    const info = await registry.yank(name, version, { reason: flags.reason, yanked: !flags.undo });
    const yanked = info.yanked ?? null;
    if (flags.json) io.stdout(`${JSON.stringify({ ok: true, name, version, yanked, keyId: signer.keyId })}\n`);
    else if (yanked) io.stdout(`yanked ${name}@${version}${yanked.reason ? ` (${yanked.reason})` : ''}; resolve skips it, fetch by exact version still works\n`);
    else io.stdout(`restored ${name}@${version}; resolve may pick it again\n`);
    return 0;
  } finally {
    await folder.flushAudit();
  }
}
