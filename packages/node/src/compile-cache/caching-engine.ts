/**
 * CachingEngine: an `Engine` that keeps what `load` produces on disk, so a
 * Node host process that starts, runs an agent for a while and exits (every
 * `agentos agent` command, every restart after a crash) does not transpile
 * and meter the same component again. Transpiling and instrumenting a
 * QuickJS-based agent costs seconds; loading its precompiled files costs one
 * `WebAssembly.compile` per core module.
 *
 * Entries are the files of `engine.precompile` (the same metered modules and
 * hardened glue the workerd path runs, with identical fuel counts), one folder
 * per (component hash, load options, toolchain) key, written to a temporary
 * folder and renamed into place, so concurrent processes never read half an
 * entry. The key covers the sources of the sandbox's transform (metering,
 * engine, boundary, wasm) and the jco version, so any change there misses.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  Engine, fromPrecompiled, PRECOMPILED_FORMAT,
  type Component, type EngineOptions, type GlueModule, type LoadOptions, type PrecompiledManifest,
} from '../../../sandbox/src/index.ts';

export interface CachingEngineOptions extends EngineOptions {
  /** Folder of the cache (created on first write). */
  directory: string;
}

const MANIFEST = 'manifest.json';
const SANDBOX = fileURLToPath(new URL('../../../sandbox/src/', import.meta.url));
const TRANSFORM_FOLDERS = ['metering', 'engine', 'boundary', 'wasm'];

let toolchain: string | undefined;

/** A digest of everything that shapes `precompile`'s output besides the component and options. */
function toolchainKey(): string {
  if (toolchain) return toolchain;
  const hash = createHash('sha256').update(PRECOMPILED_FORMAT);
  const require = createRequire(import.meta.url);
  for (const name of ['@bytecodealliance/jco', '@bytecodealliance/jco-transpile']) {
    try {
      hash.update(`${name}@${(require(`${name}/package.json`) as { version: string }).version}`);
    } catch {
      hash.update(`${name}@absent`);
    }
  }
  for (const folder of TRANSFORM_FOLDERS) {
    const dir = join(SANDBOX, folder);
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort();
    for (const file of files) hash.update(`${folder}/${file}\0`).update(readFileSync(join(dir, file)));
  }
  return (toolchain = hash.digest('hex'));
}

export class CachingEngine extends Engine {
  readonly directory: string;
  readonly #loaded = new Map<string, Promise<Component>>();

  constructor(options: CachingEngineOptions) {
    super(options);
    this.directory = options.directory;
  }

  /**
   * Like `Engine.load`, from the disk cache when an entry exists (else
   * precompiles, stores the entry, and loads it from there).
   * @throws what `Engine.load` throws; a damaged cache entry is discarded and rebuilt, not reported.
   */
  override load(bytes: Uint8Array, options: LoadOptions = {}): Promise<Component> {
    const key = createHash('sha256')
      .update(toolchainKey())
      .update(JSON.stringify([options.meter ?? true, options.cap ?? true, options.maxMemoryBytes ?? null, options.maxTableElements ?? null, options.preemptible ?? false, options.asyncImports ?? []]))
      .update(bytes)
      .digest('hex')
      .slice(0, 32);
    let loading = this.#loaded.get(key);
    if (!loading) {
      loading = this.#load(key, bytes, options);
      this.#loaded.set(key, loading);
      loading.catch(() => this.#loaded.delete(key));
    }
    return loading;
  }

  async #load(key: string, bytes: Uint8Array, options: LoadOptions): Promise<Component> {
    const folder = join(this.directory, key);
    if (existsSync(join(folder, MANIFEST))) {
      try {
        return await loadEntry(folder);
      } catch {
        // A damaged or foreign entry: rebuild it below.
        await rm(folder, { recursive: true, force: true });
      }
    }
    const { files, manifest } = await this.precompile(bytes, options);
    const temp = `${folder}.${process.pid}.${Date.now()}.tmp`;
    await mkdir(temp, { recursive: true });
    for (const [name, content] of Object.entries(files)) await writeFile(join(temp, name), content);
    await writeFile(join(temp, MANIFEST), JSON.stringify(manifest));
    try {
      await rename(temp, folder);
    } catch {
      // Another process stored the same entry first.
      await rm(temp, { recursive: true, force: true });
    }
    return loadEntry(folder);
  }
}

async function loadEntry(folder: string): Promise<Component> {
  const manifest = JSON.parse(await readFile(join(folder, MANIFEST), 'utf8')) as PrecompiledManifest;
  const compile = async (file: string): Promise<WebAssembly.Module> => WebAssembly.compile(await readFile(join(folder, file)));
  const glue = (await import(pathToFileURL(join(folder, manifest.files.glue)).href)) as GlueModule;
  const modules: Record<string, WebAssembly.Module> = {};
  await Promise.all(Object.entries(manifest.files.modules).map(async ([name, file]) => (modules[name] = await compile(file))));
  return fromPrecompiled({
    format: PRECOMPILED_FORMAT, manifest, glue, exhausted: await compile(manifest.files.exhausted), modules,
    inline: await Promise.all(manifest.files.inline.map(compile)),
  });
}
