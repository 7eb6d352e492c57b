/**
 * Bundles host-side scenario code (TypeScript from packages/sandbox and
 * test/hosts) into one ES module for workerd or a Chromium worker. Node-only.
 */
import * as esbuild from 'esbuild';

/**
 * The jco bindgen is imported lazily by the Engine and only when it must
 * transpile; hosts here run precompiled output, so it stays out of the bundle
 * (it also reaches for node:fs, which neither host has).
 */
const NEVER_BUNDLED = ['@bytecodealliance/jco-transpile', '@bytecodealliance/jco-transpile/*'];

export interface BundleOptions {
  /** A file to start from, or generated entry source resolved against `resolveDir`. */
  entry: { path: string } | { source: string; resolveDir: string };
  platform: 'browser' | 'neutral';
  /** Imports left for the host to resolve (e.g. `*.wasm` modules in workerd). */
  external?: string[];
}

/** Returns the bundled module source. Throws esbuild's errors when the code does not resolve. */
export async function bundle(options: BundleOptions): Promise<string> {
  const entry = options.entry;
  const result = await esbuild.build({
    ...('path' in entry
      ? { entryPoints: [entry.path] }
      : { stdin: { contents: entry.source, resolveDir: entry.resolveDir, loader: 'ts' as const, sourcefile: 'entry.ts' } }),
    bundle: true,
    format: 'esm',
    platform: options.platform,
    target: 'es2022',
    external: [...NEVER_BUNDLED, ...(options.external ?? [])],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
