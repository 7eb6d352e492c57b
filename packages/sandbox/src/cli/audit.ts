/**
 * `agentos audit verify <file> [--key <public-key>] [--json]`: checks an
 * exported audit log (hash chain and signed checkpoints). The audit trail is a
 * concept of `@agentos/core`; this command only forwards to it, loaded lazily so
 * the other commands never pay for it.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CliIo, Command } from './command.ts';

const USAGE = `Usage: agentos audit verify <file.jsonl> [--key <public-key|file>] [--json]

Verifies an exported audit log: every entry's hash chain, and each checkpoint's
Ed25519 signature when --key is given. Exit 0 only when the log is intact.
`;

export const command: Command = {
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { auditVerifyCommand } = await import('@agentos/core');
    return auditVerifyCommand(args, {
      stdout: { write: (text: string) => io.stdout(text) },
      stderr: { write: (text: string) => io.stderr(text) },
      readFile: (path: string) => readFile(resolve(io.cwd, path)),
    });
  },
};
