/**
 * Runs one conformance case twice: in our sandbox (metered, memory-capped,
 * hardened glue, our WASI) and as plain jco output (its glue and core modules
 * exactly as transpiled, no metering, no caps). Both runs must give the same values.
 *
 * A call marked `traps` must trap in both runs; it gets an instance of its own
 * (a trap poisons the instance it happens in) and its value is `{ trap: message }`,
 * the engine's own trap message, so a sandbox that reclassified the trap (say as
 * 'memory-limit') or trapped differently would not compare equal.
 */
import { readFileSync } from 'node:fs';
import { Engine, Store, dataUrlGlueLoader, linkImports, transpileComponent } from '../../../packages/sandbox/src/engine/index.ts';
import { isAgentOsError } from '../../../packages/sandbox/src/errors/index.ts';
import type { Call, ComponentCase, HostImports } from './cases.ts';

export const COMPONENTS_DIR = new URL('../../../../shared/conformance/components/', import.meta.url);

export function componentBytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(file, COMPONENTS_DIR)));
}

export interface SandboxRun {
  values: unknown[];
  fuelUsed: bigint;
  memoryPeakBytes: number;
}

/** What a trapping call gives, in either run. */
export interface Trapped {
  trap: string;
}

type Invoke = (call: Call) => unknown;

/**
 * Makes the calls in order. Calls that trap get a fresh instance each from `fresh`;
 * the others share one.
 */
async function callAll(c: ComponentCase, fresh: () => Promise<Invoke>, trapOf: (error: unknown) => Trapped): Promise<unknown[]> {
  const values: unknown[] = [];
  const shared = await fresh();
  for (const call of c.calls) {
    if (!call.traps) {
      values.push(await shared(call));
      continue;
    }
    const invoke = await fresh();
    const outcome = await Promise.resolve()
      .then(() => invoke(call))
      .then(
        (value) => ({ value }),
        (error: unknown) => ({ trapped: trapOf(error) }),
      );
    if (!('trapped' in outcome)) throw new Error(`${c.file}: ${call.path} was expected to trap but returned ${String(outcome.value)}.`);
    values.push(outcome.trapped);
  }
  return values;
}

/** The sandboxed run: every call's value, the fuel it all took and the memory peak. */
export async function runInSandbox(engine: Engine, c: ComponentCase): Promise<SandboxRun> {
  const component = await engine.load(componentBytes(c.file), {
    maxMemoryBytes: 64 * 1024 * 1024,
    ...(c.async ? { asyncImports: c.async.imports } : {}),
  });
  const stores: Store[] = [];
  const hosts = hostsOf(c);
  const fresh = async (): Promise<Invoke> => {
    const store = new Store({ fuel: 10_000_000_000n });
    stores.push(store);
    const instance = await component.instantiate(store, { imports: hosts.next() });
    return (call) => instance.call(call.path, call.args ?? []);
  };
  const values = await callAll(c, fresh, (error) => {
    if (isAgentOsError(error) && error.code === 'trap') return { trap: String((error.details as { wasmMessage?: unknown }).wasmMessage) };
    throw error;
  });
  hosts.verify();
  return {
    values,
    fuelUsed: stores.reduce((sum, s) => sum + s.fuel.used, 0n),
    memoryPeakBytes: Math.max(...stores.map((s) => s.memoryPeakBytes)),
  };
}

/** The reference run: jco's own glue and core modules, untouched. */
export async function runPlain(c: ComponentCase): Promise<unknown[]> {
  // jco's own tests of async fixtures transpile with these lists, and so do we.
  const transpiled = await transpileComponent(componentBytes(c.file), c.async ? { asyncImports: c.async.imports, asyncExports: c.async.exports } : {});
  const glue = await dataUrlGlueLoader.load(transpiled.glue, c.file);
  const hosts = hostsOf(c);
  const fresh = async (): Promise<Invoke> => {
    const imports = hosts.next();
    const exports = await glue.instantiate(
      (name) => WebAssembly.compile(transpiled.coreModules.get(name) as Uint8Array<ArrayBuffer>),
      // The same imports as the sandbox: what the case provides, denying stubs for the rest.
      linkImports(transpiled.imports, imports),
      (module, coreImports) => WebAssembly.instantiate(module, coreImports ?? {}),
    );
    return (call) => callPlain(exports, call.path, call.args ?? []);
  };
  const values = await callAll(c, fresh, (error) => {
    if (error instanceof WebAssembly.RuntimeError) return { trap: error.message };
    throw error;
  });
  hosts.verify();
  return values;
}

/** The hosts of one run: a fresh one per instance, each verified once the run's calls are done. */
function hostsOf(c: ComponentCase): { next: () => HostImports; verify: () => void } {
  const made: HostImports[] = [];
  return {
    next: () => {
      const imports = c.imports();
      made.push(imports);
      return imports;
    },
    verify: () => {
      for (const imports of made) c.verify?.(imports);
    },
  };
}

function callPlain(exports: Record<string, unknown>, path: string, args: unknown[]): unknown {
  const camel = (s: string) => s.replace(/-([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
  const hash = path.lastIndexOf('#');
  const holder = (hash < 0 ? exports : exports[path.slice(0, hash)]) as Record<string, (...a: unknown[]) => unknown>;
  return holder[camel(path.slice(hash + 1))](...args);
}
