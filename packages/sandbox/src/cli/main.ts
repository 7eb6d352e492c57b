/**
 * The `agentos` command line: dispatches to the subcommands registered in
 * `commands.ts` and owns the conventions they share — `--help` everywhere,
 * errors printed as `agentos: <code>: <message>` on stderr (or, with
 * `--json`, as `{"ok":false,"error":{...}}` on stdout), exit code 2 for usage
 * errors and 1 for failures.
 */
import { isAgentOsError } from '../errors/index.ts';
import { isUsageError, usageError, type CliIo } from './command.ts';
import { COMMANDS } from './commands.ts';

const HELP_FLAGS = new Set(['--help', '-h']);

/** The process's own streams and working directory. */
export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    cwd: process.cwd(),
  };
}

/** Usage of `agentos` itself, listing the registered commands. */
export function mainUsage(): string {
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  const lines = names.map((name) => `  ${name.padEnd(width)}  ${COMMANDS[name].summary}`);
  return [
    'Usage: agentos <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    "Run 'agentos <command> --help' for a command's options.",
    '',
  ].join('\n');
}

/**
 * Runs the CLI with `argv` (without the node and script paths) and returns the
 * exit code. Never throws: every failure is printed to `io`.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const json = argv.includes('--json');
  try {
    const [name, ...rest] = argv;
    if (name === undefined || HELP_FLAGS.has(name)) {
      (name === undefined ? io.stderr : io.stdout)(mainUsage());
      return name === undefined ? 2 : 0;
    }
    const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!entry) throw usageError(`unknown command '${name}'; run 'agentos --help' for the list`);
    const { command } = await entry.load();
    if (rest.some((arg) => HELP_FLAGS.has(arg))) {
      io.stdout(command.usage);
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    printError(error, io, json);
    return isUsageError(error) ? 2 : 1;
  }
}

function printError(error: unknown, io: CliIo, json: boolean): void {
  const code = isAgentOsError(error) ? error.code : 'internal';
  const message = error instanceof Error ? error.message : String(error);
  if (json) {
    io.stdout(`${JSON.stringify({ ok: false, error: { code, message } })}\n`);
  } else {
    io.stderr(`agentos: ${code}: ${message}\n`);
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2));
