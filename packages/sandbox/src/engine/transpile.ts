/**
 * Component → JS glue + core modules, through jco's bindgen (the
 * `js-component-bindgen` component shipped in `@bytecodealliance/jco-transpile`).
 *
 * We call jco's portable `generate` export directly instead of its Node-only
 * `transpileBytes` wrapper, so this runs on every host that can compile wasm.
 * The bindgen is loaded lazily: hosts that only instantiate precompiled output
 * (workerd) never pull it in.
 */
import { AgentOsError } from '../errors/index.ts';

export interface TranspileOptions {
  /**
   * Exports (`iface#func` or top-level `func`) that the glue must call through
   * `WebAssembly.promising`, so the guest may suspend (preemption, async imports).
   */
  asyncExports?: string[];
  /** Imports (`iface#func`) whose host implementation may return a Promise. */
  asyncImports?: string[];
}

export interface Transpiled {
  /** The glue ES module source; it exports `instantiate(getCoreModule, imports, instantiateCore)`. */
  glue: string;
  /** Core modules by the file name the glue asks `getCoreModule` for. */
  coreModules: Map<string, Uint8Array>;
  /** TypeScript declarations jco emits (file name → source); they describe the world's functions. */
  typings: Map<string, string>;
  /** Import specifiers the glue reads from its `imports` argument (e.g. `wasi:cli/stderr`). */
  imports: string[];
  /** Top-level exports: functions and instances (interfaces). */
  exports: [string, 'function' | 'instance'][];
}

interface Bindgen {
  $init: Promise<void>;
  generate(component: Uint8Array, options: Record<string, unknown>): {
    files: [string, Uint8Array][];
    imports: string[];
    exports: [string, 'function' | 'instance'][];
  };
}

let bindgen: Promise<Bindgen> | undefined;

async function loadBindgen(): Promise<Bindgen> {
  bindgen ??= import('@bytecodealliance/jco-transpile/component').then(async (mod) => {
    await mod.$init;
    return mod as unknown as Bindgen;
  });
  return bindgen;
}

/**
 * Transpiles a component with jco (async instantiation, JSPI async mode).
 * @throws AgentOsError('invalid-component') when the bytes are not a component jco can bind.
 */
export async function transpileComponent(bytes: Uint8Array, options: TranspileOptions = {}): Promise<Transpiled> {
  const { generate } = await loadBindgen();
  let out: ReturnType<Bindgen['generate']>;
  try {
    out = generate(bytes, {
      name: 'component',
      instantiation: { tag: 'async' },
      asyncMode: { tag: 'jspi', val: { imports: options.asyncImports ?? [], exports: options.asyncExports ?? [] } },
      // No Node-specific fallbacks in the glue: we hand it every core module ourselves.
      noNodejsCompat: true,
      // Core modules come back as separate files (a cutoff of 0 never inlines base64), so we can meter them.
      base64Cutoff: 0,
      noComponentErrorWrapping: true,
      validLiftingOptimization: false,
    });
  } catch (cause) {
    throw new AgentOsError('invalid-component', `Not a WebAssembly component jco can bind: ${messageOf(cause)}`, { cause });
  }
  const decoder = new TextDecoder();
  const coreModules = new Map<string, Uint8Array>();
  const typings = new Map<string, string>();
  let glue: string | undefined;
  for (const [name, data] of out.files) {
    if (name.endsWith('.wasm')) coreModules.set(name, data);
    else if (name.endsWith('.d.ts')) typings.set(name, decoder.decode(data));
    else if (name.endsWith('.js')) glue = decoder.decode(data);
  }
  if (glue === undefined) throw new AgentOsError('internal', 'jco produced no glue module.');
  return { glue, coreModules, typings, imports: out.imports, exports: out.exports };
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'payload' in error) return String((error as { payload: unknown }).payload);
  return String(error);
}
