/**
 * `WasiOptions`: everything a sandbox's WASI may see or do. All deny/empty by default:
 * no arguments, no environment, no stdin, output discarded, no filesystem, no sockets.
 */

import { AgentOsError } from '../errors/index.ts';
import { createRealClock, type ClockCapability } from './clocks.ts';
import type { OutputSinkFn } from './cli.ts';
import type { Preopen } from './filesystem/index.ts';
import type { DenialListener } from './guest-error.ts';
import { createCryptoRandom, type RandomCapability } from './random.ts';

/** Caps on host memory the guest controls. */
export interface WasiLimits {
  /** Bytes the guest may write to stdout, and separately to stderr, per instance. Default 1 MiB. */
  outputBytes: number;
  /** Largest single random request (the WIT needs exactly that many bytes). Default 1 MiB. */
  randomBytes: number;
  /** Largest single read the host performs for the guest; longer reads return short. Default 1 MiB. */
  readChunkBytes: number;
  /** Largest file the guest may create or grow in the virtual filesystem. Default 16 MiB. */
  fileBytes: number;
}

export const DEFAULT_WASI_LIMITS: Readonly<WasiLimits> = Object.freeze({
  outputBytes: 1 << 20,
  randomBytes: 1 << 20,
  readChunkBytes: 1 << 20,
  fileBytes: 16 << 20,
});

export type OutputStreamName = 'stdout' | 'stderr';

export interface WasiOptions {
  /** `argv` as the guest sees it (the first entry is conventionally the program name). Default []. */
  args?: string[];
  /** The guest's whole environment. Default {}: the host environment is never passed through. */
  env?: Record<string, string>;
  /** Reported by `initial-cwd`; a guest path, typically a preopen. Default: none. */
  cwd?: string;
  /** The bytes stdin yields before it closes. Default: empty. */
  stdin?: Uint8Array | string;
  /** Receives stdout bytes. Default: the `log` capability, else discarded. */
  stdout?: OutputSinkFn;
  /** Receives stderr bytes. Default: the `log` capability, else discarded. */
  stderr?: OutputSinkFn;
  /** The log capability: where stdout/stderr go when no sink is given for them. */
  log?: (stream: OutputStreamName, bytes: Uint8Array) => void;
  /** Default: the real clock. Use `createVirtualClock()` for deterministic replay. */
  clock?: ClockCapability;
  /** Default: WebCrypto. Use `createSeededRandom(seed)` for deterministic replay. */
  random?: RandomCapability;
  /** The virtual filesystem. Default: no preopens, so the guest sees no files at all. */
  fs?: { preopens?: Record<string, Preopen> };
  limits?: Partial<WasiLimits>;
  /** Called for every refused request (escape attempt, socket, write to a read-only preopen). */
  onDenied?: DenialListener;
}

export interface ResolvedWasiOptions {
  args: string[];
  env: Record<string, string>;
  cwd: string | undefined;
  stdin: Uint8Array;
  stdout: OutputSinkFn;
  stderr: OutputSinkFn;
  clock: ClockCapability;
  random: RandomCapability;
  preopens: Record<string, Preopen>;
  limits: WasiLimits;
  onDenied: DenialListener | undefined;
}

const discard: OutputSinkFn = () => {};

/**
 * Fills in defaults and checks the options once, at the edge.
 * @throws AgentOsError 'invalid-argument' for a non-string argument or variable, a variable
 *   name with `=`, a preopen path that is not absolute, or a limit that is not a positive integer.
 */
export function resolveWasiOptions(options: WasiOptions): ResolvedWasiOptions {
  const invalid = (message: string) => new AgentOsError('invalid-argument', message);
  const args = options.args ?? [];
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) throw invalid('WASI args must be an array of strings');
  const env = options.env ?? {};
  for (const [key, value] of Object.entries(env)) {
    if (key === '' || key.includes('=') || typeof value !== 'string') {
      throw invalid(`WASI env entry '${key}' is invalid: names must be non-empty without '=', values strings`);
    }
  }
  const preopens = options.fs?.preopens ?? {};
  for (const path of Object.keys(preopens)) {
    if (!path.startsWith('/')) throw invalid(`The preopen path '${path}' must be absolute, e.g. '/workspace'`);
  }
  const limits = { ...DEFAULT_WASI_LIMITS, ...options.limits };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) throw invalid(`The WASI limit '${name}' must be a positive integer, got ${value}`);
  }
  const log = options.log;
  return {
    args: [...args],
    env: { ...env },
    cwd: options.cwd,
    stdin: typeof options.stdin === 'string' ? new TextEncoder().encode(options.stdin) : (options.stdin?.slice() ?? new Uint8Array(0)),
    stdout: options.stdout ?? (log ? (bytes) => log('stdout', bytes) : discard),
    stderr: options.stderr ?? (log ? (bytes) => log('stderr', bytes) : discard),
    clock: options.clock ?? createRealClock(),
    random: options.random ?? createCryptoRandom(),
    preopens,
    limits,
    onDenied: options.onDenied,
  };
}
