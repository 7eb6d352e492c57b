/**
 * What a CLI command is, and the helpers every command shares: strict flag
 * parsing that turns mistakes into usage errors (exit 2), and the I/O sink the
 * command writes to (the process in real use, strings in tests).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AgentOsError, isAgentOsError } from '../errors/index.ts';

/** Where a command writes, and the directory relative paths start from. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
}

/** One subcommand of `agentos`. */
export interface Command {
  /** Full usage text, printed by `agentos <name> --help`. */
  usage: string;
  /**
   * Runs the command with the arguments after its name and returns the exit
   * code. Failures are thrown as `AgentOsError`; `main` prints them.
   */
  run(args: string[], io: CliIo): Promise<number>;
}

/** A registry entry: a one-line summary and a lazy loader, so `--help` stays fast. */
export interface CommandEntry {
  summary: string;
  load(): Promise<{ command: Command }>;
}

/** An error in how the command was called: printed like others, but exit code 2. */
export function usageError(message: string): AgentOsError {
  return new AgentOsError('invalid-argument', message, { details: { usage: true } });
}

/** True for errors made by `usageError`. */
export function isUsageError(error: unknown): boolean {
  return isAgentOsError(error) && error.details?.usage === true;
}

/**
 * `parseArgs` in strict mode with usage errors instead of Node's TypeErrors.
 * @throws AgentOsError 'invalid-argument' (usage) for unknown flags, missing
 * flag values or unexpected positionals.
 */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  allowPositionals = true,
) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
  }
}

/** Formats a byte count for people: `1.55 MiB`, `3.6 KiB`, `94 B`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(2)} MiB`;
}

/** Lays out rows as left-aligned columns separated by two spaces. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd())
    .join('\n');
}
