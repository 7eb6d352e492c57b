/**
 * Test support for calling `main` in-process: a `CliIo` that records what a
 * command writes, and a runner working in a fresh temporary folder.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from './command.ts';
import { main } from './main.ts';

export interface RecordedIo extends CliIo {
  out: string[];
  err: string[];
}

export function recordingIo(cwd: string): RecordedIo {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, cwd, stdout: (text) => void out.push(text), stderr: (text) => void err.push(text) };
}

/** What one in-process `agentos` command did. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
  /** stdout parsed, when the command was given `--json`; tests read into it freely. */
  json: any;
}

/**
 * A fresh temporary folder (named `<prefix>XXXXXX`) and a runner calling
 * `main(argv)` with that folder as the working directory; `run` throws when
 * a `--json` command's stdout is not JSON.
 */
export async function tempCli(prefix: string): Promise<{ dir: string; run: (...argv: string[]) => Promise<CliRun> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const run = async (...argv: string[]): Promise<CliRun> => {
    const io = recordingIo(dir);
    const code = await main(argv, io);
    const out = io.out.join('');
    return { code, out, err: io.err.join(''), json: argv.includes('--json') ? JSON.parse(out) : undefined };
  };
  return { dir, run };
}
