/** A `CliIo` that records what a command writes, for tests that call `main` in-process. */
import type { CliIo } from './command.ts';

export interface RecordedIo extends CliIo {
  out: string[];
  err: string[];
}

export function recordingIo(cwd: string): RecordedIo {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, cwd, stdout: (text) => void out.push(text), stderr: (text) => void err.push(text) };
}
