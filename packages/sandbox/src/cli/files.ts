/** Reading the files the trust commands take, with errors that name the flag or argument. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { AgentOsError } from '../errors/index.ts';
import type { CliIo } from './command.ts';

/**
 * Reads a file given on the command line.
 * @throws AgentOsError 'not-found' when it does not exist, 'invalid-argument' when it cannot be read.
 */
export async function readInput(io: CliIo, path: string, what: string): Promise<Uint8Array> {
  const file = resolve(io.cwd, path);
  try {
    return new Uint8Array(await readFile(file));
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new AgentOsError(missing ? 'not-found' : 'invalid-argument', `cannot read the ${what} ${file}: ${missing ? 'no such file' : (error as Error).message}`, {
      cause: error, details: { file },
    });
  }
}
