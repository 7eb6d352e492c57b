/**
 * The run-time half of precompiled components: turns what a precompiled
 * loader module (`index.js`, written by `engine.precompile`) exports into a
 * `Component`, without transpiling, instrumenting or compiling anything. This
 * is how hosts that forbid run-time code generation (workerd: "Wasm code
 * generation disallowed by embedder") run components: the bundler turns each
 * `import m from './x.wasm'` into a `WebAssembly.Module`, and the glue is an
 * ordinary, statically imported ES module.
 *
 * Keep this file free of imports that reach jco or the metering rewriter: a
 * Worker bundle that only runs precompiled output should not carry them.
 */
import { AgentOsError } from '../errors/index.ts';
import { Component } from './component.ts';
import { provideExhaustedModule } from './exhausted.ts';
import type { GlueModule } from './glue-loader.ts';
import type { ExportedFunction } from './signatures.ts';

/** The version of the precompiled layout; bumped whenever loader or manifest change shape. */
export const PRECOMPILED_FORMAT = 'agentos-precompiled/1';

/** Which file holds what, for hosts that assemble a `PrecompiledComponent` without the loader. */
export interface PrecompiledFiles {
  glue: string;
  exhausted: string;
  /** Core module name (as the glue asks for it) → file name. */
  modules: Record<string, string>;
  /** Files of the glue's helper modules, in `inline` order. */
  inline: string[];
}

/** What `engine.precompile` recorded about the component (JSON-safe). */
export interface PrecompiledManifest {
  /** SHA-256 (hex) of the original component bytes. */
  hash: string;
  /** Import specifiers the glue reads (WIT interface names). */
  imports: string[];
  functions: ExportedFunction[];
  /** Core module names as the glue asks for them (keys of `PrecompiledComponent.modules`), sorted. */
  modules: string[];
  files: PrecompiledFiles;
  metered: boolean;
  maxMemoryBytes: number | undefined;
  maxTableElements: number | undefined;
  /** True when the glue calls exports through JSPI (`preemptible` or `asyncImports`). */
  preemptible: boolean;
  asyncImports: string[];
}

/** The default export of a precompiled `index.js`. */
export interface PrecompiledComponent {
  format: string;
  manifest: PrecompiledManifest;
  /** The hardened glue module (`import * as glue from './glue.js'`). */
  glue: GlueModule;
  /** The compiled `exhausted` hook (exhausted.ts), so stores need not compile it at run time. */
  exhausted: WebAssembly.Module;
  /** Compiled, metered and capped core modules by the name the glue asks for. */
  modules: Record<string, WebAssembly.Module>;
  /**
   * The glue's helper modules (`manifest.files.inline`, compiled, same order), which it reads as
   * `$agentos.inlineModules[i]`. Required whenever that list is not empty (jco's JSPI glue has one).
   */
  inline?: WebAssembly.Module[];
}

/**
 * Builds a Component from a precompiled loader's default export. Synchronous and
 * compiles nothing; instantiate it into a Store exactly like `engine.load`'s result.
 * @throws AgentOsError('invalid-argument') when `precompiled` is not the default export of a
 *   loader this version writes (wrong format, a .wasm import not turned into a
 *   `WebAssembly.Module` by the bundler, a glue without `instantiate`).
 */
export function fromPrecompiled(precompiled: PrecompiledComponent): Component {
  const fail = (why: string): never => {
    throw new AgentOsError('invalid-argument', `Not a precompiled component this version of agentos can run: ${why}. Run \`agentos precompile\` again and import its index.js.`, {
      details: { expectedFormat: PRECOMPILED_FORMAT },
    });
  };
  if (typeof precompiled !== 'object' || precompiled === null) return fail('expected the default export of index.js');
  if (precompiled.format !== PRECOMPILED_FORMAT) return fail(`format is ${JSON.stringify(precompiled.format)}, expected ${PRECOMPILED_FORMAT}`);
  if (typeof precompiled.glue?.instantiate !== 'function') return fail('the glue module has no instantiate()');
  const isModule = (value: unknown): value is WebAssembly.Module => value instanceof WebAssembly.Module;
  if (!isModule(precompiled.exhausted)) return fail('the fuel hook import is not a WebAssembly.Module (configure the bundler to import .wasm files as modules)');
  const manifest = precompiled.manifest;
  const inline = precompiled.inline ?? [];
  if (!Array.isArray(inline) || inline.length !== (manifest.files?.inline.length ?? 0) || !inline.every(isModule)) {
    return fail(`expected \`inline\` to hold the ${manifest.files?.inline.length ?? 0} glue helper modules of manifest.files.inline as WebAssembly.Module`);
  }
  const modules = new Map<string, WebAssembly.Module>();
  for (const name of manifest.modules) {
    const module = precompiled.modules[name];
    if (!isModule(module)) return fail(`core module '${name}' is not a WebAssembly.Module (configure the bundler to import .wasm files as modules)`);
    modules.set(name, module);
  }
  provideExhaustedModule(precompiled.exhausted);
  return new Component({
    glue: precompiled.glue,
    modules,
    imports: manifest.imports,
    functions: manifest.functions,
    metered: manifest.metered,
    maxMemoryBytes: manifest.maxMemoryBytes,
    hash: manifest.hash,
    inlineModules: inline,
    async: manifest.preemptible,
    asyncImports: manifest.asyncImports,
  });
}
