/**
 * How the engine turns jco's glue (an ES module source string) into a live
 * module. Hosts differ: Node and Chromium can import a `data:` URL; a browser
 * with a strict CSP needs a Blob URL; workerd cannot evaluate code at runtime at
 * all and uses precompiled output instead (`Engine.fromPrecompiled`). The node/
 * adapter offers a temp-file loader for runners that cannot import `data:` URLs.
 */

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
