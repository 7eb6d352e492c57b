/**
 * Runs one conformance case twice: in our sandbox (metered, memory-capped,
 * hardened glue, our WASI) and as plain jco output (its glue and core modules
 * exactly as transpiled, no metering, no caps). Both runs must give the same values.
 */
import { readFileSync } from 'node:fs';
import { Engine, Store, dataUrlGlueLoader, linkImports, transpileComponent } from '../../../packages/sandbox/src/engine/index.ts';
import type { ComponentCase } from './cases.ts';

export const COMPONENTS_DIR = new URL('../../../../shared/conformance/components/', import.meta.url);

export function componentBytes(file: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(file, COMPONENTS_DIR)));
}

export interface SandboxRun {
  values: unknown[];
  fuelUsed: bigint;
  memoryPeakBytes: number;
}

/** The sandboxed run: every call's value, the fuel it all took and the memory peak. */
export async function runInSandbox(engine: Engine, c: ComponentCase): Promise<SandboxRun> {
  const component = await engine.load(componentBytes(c.file), { maxMemoryBytes: 64 * 1024 * 1024 });
  const store = new Store({ fuel: 10_000_000_000n });
  const instance = await component.instantiate(store, { imports: c.imports() });
  const values: unknown[] = [];
  for (const call of c.calls) values.push(await instance.call(call.path, call.args ?? []));
  return { values, fuelUsed: store.fuel.used, memoryPeakBytes: store.memoryPeakBytes };
}

/** The reference run: jco's own glue and core modules, untouched. */
export async function runPlain(c: ComponentCase): Promise<unknown[]> {
  const transpiled = await transpileComponent(componentBytes(c.file));
  const glue = await dataUrlGlueLoader.load(transpiled.glue, c.file);
  const exports = await glue.instantiate(
    (name) => WebAssembly.compile(transpiled.coreModules.get(name) as Uint8Array<ArrayBuffer>),
    // The same imports as the sandbox: what the case provides, denying stubs for the rest.
    linkImports(transpiled.imports, c.imports()),
    (module, imports) => WebAssembly.instantiate(module, imports ?? {}),
  );
  const values: unknown[] = [];
  for (const call of c.calls) values.push(await callPlain(exports, call.path, call.args ?? []));
  return values;
}

function callPlain(exports: Record<string, unknown>, path: string, args: unknown[]): unknown {
  const camel = (s: string) => s.replace(/-([a-z0-9])/g, (_, ch: string) => ch.toUpperCase());
  const hash = path.lastIndexOf('#');
  const holder = (hash < 0 ? exports : exports[path.slice(0, hash)]) as Record<string, (...a: unknown[]) => unknown>;
  return holder[camel(path.slice(hash + 1))](...args);
}
