/**
 * `agentos audit verify <file> [--key <public-key>] [--json]`.
 *
 * Portable: all I/O comes in through `io`, so the CLI (Node) registers it and
 * a worker could run it too. Exit codes: 0 the log is valid; 1 it is not (the
 * stable reason is an {@link AuditVerifyCode}); 2 bad usage or unreadable input
 * (an AgentOsError code such as 'invalid-argument' or 'not-found').
 */
import { AgentOsError, isAgentOsError } from '../../../sandbox/src/errors/index.ts';
import { parsePublicKey } from './signer.ts';
import { type AuditVerifyResult, verifyAuditLog } from './verify.ts';

type Output = ((text: string) => void) | { write(text: string): unknown };

export interface AuditCliIo {
  stdout: Output;
  stderr: Output;
  /** Reads a file as text or bytes; rejects when it cannot. */
  readFile(path: string): Promise<string | Uint8Array>;
}

const USAGE = 'usage: agentos audit verify <file> [--key <public-key or key file>] [--json]';

/**
 * Runs `agentos audit verify`. `argv` is the words after `agentos audit`
 * (a leading `verify` is expected; it may be left out). Never throws: every
 * failure becomes a message and an exit code.
 */
export async function auditVerifyCommand(argv: string[], io: AuditCliIo): Promise<number> {
  const args = argv[0] === 'verify' ? argv.slice(1) : argv;
  let json = false;
  try {
    const parsed = parseArgs(args);
    json = parsed.json;
    const text = decode(await read(io, parsed.file));
    const publicKey = parsed.key === undefined ? undefined : await resolveKey(io, parsed.key);
    const result = await verifyAuditLog(text, { publicKey });
    report(io, result, json);
    return result.valid ? 0 : 1;
  } catch (error) {
    const failure = isAgentOsError(error) ? error : new AgentOsError('internal', String(error), { cause: error });
    if (json) write(io.stdout, JSON.stringify({ valid: false, error: failure.toJSON() }) + '\n');
    else write(io.stderr, `error ${failure.code}: ${failure.message}\n`);
    return 2;
  }
}

function parseArgs(args: string[]): { file: string; key?: string; json: boolean } {
  let file: string | undefined;
  let key: string | undefined;
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--json') json = true;
    else if (arg === '--key') {
      key = args[++i];
      if (key === undefined) throw new AgentOsError('invalid-argument', `--key needs a value. ${USAGE}`);
    } else if (arg.startsWith('--key=')) key = arg.slice('--key='.length);
    else if (arg.startsWith('-')) throw new AgentOsError('invalid-argument', `Unknown option ${arg}. ${USAGE}`);
    else if (file === undefined) file = arg;
    else throw new AgentOsError('invalid-argument', `Unexpected argument ${arg}. ${USAGE}`);
  }
  if (file === undefined) throw new AgentOsError('invalid-argument', `Missing the log file. ${USAGE}`);
  return { file, key, json };
}

/** `--key` is the key itself, or else the path of a file holding it. */
async function resolveKey(io: AuditCliIo, value: string): Promise<Uint8Array> {
  try {
    return parsePublicKey(value);
  } catch {
    return parsePublicKey(decode(await read(io, value)));
  }
}

async function read(io: AuditCliIo, path: string): Promise<string | Uint8Array> {
  try {
    return await io.readFile(path);
  } catch (cause) {
    throw new AgentOsError('not-found', `Cannot read ${path}: ${(cause as Error)?.message ?? cause}`, { cause });
  }
}

function decode(content: string | Uint8Array): string {
  return typeof content === 'string' ? content : new TextDecoder('utf-8', { fatal: false }).decode(content);
}

function report(io: AuditCliIo, result: AuditVerifyResult, json: boolean): void {
  if (json) {
    write(io.stdout, JSON.stringify(result) + '\n');
  } else if (result.valid) {
    const trust = result.keySource === 'trusted' ? 'trusted key' : 'key from the log header (pass --key to trust it)';
    write(io.stdout, `valid: ${result.entries} entries, ${result.checkpoints} signed checkpoints, head ${result.head}, ${trust} ${result.keyId}\n`);
  } else {
    write(io.stderr, `invalid (${result.code}) at line ${result.line}: ${result.message}\n`);
  }
}

function write(out: Output, text: string): void {
  if (typeof out === 'function') out(text);
  else out.write(text);
}
