/**
 * The Engine holds what is shared and expensive: jco transpile output and
 * compiled core modules, both cached by content hash (SHA-256), so loading the
 * same component twice costs two hash computations and instantiating it costs
 * only `WebAssembly.instantiate`.
 *
 * Every core module of a component is passed through `instrument()` (fuel
 * metering + memory/table caps, see metering/) before it is compiled, after its
 * data segments are merged (data-segments.ts: fewer to initialize per
 * instance). The glue is hardened (see boundary/) and loaded through an
 * injectable `GlueLoader` (jco's inline helper modules compiled once), so
 * this file stays portable; workerd, which cannot compile at runtime, uses
 * `precompile` at build time (precompile.ts) and `fromPrecompiled` at runtime
 * (precompiled.ts).
 */
import { hardenGlue } from '../boundary/index.ts';
import { AgentOsError } from '../errors/index.ts';
import { Component } from './component.ts';
import { mergeDataSegments } from './data-segments.ts';
import { dataUrlGlueLoader, loadHardenedGlue, type GlueLoader, type LoadedGlue } from './glue-loader.ts';
import { sha256Hex } from './hash.ts';
import { precompiledFiles, type Precompiled } from './precompile.ts';
import { fromPrecompiled, type PrecompiledComponent } from './precompiled.ts';
import { exportedFunctions, type ExportedFunction } from './signatures.ts';
import { transpileComponent, type Transpiled } from './transpile.ts';

/** Default cap on the size of a component binary: 128 MiB (metering's cap on one core module). */
export const DEFAULT_MAX_COMPONENT_BYTES = 128 * 1024 * 1024;

/** Default cap on each guest memory: 64 MiB. */
export const DEFAULT_MAX_MEMORY_BYTES = 64 * 1024 * 1024;

/** What `instrument` (metering/) must provide; injectable for tests and alternative meters. */
export type Instrument = (
  bytes: Uint8Array,
  options: { maxMemoryBytes?: number; maxTableElements?: number; meter?: boolean },
) => { bytes: Uint8Array } | Promise<{ bytes: Uint8Array }>;

export interface EngineOptions {
  /** How glue source becomes a module; default imports a `data:` URL. */
  glueLoader?: GlueLoader;
  /** The metering rewriter; default is metering/'s `instrument`. */
  instrument?: Instrument;
}

export interface LoadOptions {
  /** Largest component binary accepted, refused before any parsing (default `DEFAULT_MAX_COMPONENT_BYTES`). */
  maxComponentBytes?: number;
  /** Inject fuel metering (default true). Without it the store's fuel is not counted. */
  meter?: boolean;
  /** Cap on each memory, baked into the core modules (default 64 MiB; ignored with `cap: false`). */
  maxMemoryBytes?: number;
  /** Cap on each table's elements. */
  maxTableElements?: number;
  /** Instrument for memory/table caps at all (default true). `meter: false, cap: false` runs jco's output as it is. */
  cap?: boolean;
  /**
   * Make every export suspendable (JSPI): needed for a Store with a `yield` hook and for
   * host imports that return Promises.
   */
  preemptible?: boolean;
  /** Host imports (`iface#func`) that may return a Promise; implies JSPI for all exports. */
  asyncImports?: string[];
}

/** What a core module is instrumented with, resolved from LoadOptions. */
interface CoreSettings {
  meter: boolean;
  cap: boolean;
  maxMemoryBytes: number | undefined;
  maxTableElements: number | undefined;
  /** The glue calls exports through JSPI. */
  async: boolean;
}

export class Engine {
  readonly #loader: GlueLoader;
  readonly #instrument: Instrument | undefined;
  readonly #transpiled = new Map<string, Promise<Transpiled>>();
  readonly #compiled = new Map<string, Promise<WebAssembly.Module>>();
  readonly #glue = new Map<string, Promise<LoadedGlue>>();

  constructor(options: EngineOptions = {}) {
    this.#loader = options.glueLoader ?? dataUrlGlueLoader;
    this.#instrument = options.instrument;
  }

  /**
   * Loads a component: transpile, harden, instrument and compile each core module (all cached).
   * @throws AgentOsError('limit-exceeded') for bytes over `maxComponentBytes`, before any work;
   *   'invalid-component' for bytes jco cannot bind or a core module that does
   *   not compile; 'memory-limit' when a module's minimum memory is above the cap; metering's
   *   'unsupported-feature'/'limit-exceeded'; 'internal' when the glue cannot be hardened.
   */
  async load(bytes: Uint8Array, options: LoadOptions = {}): Promise<Component> {
    const { hash, transpiled, settings } = await this.#prepare(bytes, options);
    const modules = new Map<string, WebAssembly.Module>();
    await Promise.all(
      [...transpiled.coreModules].map(async ([name, core]) => {
        modules.set(name, await this.#compile(core, settings));
      }),
    );
    const glueKey = await sha256Hex(transpiled.glue);
    let glue = this.#glue.get(glueKey);
    if (!glue) {
      glue = loadHardenedGlue(this.#loader, hardenGlue(transpiled.glue).source, glueKey);
      this.#glue.set(glueKey, glue);
      glue.catch(() => this.#glue.delete(glueKey));
    }
    const loaded = await glue;
    return new Component({
      glue: loaded.module,
      inlineModules: loaded.inlineModules,
      modules,
      imports: transpiled.imports,
      functions: exportedFunctions(transpiled.typings),
      metered: settings.meter,
      maxMemoryBytes: settings.maxMemoryBytes,
      hash,
      async: settings.async,
      asyncImports: options.asyncImports,
    });
  }

  /**
   * Does at build time what `load` does, for hosts that cannot compile at run time
   * (workerd): returns the files to bundle — hardened glue, metered and capped core
   * modules, the fuel hook and a loader `index.js` whose default export
   * `Engine.fromPrecompiled` turns into a Component with the same fuel and limits.
   * @throws what `load` throws, except that core modules are validated, not compiled.
   */
  async precompile(bytes: Uint8Array, options: LoadOptions = {}): Promise<Precompiled> {
    const { hash, transpiled, settings } = await this.#prepare(bytes, options);
    const modules = new Map<string, Uint8Array>();
    for (const [name, core] of transpiled.coreModules) {
      const instrumented = await this.#instrumented(core, settings);
      if (!WebAssembly.validate(instrumented as Uint8Array<ArrayBuffer>)) {
        throw new AgentOsError('invalid-component', `The core module ${name} of the component does not validate after metering.`);
      }
      modules.set(name, instrumented);
    }
    return await precompiledFiles({
      glue: hardenGlue(transpiled.glue).source,
      modules,
      manifest: {
        hash,
        imports: transpiled.imports,
        functions: exportedFunctions(transpiled.typings),
        metered: settings.meter,
        maxMemoryBytes: settings.maxMemoryBytes,
        maxTableElements: settings.maxTableElements,
        preemptible: settings.async,
        asyncImports: options.asyncImports ?? [],
      },
    });
  }

  /**
   * A Component from the default export of a precompiled `index.js`; compiles nothing.
   * @throws AgentOsError('invalid-argument') for anything else (see precompiled.ts).
   */
  static fromPrecompiled(precompiled: PrecompiledComponent): Component {
    return fromPrecompiled(precompiled);
  }

  async #prepare(bytes: Uint8Array, options: LoadOptions): Promise<{ hash: string; transpiled: Transpiled; settings: CoreSettings }> {
    const maxBytes = options.maxComponentBytes ?? DEFAULT_MAX_COMPONENT_BYTES;
    if (bytes.byteLength > maxBytes) {
      throw new AgentOsError('limit-exceeded', `The component is ${bytes.byteLength} bytes; the limit is ${maxBytes} bytes. Raise maxComponentBytes if it is meant to be this large.`, {
        details: { limit: 'maxComponentBytes', max: maxBytes, actual: bytes.byteLength },
      });
    }
    const hash = await sha256Hex(bytes);
    const async = options.preemptible === true || (options.asyncImports?.length ?? 0) > 0;
    const transpiled = await this.#transpile(hash, bytes, async, options.asyncImports ?? []);
    const cap = options.cap ?? true;
    const settings: CoreSettings = {
      meter: options.meter ?? true,
      cap,
      maxMemoryBytes: cap ? (options.maxMemoryBytes ?? DEFAULT_MAX_MEMORY_BYTES) : undefined,
      maxTableElements: options.maxTableElements,
      async,
    };
    return { hash, transpiled, settings };
  }

  /** jco output for a component, cached by hash and async mode. */
  async transpile(bytes: Uint8Array, options: { async?: boolean; asyncImports?: string[] } = {}): Promise<Transpiled> {
    return this.#transpile(await sha256Hex(bytes), bytes, options.async ?? false, options.asyncImports ?? []);
  }

  #transpile(hash: string, bytes: Uint8Array, async: boolean, asyncImports: string[]): Promise<Transpiled> {
    const key = `${hash}:${async}:${asyncImports.join(',')}`;
    let entry = this.#transpiled.get(key);
    if (!entry) {
      entry = async ? this.#transpileAsync(hash, bytes, asyncImports) : transpileComponent(bytes);
      this.#transpiled.set(key, entry);
      entry.catch(() => this.#transpiled.delete(key));
    }
    return entry;
  }

  /** JSPI glue needs the export names up front; the sync transpile's typings give them. */
  async #transpileAsync(hash: string, bytes: Uint8Array, asyncImports: string[]): Promise<Transpiled> {
    const plain = await this.#transpile(hash, bytes, false, []);
    const asyncExports = exportedFunctions(plain.typings).map((f: ExportedFunction) => f.path);
    return transpileComponent(bytes, { asyncExports, asyncImports });
  }

  async #compile(core: Uint8Array, settings: CoreSettings): Promise<WebAssembly.Module> {
    const { meter, cap, maxMemoryBytes, maxTableElements } = settings;
    const instrumented = meter || cap;
    const key = `${await sha256Hex(core)}:${instrumented ? JSON.stringify({ meter, cap, maxMemoryBytes, maxTableElements }) : 'plain'}`;
    let entry = this.#compiled.get(key);
    if (!entry) {
      entry = (async () => {
        const input = await this.#instrumented(core, settings);
        try {
          return await WebAssembly.compile(input as Uint8Array<ArrayBuffer>);
        } catch (cause) {
          throw new AgentOsError('invalid-component', `A core module of the component does not compile: ${(cause as Error).message}`, { cause });
        }
      })();
      this.#compiled.set(key, entry);
      entry.catch(() => this.#compiled.delete(key));
    }
    return entry;
  }

  /**
   * The core module as it will run: data segments merged (data-segments.ts) and metered and/or
   * capped, or untouched with neither.
   */
  async #instrumented(core: Uint8Array, settings: CoreSettings): Promise<Uint8Array> {
    if (!settings.meter && !settings.cap) return core;
    const instrument = await this.#instrumenter();
    const options = { meter: settings.meter, maxMemoryBytes: settings.maxMemoryBytes, maxTableElements: settings.maxTableElements };
    return (await instrument(mergeDataSegments(core), options)).bytes;
  }

  async #instrumenter(): Promise<Instrument> {
    if (this.#instrument) return this.#instrument;
    const metering = (await import('../metering/index.ts')) as { instrument: Instrument };
    return metering.instrument;
  }
}
