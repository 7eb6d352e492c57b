/**
 * How the engine turns jco's glue (an ES module source string) into a live
 * module. Hosts differ: Node and Chromium can import a `data:` URL; a browser
 * with a strict CSP needs a Blob URL; workerd cannot evaluate code at runtime at
 * all and uses precompiled output instead (`Engine.fromPrecompiled`). The node/
 * adapter offers a temp-file loader for runners that cannot import `data:` URLs.
 *
 * `loadHardenedGlue` also lifts the small helper modules jco inlines in the glue
 * (byte arrays compiled by `new WebAssembly.Module`, e.g. for JSPI task
 * switching) out of `instantiate()`, and compiles each once per glue instead of
 * once per instance (~100 µs each for a QuickJS tool).
 */
import { AgentOsError } from '../errors/index.ts';
import { liftInlineModules } from './precompile.ts';

/** The one export of jco glue we use (instantiation: async). */
export type GlueInstantiate = (
  getCoreModule: (name: string) => WebAssembly.Module | Promise<WebAssembly.Module>,
  imports: Record<string, unknown>,
  instantiateCore: (module: WebAssembly.Module, imports?: WebAssembly.Imports) => Promise<WebAssembly.Instance>,
  hooks?: unknown,
) => Promise<Record<string, unknown>>;

export interface GlueModule {
  instantiate: GlueInstantiate;
}

export interface GlueLoader {
  /** Evaluates `source` as an ES module; `key` (its content hash) lets a loader cache or name files. */
  load(source: string, key: string): Promise<GlueModule>;
}

/** Imports the glue from a `data:` URL (Node, Chromium, Firefox; not under a CSP that forbids it). */
export const dataUrlGlueLoader: GlueLoader = {
  async load(source: string): Promise<GlueModule> {
    const url = `data:text/javascript;charset=utf-8,${encodeURIComponent(source)}`;
    return (await import(/* @vite-ignore */ url)) as GlueModule;
  },
};

/** Imports the glue from a Blob URL (browsers and workers whose CSP allows `blob:` scripts). */
export const blobUrlGlueLoader: GlueLoader = {
  async load(source: string): Promise<GlueModule> {
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    try {
      return (await import(/* @vite-ignore */ url)) as GlueModule;
    } finally {
      URL.revokeObjectURL(url);
    }
  },
};

/** Hardened glue as a Component runs it: the module and the helper modules it reads as `$agentos.inlineModules[i]`. */
export interface LoadedGlue {
  module: GlueModule;
  inlineModules: WebAssembly.Module[];
}

/**
 * Lifts jco's inline helper modules out of hardened glue, compiles them and loads the rest with `loader`.
 * @throws AgentOsError('internal') when the glue builds a helper module where `$agentos` is unknown
 *   or one does not compile (they are jco's, not the guest's); what `loader` throws.
 */
export async function loadHardenedGlue(loader: GlueLoader, source: string, key: string): Promise<LoadedGlue> {
  const lifted = liftInlineModules(source);
  const inlineModules = await Promise.all(
    lifted.modules.map(async (bytes) => {
      try {
        return await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
      } catch (cause) {
        throw new AgentOsError('internal', `A helper module inlined in jco's glue does not compile: ${(cause as Error).message}`, { cause });
      }
    }),
  );
  return { module: await loader.load(lifted.source, key), inlineModules };
}
