import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture } from '../../../../test/fixtures/index.ts';
import { isAgentOsError } from '../errors/index.ts';
import { Engine, EXHAUSTED_WASM, fromPrecompiled, LOADER_FILE, Store, type Precompiled, type PrecompiledComponent } from './index.ts';

const LOG = { 'agentos:runtime/log': { log: () => {} } };
const engine = new Engine();
let dir: string;

// Instrumenting a QuickJS component takes seconds: precompile each fixture once.
const precompiledFixtures = new Map<string, Promise<Precompiled>>();
function precompileFixture(name: 'echo' | 'spin'): Promise<Precompiled> {
  let entry = precompiledFixtures.get(name);
  if (!entry) {
    entry = buildFixture(name).then(({ bytes }) => engine.precompile(bytes));
    precompiledFixtures.set(name, entry);
  }
  return entry;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'agentos-precompile-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Writes the files, bundles `index.js` the way a Worker build does (each
 * `import m from './x.wasm'` becomes a `WebAssembly.Module`) and imports the bundle.
 */
async function importBundled(name: string, precompiled: Precompiled): Promise<PrecompiledComponent> {
  const out = join(dir, name);
  await mkdir(out, { recursive: true });
  for (const [file, contents] of Object.entries(precompiled.files)) await writeFile(join(out, file), contents);
  // Worker bundlers hand `import m from './x.wasm'` a WebAssembly.Module; here the module is
  // built from the same file's bytes (the esbuild binary loader).
  const wasmAsModule: esbuild.Plugin = {
    name: 'wasm-as-module',
    setup(build) {
      build.onResolve({ filter: /\.wasm$/ }, (args) =>
        args.namespace === 'wasm-module' ? { path: args.path, namespace: 'file' } : { path: join(args.resolveDir, args.path), namespace: 'wasm-module' },
      );
      build.onLoad({ filter: /.*/, namespace: 'wasm-module' }, (args) => ({
        contents: `import bytes from ${JSON.stringify(args.path)}; export default new WebAssembly.Module(bytes);`,
        loader: 'js',
        resolveDir: out,
      }));
    },
  };
  const bundle = join(out, 'bundle.mjs');
  await esbuild.build({
    entryPoints: [join(out, LOADER_FILE)],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    outfile: bundle,
    plugins: [wasmAsModule],
    loader: { '.wasm': 'binary' },
    logLevel: 'silent',
  });
  return ((await import(pathToFileURL(bundle).href)) as { default: PrecompiledComponent }).default;
}

/** Runs `fn` with run-time wasm compilation disallowed, as workerd does. */
async function withoutCodeGeneration<T>(fn: () => Promise<T>): Promise<T> {
  const wasm = WebAssembly as unknown as Record<string, unknown>;
  const saved = { Module: wasm.Module, compile: wasm.compile, instantiate: wasm.instantiate };
  const refuse = (): never => {
    throw new WebAssembly.CompileError('Wasm code generation disallowed by embedder');
  };
  wasm.Module = new Proxy(saved.Module as object, { construct: refuse });
  wasm.compile = refuse;
  wasm.instantiate = (source: unknown, imports?: WebAssembly.Imports) =>
    source instanceof (saved.Module as typeof WebAssembly.Module) ? (saved.instantiate as typeof WebAssembly.instantiate)(source, imports) : refuse();
  try {
    return await fn();
  } finally {
    Object.assign(wasm, saved);
  }
}

async function outcome(run: () => Promise<unknown>): Promise<{ ok: unknown } | { code: string }> {
  try {
    return { ok: await run() };
  } catch (error) {
    if (isAgentOsError(error)) return { code: error.code };
    throw error;
  }
}

describe('precompile', () => {
  it('writes hardened glue, metered and capped core modules, the fuel hook and a loader importing them statically', async () => {
    const { bytes } = await buildFixture('echo');
    const precompiled = await engine.precompile(bytes, { maxMemoryBytes: 32 * 1024 * 1024 });
    const files = precompiled.files;
    const loader = files[LOADER_FILE] as string;
    const wasmFiles = Object.keys(files).filter((f) => f.endsWith('.wasm'));
    expect(wasmFiles).toContain('agentos-exhausted.wasm');
    expect(wasmFiles.filter((f) => f !== 'agentos-exhausted.wasm').every((f) => /\.[0-9a-f]{16}\.wasm$/.test(f))).toBe(true);
    const glue = files['glue.js'] as string;
    for (const file of wasmFiles) expect(loader).toContain(`from './${file}';`);
    expect(loader).toContain(`import * as glue from './glue.js';`);
    expect(glue).toContain('$agentos.utf8Decoder');
    expect(glue).not.toMatch(/\bnew Function\b|\beval\(|\bimport\(|^import |new WebAssembly\.Module\(/m);
    // jco's run-time helper modules travel as files too, handed to the glue by the Component.
    expect(precompiled.manifest.files.inline.length).toBeGreaterThan(0);
    expect(glue).toContain('$agentos.inlineModules[0]');
    let metered = 0;
    expect(precompiled.manifest.modules).toContain('component.core.wasm');
    for (const file of wasmFiles.filter((f) => f.startsWith('component.core'))) {
      const module = new WebAssembly.Module(files[file] as Uint8Array<ArrayBuffer>);
      if (WebAssembly.Module.imports(module).some((i) => i.module === 'agentos:fuel')) metered++;
    }
    expect(metered).toBeGreaterThan(0);
    expect(precompiled.manifest).toMatchObject({ metered: true, maxMemoryBytes: 32 * 1024 * 1024, preemptible: false });
  });

  it('runs the bundled output without compiling anything, with the result and fuel of engine.load', async () => {
    const { bytes } = await buildFixture('echo');
    const loaded = await engine.load(bytes);
    const reference = new Store();
    const expected = await (await loaded.instantiate(reference, { imports: LOG })).call('invoke', ['{"a":[1,2]}']);

    const bundled = await importBundled('echo', await precompileFixture('echo'));
    const store = new Store();
    const actual = await withoutCodeGeneration(async () => {
      const component = fromPrecompiled(bundled);
      return (await component.instantiate(store, { imports: LOG })).call('invoke', ['{"a":[1,2]}']);
    });
    expect(actual).toEqual(expected);
    expect(store.fuel.used).toBe(reference.fuel.used);
    expect(store.fuel.used).toBeGreaterThan(0n);
  });

  it('instantiates an engine.load component without compiling: jco\'s helper modules are compiled once at load', async () => {
    const { bytes } = await buildFixture('echo');
    const loaded = await engine.load(bytes);
    const first = await (await loaded.instantiate(new Store(), { imports: LOG })).call('invoke', ['{"b":1}']);
    const again = await withoutCodeGeneration(async () => (await loaded.instantiate(new Store(), { imports: LOG })).call('invoke', ['{"b":1}']));
    expect(again).toEqual(first);
  });

  it('stops a precompiled spinning guest with out-of-fuel at the same count as engine.load', async () => {
    const { bytes } = await buildFixture('spin');
    const reference = new Store({ fuel: 2_000_000n });
    const expected = await outcome(async () => (await (await engine.load(bytes)).instantiate(reference, { imports: LOG })).call('invoke', ['{}']));
    const bundled = await importBundled('spin', await precompileFixture('spin'));
    const store = new Store({ fuel: 2_000_000n });
    const actual = await withoutCodeGeneration(() =>
      outcome(async () => (await Engine.fromPrecompiled(bundled).instantiate(store, { imports: LOG })).call('invoke', ['{}'])),
    );
    expect(actual).toEqual({ code: 'out-of-fuel' });
    expect(expected).toEqual(actual);
    expect(store.fuel.used).toBe(reference.fuel.used);
  });

  it('refuses a loader export whose .wasm imports were not turned into modules, with invalid-argument', async () => {
    const precompiled = await precompileFixture('echo');
    const fake = { format: 'agentos-precompiled/1', manifest: precompiled.manifest, glue: { instantiate: async () => ({}) }, exhausted: new Uint8Array(8), modules: {} };
    expect(() => fromPrecompiled(fake as unknown as PrecompiledComponent)).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => fromPrecompiled({ ...fake, format: 'other/9' } as unknown as PrecompiledComponent)).toThrow(/format is "other\/9"/);
    const withoutInline = { ...fake, exhausted: new WebAssembly.Module(EXHAUSTED_WASM as Uint8Array<ArrayBuffer>) };
    expect(() => fromPrecompiled(withoutInline as unknown as PrecompiledComponent)).toThrow(/glue helper modules/);
  });
});
