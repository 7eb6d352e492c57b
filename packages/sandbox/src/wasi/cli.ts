/**
 * wasi:cli — environment, stdio and terminals.
 *
 * The guest sees only what the host passes: `args`, `env` (never the host's environment),
 * `stdin` bytes. stdout and stderr go to the host's sinks (or the `log` capability), each with
 * a byte cap, since guest output is host memory. No stream is a terminal.
 */

import { AgentOsError } from '../errors/index.ts';
import { InputStream, OutputStream, type ByteSink } from './io.ts';

export type OutputSinkFn = (bytes: Uint8Array) => void;

export interface CliOptions {
  args: string[];
  env: Record<string, string>;
  cwd: string | undefined;
  stdin: Uint8Array;
  stdout: OutputSinkFn;
  stderr: OutputSinkFn;
  maxOutputBytes: number;
  maxChunk: number;
}

/**
 * A sink that counts bytes across every stream handle of one stdio stream.
 * @throws AgentOsError 'limit-exceeded' from `write` once the cap would be passed.
 */
function cappedSink(options: { name: string; sink: OutputSinkFn; limit: number }): ByteSink {
  let written = 0;
  return {
    write(bytes) {
      if (written + bytes.byteLength > options.limit) {
        throw new AgentOsError(
          'limit-exceeded',
          `The guest wrote more than ${options.limit} bytes to ${options.name}. Raise limits.outputBytes if this is expected.`,
          { details: { stream: options.name, limit: options.limit } },
        );
      }
      written += bytes.byteLength;
      // A copy: the sink may keep it, and the glue's buffer is not ours.
      options.sink(bytes.slice());
    },
  };
}

class TerminalInput {}
class TerminalOutput {}

/** The wasi:cli interface objects (environment, stdin/stdout/stderr, terminal-*). */
export function createCliInterfaces(options: CliOptions) {
  const env = Object.entries(options.env);
  const args = [...options.args];
  const stdout = cappedSink({ name: 'stdout', sink: options.stdout, limit: options.maxOutputBytes });
  const stderr = cappedSink({ name: 'stderr', sink: options.stderr, limit: options.maxOutputBytes });
  // One read position shared by every stdin handle the guest asks for.
  let stdinAt = 0;
  const stdinSource = {
    read(max: number) {
      if (stdinAt >= options.stdin.byteLength) return null;
      const bytes = options.stdin.slice(stdinAt, stdinAt + max);
      stdinAt += bytes.byteLength;
      return bytes;
    },
  };
  const { maxChunk } = options;
  return {
    environment: {
      getEnvironment: (): [string, string][] => env.map(([k, v]) => [k, v]),
      getArguments: (): string[] => [...args],
      initialCwd: (): string | undefined => options.cwd,
    },
    // Fresh handles per call: the glue takes ownership of each resource it is handed.
    stdin: { getStdin: () => new InputStream({ source: stdinSource, maxChunk }) },
    stdout: { getStdout: () => new OutputStream({ sink: stdout, maxChunk }) },
    stderr: { getStderr: () => new OutputStream({ sink: stderr, maxChunk }) },
    terminalInput: { TerminalInput },
    terminalOutput: { TerminalOutput },
    terminalStdin: { getTerminalStdin: (): TerminalInput | undefined => undefined },
    terminalStdout: { getTerminalStdout: (): TerminalOutput | undefined => undefined },
    terminalStderr: { getTerminalStderr: (): TerminalOutput | undefined => undefined },
  };
}
