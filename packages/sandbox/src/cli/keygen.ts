/**
 * `agentos keygen -o key.json`: makes an Ed25519 publisher key for signing
 * tool manifests. The key file (format `agentos-key/1`, documented in
 * packages/core/src/trust/keys.ts) holds the private key: it is written with
 * mode 0600 and never over an existing file unless --force.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AgentOsError } from '../errors/index.ts';
import { parseFlags, usageError, type CliIo, type Command } from './command.ts';

const USAGE = `Usage: agentos keygen -o <key.json> [--force] [--json]

Creates an Ed25519 publisher key for 'agentos sign'. The file holds the private
key (a JWK pair with its kid): keep it secret and out of the repository. Share
the public key it prints (for 'agentos verify --key').

  -o, --out <file>  where to write the key file (required)
  --force           overwrite an existing file
  --json            print {"ok":true,"file","kid","publicKey"}
`;

export const command: Command = {
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(args, {
      out: { type: 'string', short: 'o' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
    }, false);
    if (positionals.length > 0) throw usageError('keygen takes no positional arguments');
    if (!values.out) throw usageError('-o <key.json> is required');
    const { generateKeyFile } = await import('@agentos/core');
    const key = await generateKeyFile();
    const file = resolve(io.cwd, values.out);
    try {
      await writeFile(file, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600, flag: values.force ? 'w' : 'wx' });
    } catch (error) {
      const exists = (error as NodeJS.ErrnoException).code === 'EEXIST';
      throw new AgentOsError(exists ? 'illegal-state' : 'invalid-argument', exists
        ? `${file} exists; keygen never replaces a key silently (use --force to overwrite it).`
        : `cannot write ${file}: ${(error as Error).message}`, { cause: error, details: { file } });
    }
    if (values.json) io.stdout(`${JSON.stringify({ ok: true, file, kid: key.kid, publicKey: key.publicKey })}\n`);
    else io.stdout(`wrote ${file} (kid ${key.kid}, mode 0600)\npublic key: ${key.publicKey.x}\n`);
    return 0;
  },
};
