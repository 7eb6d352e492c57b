/**
 * `createWasi`: the import object entries for every WASI 0.2 interface, built from options.
 *
 * jco's glue looks imports up by the unversioned interface name (`imports['wasi:cli/stdout']`);
 * other glue and hosts key by the versioned name (`'wasi:cli/stdout@0.2.3'`). Every interface
 * is therefore published under the bare name and under each 0.2.x patch version, all pointing
 * to the same object (the glue checks resources with `instanceof`, so the classes must be shared).
 */

import { createCliInterfaces } from './cli.ts';
import { createClockInterfaces } from './clocks.ts';
import { createExitInterface } from './exit.ts';
import { createFilesystemInterfaces } from './filesystem/index.ts';
import { Denials } from './guest-error.ts';
import { InputStream, IoError, OutputStream, Pollable, poll } from './io.ts';
import { resolveWasiOptions, type WasiOptions } from './options.ts';
import { createRandomInterfaces } from './random.ts';
import { createSocketInterfaces } from './sockets.ts';

/** The import object entries, keyed by WIT interface name (see `wasiImportKeys`). */
export type WasiImports = Record<string, Record<string, unknown>>;

/** The patch versions published besides the bare name: 0.2.0 through 0.2.12. */
export const WASI_PATCH_VERSIONS: readonly string[] = Array.from({ length: 13 }, (_, i) => `0.2.${i}`);

const keyCache = new Map<string, readonly string[]>();

/** Every key an interface is published under: `wasi:cli/stdout`, `wasi:cli/stdout@0.2.0`, ... */
export function wasiImportKeys(interfaceName: string): readonly string[] {
  let keys = keyCache.get(interfaceName);
  if (!keys) {
    keys = Object.freeze([interfaceName, ...WASI_PATCH_VERSIONS.map((v) => `${interfaceName}@${v}`)]);
    keyCache.set(interfaceName, keys);
  }
  return keys;
}

/**
 * Builds the WASI imports for one component instance. Nothing is shared between calls:
 * each call has its own stdio caps, stdin position and denial listener.
 * @throws AgentOsError 'invalid-argument' when the options are invalid (see `resolveWasiOptions`).
 * The returned functions throw `WasiExit` on guest exit and AgentOsError 'limit-exceeded' when
 * the guest passes a cap; both unwind the guest as traps.
 */
export function createWasi(options: WasiOptions = {}): WasiImports {
  const o = resolveWasiOptions(options);
  const denials = new Denials(o.onDenied);
  const cli = createCliInterfaces({
    args: o.args,
    env: o.env,
    cwd: o.cwd,
    stdin: o.stdin,
    stdout: o.stdout,
    stderr: o.stderr,
    maxOutputBytes: o.limits.outputBytes,
    maxChunk: o.limits.readChunkBytes,
  });
  const clocks = createClockInterfaces(o.clock);
  const random = createRandomInterfaces({ random: o.random, maxBytes: o.limits.randomBytes });
  const fs = createFilesystemInterfaces({
    preopens: o.preopens,
    context: { clock: o.clock, denials, maxChunk: o.limits.readChunkBytes, maxFileBytes: o.limits.fileBytes },
  });
  const sockets = createSocketInterfaces(denials);
  const interfaces: WasiImports = {
    'wasi:cli/environment': cli.environment,
    'wasi:cli/exit': createExitInterface(),
    'wasi:cli/stdin': cli.stdin,
    'wasi:cli/stdout': cli.stdout,
    'wasi:cli/stderr': cli.stderr,
    'wasi:cli/terminal-input': cli.terminalInput,
    'wasi:cli/terminal-output': cli.terminalOutput,
    'wasi:cli/terminal-stdin': cli.terminalStdin,
    'wasi:cli/terminal-stdout': cli.terminalStdout,
    'wasi:cli/terminal-stderr': cli.terminalStderr,
    'wasi:clocks/monotonic-clock': clocks.monotonicClock,
    'wasi:clocks/wall-clock': clocks.wallClock,
    'wasi:random/random': random.random,
    'wasi:random/insecure': random.insecure,
    'wasi:random/insecure-seed': random.insecureSeed,
    'wasi:io/error': { Error: IoError },
    'wasi:io/poll': { Pollable, poll },
    'wasi:io/streams': { InputStream, OutputStream },
    'wasi:filesystem/types': fs.types,
    'wasi:filesystem/preopens': fs.preopens,
    'wasi:sockets/network': sockets.network,
    'wasi:sockets/instance-network': sockets.instanceNetwork,
    'wasi:sockets/tcp': sockets.tcp,
    'wasi:sockets/tcp-create-socket': sockets.tcpCreateSocket,
    'wasi:sockets/udp': sockets.udp,
    'wasi:sockets/udp-create-socket': sockets.udpCreateSocket,
    'wasi:sockets/ip-name-lookup': sockets.ipNameLookup,
  };
  const imports: WasiImports = {};
  for (const [name, iface] of Object.entries(interfaces)) {
    for (const key of wasiImportKeys(name)) imports[key] = iface;
  }
  return imports;
}
