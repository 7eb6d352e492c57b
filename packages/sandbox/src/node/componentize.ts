/**
 * Builds a WebAssembly component from a JavaScript or TypeScript entry file
 * and a WIT world: esbuild bundles local imports into one ES module (and strips
 * TypeScript), then componentize-qjs embeds it in QuickJS and snapshots it.
 * Node-only: componentize-qjs is a native addon and esbuild runs a child process.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { build as esbuild, type Message, type Plugin } from 'esbuild';
import { componentize } from 'componentize-qjs';
import { componentWit } from '@bytecodealliance/jco';
import { AgentOsError, isAgentOsError } from '../errors/index.ts';
import {
  componentizeError,
  jsName,
  parseWorldText,
  sourceError,
  type BuildContext,
  type WorldText,
} from '../build/index.ts';

/** What to build. */
export interface BuildComponentOptions {
  /** The entry module (`.js`, `.mjs` or `.ts`); its exports implement the world. */
  entry: string;
  /** A `.wit` file or a folder of them (a WIT package, with `deps/` if any). */
  witPath: string;
  /** The world to target; may be left out when the package has one world. */
  world?: string;
  /**
   * Replace every WASI import of the QuickJS runtime with a trap (default true),
   * so the component imports only its world. `Date.now()` and `Math.random()`
   * then trap: guests use the `clock` and `random` imports instead, which the
   * host journals. Pass false to keep WASI imports (served by agentos' own WASI).
   */
  stubWasi?: boolean;
  /** Use the size-optimised QuickJS runtime (smaller, somewhat slower). */
  optSize?: boolean;
}

/** A built component. */
export interface BuiltComponent {
  /** The component binary. */
  bytes: Uint8Array;
  /** Its world as read back from the binary. */
  world: WorldText;
  /** The bundled JavaScript that was embedded. */
  jsSource: string;
}

/** Exports componentize-qjs adds to every component for its own start-up. */
const RUNTIME_EXPORTS = new Set(['init']);

/**
 * Builds a component.
 * @throws AgentOsError 'invalid-argument' when the entry or WIT path does not
 * exist, the source does not compile (message `file:line:column: ...`), the
 * world is unknown, or the module misses an export the world requires;
 * 'invalid-component' when the WIT does not parse; 'internal' for other
 * toolchain failures.
 */
export async function buildComponent(options: BuildComponentOptions): Promise<BuiltComponent> {
  const context: BuildContext = { entry: options.entry, witPath: options.witPath, world: options.world };
  const entry = resolve(options.entry);
  const witPath = resolve(options.witPath);
  await mustExist(entry, 'entry file');
  await mustExist(witPath, 'WIT path');

  const bundle = await bundleEntry(entry, context);
  let bytes: Uint8Array;
  try {
    const result = await componentize({
      witPath,
      jsSource: bundle.source,
      world: options.world,
      stubWasi: options.stubWasi ?? true,
      optSize: options.optSize ?? false,
      // Our hosts do not implement the component-model async ABI.
      sync: true,
    });
    bytes = new Uint8Array(result.component.buffer, result.component.byteOffset, result.component.byteLength);
  } catch (error) {
    throw componentizeError(error, context);
  }
  const world = parseWorldText(await componentWit(bytes));
  checkExports(world, bundle.exports, context);
  return { bytes, world, jsSource: bundle.source };
}

async function mustExist(path: string, what: string): Promise<void> {
  try {
    await stat(path);
  } catch (error) {
    throw new AgentOsError('invalid-argument', `${what} not found: ${path}`, { cause: error, details: { path } });
  }
}

/** WIT interfaces (`agentos:runtime/log@0.1.0`) are provided by the component, not bundled. */
const witImportsExternal: Plugin = {
  name: 'wit-imports-external',
  setup(build) {
    build.onResolve({ filter: /^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*\// }, (args) => ({ path: args.path, external: true }));
  },
};

async function bundleEntry(entry: string, context: BuildContext): Promise<{ source: string; exports: string[] }> {
  try {
    const result = await esbuild({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform: 'neutral',
      outfile: 'bundle.js',
      write: false,
      metafile: true,
      logLevel: 'silent',
      plugins: [witImportsExternal],
    });
    const output = result.outputFiles[0];
    const exports = Object.values(result.metafile.outputs)[0]?.exports ?? [];
    return { source: output.text, exports };
  } catch (error) {
    const messages = (error as { errors?: Message[] }).errors;
    if (Array.isArray(messages) && messages.length > 0) throw sourceError(messages, context);
    throw isAgentOsError(error) ? error : new AgentOsError('internal', `esbuild failed: ${String(error)}`, { cause: error });
  }
}

function checkExports(world: WorldText, moduleExports: string[], context: BuildContext): void {
  const have = new Set(moduleExports);
  const missing = world.exports
    .filter((item) => !RUNTIME_EXPORTS.has(item.name))
    .map((item) => jsName(item.name))
    .filter((name) => !have.has(name));
  if (missing.length > 0) {
    const target = context.world ? `world '${context.world}'` : 'the world';
    throw new AgentOsError(
      'invalid-argument',
      `${context.entry} does not export ${missing.map((n) => `'${n}'`).join(', ')}, which ${target} requires`,
      { details: { file: context.entry, missing } },
    );
  }
}
