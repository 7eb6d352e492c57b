/**
 * `agentos run`: loads a component into the sandbox (metered and capped unless
 * told otherwise), calls one export with JSON arguments and prints the value,
 * the fuel used, the memory peak and timings. With `--json` it prints exactly
 * one JSON object, also on failure (then with a non-zero exit code).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseJsonSafely } from '../boundary/index.ts';
import { AgentOsError } from '../errors/index.ts';
import { Engine, Store, type ExportedFunction, type HostImports } from '../engine/index.ts';
import { createWasi } from '../wasi/index.ts';
import { parseFlags, usageError, type CliIo, type Command } from './command.ts';

const USAGE = `Usage: agentos run <component.wasm> --invoke <export> [options]

Calls one export of a component inside the sandbox.

  --invoke <export>     '<interface>#<function>' (e.g. docs:adder/add@0.1.0#add) or a world-level function
  --args <json-array>   arguments as a JSON array (s64/u64 may be decimal strings); default []
  --fuel <n|unlimited>  fuel budget; default 10000000000
  --memory <size>       cap on each memory: bytes or 64MiB, 512KiB, 1GiB; default 64MiB
  --timeout <ms>        wall-clock deadline of the call; default 30000
  --no-meter            do not inject fuel metering (caps still apply)
  --imports <host.mjs>  JS module implementing imports: its default export (or named
                        exports) keyed by WIT interface name, e.g. "test:lists/test"
  --json                print one JSON object (result or error)
`;

export const DEFAULT_TIMEOUT_MS = 30_000;

export const command: Command = {
  usage: USAGE,
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(args, {
      invoke: { type: 'string' },
      args: { type: 'string' },
      fuel: { type: 'string' },
      memory: { type: 'string' },
      timeout: { type: 'string' },
      'no-meter': { type: 'boolean' },
      imports: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw usageError('expected exactly one component file');
    if (!values.invoke) throw usageError('--invoke <export> is required');
    const fuel = parseFuel(values.fuel);
    const maxMemoryBytes = parseSize(values.memory ?? '64MiB');
    const timeoutMs = parseTimeout(values.timeout);
    const rawArgs = parseJsonSafely(values.args ?? '[]', '--args');
    if (!Array.isArray(rawArgs)) throw usageError('--args must be a JSON array');

    const bytes = new Uint8Array(await readFile(resolve(io.cwd, positionals[0])));
    const hostImports = values.imports ? await loadHostImports(resolve(io.cwd, values.imports)) : {};
    // Guest stdout must not corrupt the one JSON object on stdout.
    const guestOut = values.json ? io.stderr : io.stdout;
    const decoder = new TextDecoder();
    const imports: HostImports = {
      ...createWasi({ stdout: (b) => guestOut(decoder.decode(b)), stderr: (b) => io.stderr(decoder.decode(b)) }),
      ...hostImports,
    };

    let t = performance.now();
    const component = await new Engine().load(bytes, { meter: !values['no-meter'], maxMemoryBytes });
    const compileMs = performance.now() - t;
    const store = new Store({ fuel, timeoutMs });
    t = performance.now();
    const instance = await component.instantiate(store, { imports });
    const instantiateMs = performance.now() - t;
    const callArgs = convertArgs(instance.describe(values.invoke), values.invoke, rawArgs);
    t = performance.now();
    const value = await instance.call(values.invoke, callArgs);
    const callMs = performance.now() - t;

    const metered = !values['no-meter'];
    if (values.json) {
      io.stdout(`${JSON.stringify({
        ok: true,
        value: toJson(value),
        fuel: { used: metered ? toJson(store.fuel.used) : null, limit: fuel === 'unlimited' ? null : toJson(fuel) },
        memory: { peakBytes: store.memoryPeakBytes, limitBytes: maxMemoryBytes },
        timings: { compileMs: round(compileMs), instantiateMs: round(instantiateMs), callMs: round(callMs) },
      })}\n`);
    } else {
      io.stdout(`${JSON.stringify(toJson(value), null, 2) ?? 'undefined'}\n`);
      io.stderr(`fuel used: ${metered ? store.fuel.used : 'not metered'}; memory peak: ${store.memoryPeakBytes} bytes; compile ${round(compileMs)} ms, instantiate ${round(instantiateMs)} ms, call ${round(callMs)} ms\n`);
    }
    return 0;
  },
};

/** `--fuel`: a non-negative integer or 'unlimited'. */
export function parseFuel(text: string | undefined): bigint | 'unlimited' {
  if (text === undefined) return 10_000_000_000n;
  if (text === 'unlimited') return 'unlimited';
  if (!/^\d+$/.test(text)) throw usageError(`--fuel must be a whole number or 'unlimited', got '${text}'`);
  return BigInt(text);
}

const UNITS: Record<string, number> = { '': 1, b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3 };

/** `--memory`: bytes, or a number with KiB/MiB/GiB (or KB/MB/GB). */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw usageError(`--memory must be bytes or a size like 64MiB, got '${text}'`);
  const bytes = Math.floor(Number(m[1]) * unit);
  if (bytes < 65536) throw usageError(`--memory must be at least 64KiB (one wasm page), got '${text}'`);
  return bytes;
}

function parseTimeout(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TIMEOUT_MS;
  const ms = Number(text);
  if (!Number.isFinite(ms) || ms <= 0) throw usageError(`--timeout must be a positive number of milliseconds, got '${text}'`);
  return ms;
}

/**
 * Checks arity against the export's signature (from jco's typings of the WIT) and turns
 * top-level 64-bit integer parameters (`bigint`) into BigInt, accepting safe integers and
 * decimal strings. Nested values pass as they are: jco's lowering converts them itself.
 * @throws AgentOsError('invalid-argument') on a wrong count or an integer that would lose precision.
 */
export function convertArgs(signature: ExportedFunction | undefined, path: string, args: unknown[]): unknown[] {
  if (!signature) return args; // the call reports 'not-found' with the list of exports
  if (args.length !== signature.params.length) {
    const want = signature.params.map((p) => `${p.name}: ${p.type}`).join(', ');
    throw new AgentOsError('invalid-argument', `${path} takes ${signature.params.length} argument(s) (${want}); --args has ${args.length}.`);
  }
  return args.map((arg, i) => (signature.params[i].type === 'bigint' ? toBigInt(arg, signature.params[i].name) : arg));
}

function toBigInt(value: unknown, name: string): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new AgentOsError('invalid-argument', `Argument '${name}' is a 64-bit integer: pass a safe integer or a decimal string (e.g. "18446744073709551615"), got ${JSON.stringify(value)}.`);
}

/** JSON-safe form of a guest value: bigints as numbers when safe (else strings), typed arrays as arrays. */
export function toJson(value: unknown): unknown {
  if (typeof value === 'bigint') return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<unknown>, toJson);
  if (Array.isArray(value)) return value.map(toJson);
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: toJson(v), enumerable: true });
    return out;
  }
  return value;
}

async function loadHostImports(path: string): Promise<HostImports> {
  const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const out: HostImports = Object.create(null);
  const fromDefault = mod.default && typeof mod.default === 'object' ? (mod.default as HostImports) : {};
  for (const [key, value] of [...Object.entries(fromDefault), ...Object.entries(mod).filter(([k]) => k !== 'default')]) {
    if (value && typeof value === 'object') out[key] = value as Record<string, unknown>;
  }
  return out;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
