/**
 * The build-time half of precompiled components: lays out the files a host
 * that cannot compile at run time (workerd) bundles instead of loading the
 * component itself. `engine.precompile` does the expensive work (transpile,
 * harden, instrument) and this file writes it down:
 *
 * - `glue.js`: the hardened jco glue, an ES module without imports. jco's glue
 *   builds small helper modules at run time (`new WebAssembly.Module(new
 *   Uint8Array([...]))`, e.g. for JSPI task switching); each is moved into a
 *   `glue-inline.<hash>.wasm` file and the glue reads it from
 *   `$agentos.inlineModules[i]` (the Component passes them in), so nothing is
 *   compiled at run time;
 * - one `<jco name>.<hash>.wasm` per core module, metered and capped;
 * - `agentos-exhausted.wasm`: the store's fuel hook (exhausted.ts; the same
 *   bytes for every component);
 * - `index.js`: the loader. It imports all of the above statically and exports
 *   a `PrecompiledComponent` for `fromPrecompiled`. It expects
 *   `import m from './x.wasm'` to yield a `WebAssembly.Module`, as wrangler,
 *   workerd and esbuild/webpack/vite setups for Workers do.
 *
 * Component-specific .wasm names carry a hash of their contents: bundlers that
 * keep .wasm imports external copy the specifier as it is, so two components
 * bundled into one Worker must never share a name for different bytes.
 */
import { AgentOsError } from '../errors/index.ts';
import { EXHAUSTED_WASM } from './exhausted.ts';
import { sha256Hex } from './hash.ts';
import { PRECOMPILED_FORMAT, type PrecompiledFiles, type PrecompiledManifest } from './precompiled.ts';

/** File name of the fuel hook module in precompiled output (identical for every component). */
export const EXHAUSTED_FILE = 'agentos-exhausted.wasm';
/** File name of the hardened glue in precompiled output. */
export const GLUE_FILE = 'glue.js';
/** File name of the loader module in precompiled output. */
export const LOADER_FILE = 'index.js';

/** The output of `engine.precompile`: file name → contents (text for .js, bytes for .wasm). */
export interface Precompiled {
  files: Record<string, Uint8Array | string>;
  manifest: PrecompiledManifest;
}

export interface PrecompiledParts {
  /** Hardened glue source. */
  glue: string;
  /** Instrumented core modules by the name the glue asks for. */
  modules: Map<string, Uint8Array>;
  manifest: Omit<PrecompiledManifest, 'modules' | 'files'>;
}

/** Core module names become parts of file names: keep them plain. */
const MODULE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*\.wasm$/;

/**
 * Lays out the files of a precompiled component.
 * @throws AgentOsError('internal') when a core module name is not a plain `.wasm` file name
 *   (jco names them `component.coreN.wasm`), or see `extractInlineModules`.
 */
export async function precompiledFiles(parts: PrecompiledParts): Promise<Precompiled> {
  const names = [...parts.modules.keys()].sort();
  const glue = await extractInlineModules(parts.glue);
  const fileOf: PrecompiledFiles = { glue: GLUE_FILE, exhausted: EXHAUSTED_FILE, modules: {}, inline: [...glue.modules.keys()] };
  const files: Record<string, Uint8Array | string> = { [GLUE_FILE]: glue.source, [EXHAUSTED_FILE]: EXHAUSTED_WASM.slice() };
  for (const [file, bytes] of glue.modules) files[file] = bytes;
  for (const name of names) {
    if (!MODULE_NAME.test(name)) {
      throw new AgentOsError('internal', `jco named a core module ${JSON.stringify(name)}, which cannot be written as a precompiled file.`);
    }
    const bytes = parts.modules.get(name) as Uint8Array;
    const file = await hashedName(name.slice(0, -'.wasm'.length), bytes);
    fileOf.modules[name] = file;
    files[file] = bytes;
  }
  const manifest: PrecompiledManifest = { ...parts.manifest, modules: names, files: fileOf };
  files[LOADER_FILE] = loaderSource(manifest);
  return { files, manifest };
}

/** `stem.<first 16 hex digits of SHA-256>.wasm`. */
async function hashedName(stem: string, bytes: Uint8Array): Promise<string> {
  return `${stem}.${(await sha256Hex(bytes)).slice(0, 16)}.wasm`;
}

const INLINE_MODULE = /new WebAssembly\.Module\(new Uint8Array\(\[([^\]]*)\]\)\)/g;
const BYTE = /^(?:0x[0-9a-f]{1,2}|\d{1,3})$/i;
const INSTANTIATE = 'export function instantiate(';

/**
 * Replaces every wasm module the glue would compile from an inline byte array
 * with `$agentos.inlineModules[i]`, so the caller compiles each once (`Engine.load`)
 * or writes it to a file (precompile) instead of every instance compiling it again.
 * @returns the rewritten glue and the module bytes in index order.
 * @throws AgentOsError('internal') when an inline module holds a non-byte element, or is built
 *   outside `instantiate` (where `$agentos` is unknown).
 */
export function liftInlineModules(glue: string): { source: string; modules: Uint8Array[] } {
  const found: Uint8Array[] = [];
  const start = glue.indexOf(INSTANTIATE);
  const source = glue.replace(INLINE_MODULE, (_match, list: string, offset: number) => {
    if (start < 0 || offset < start) throw new AgentOsError('internal', "jco's glue builds a wasm module outside instantiate(); it cannot be handed over through $agentos.");
    const items = list.split(',').map((item) => item.trim()).filter((item) => item !== '');
    const bytes = new Uint8Array(items.length);
    items.forEach((item, i) => {
      if (!BYTE.test(item) || Number(item) > 255) throw new AgentOsError('internal', `jco's glue holds an inline wasm module with a non-byte element ${JSON.stringify(item)}.`);
      bytes[i] = Number(item);
    });
    found.push(bytes);
    return `$agentos.inlineModules[${found.length - 1}]`;
  });
  return { source, modules: found };
}

/**
 * Moves every wasm module the glue would compile from an inline byte array into
 * a file; the glue reads the compiled module from `$agentos.inlineModules[i]`.
 * @returns the rewritten glue and the extracted modules by file name, in index order.
 * @throws AgentOsError('internal') when the glue still compiles or evaluates code in a way
 *   this does not recognise, or see `liftInlineModules`.
 */
export async function extractInlineModules(glue: string): Promise<{ source: string; modules: Map<string, Uint8Array> }> {
  const { source, modules: found } = liftInlineModules(glue);
  if (/new WebAssembly\.Module\(|WebAssembly\.compile\(|new Function\(|\beval\(|\bimport\(/.test(source)) {
    throw new AgentOsError('internal', "jco's glue compiles or evaluates code at run time in a way precompile does not recognise; it cannot run on hosts without run-time code generation.");
  }
  const modules = new Map<string, Uint8Array>();
  for (const bytes of found) modules.set(await hashedName('glue-inline', bytes), bytes);
  if (modules.size !== found.length) throw new AgentOsError('internal', "jco's glue holds the same inline wasm module twice.");
  return { source, modules };
}

function loaderSource(manifest: PrecompiledManifest): string {
  const { files } = manifest;
  const lines = [
    `// Generated by agentos precompile (${PRECOMPILED_FORMAT}); do not edit, precompile again.`,
    `// Component sha256:${manifest.hash}. Pass the default export to fromPrecompiled().`,
    `import * as glue from './${files.glue}';`,
    `import exhausted from './${files.exhausted}';`,
    ...manifest.modules.map((name, i) => `import module${i} from './${files.modules[name]}';`),
    ...files.inline.map((file, i) => `import inline${i} from './${file}';`),
    '',
    `export const manifest = ${JSON.stringify(manifest, null, 2)};`,
    '',
    'export default {',
    `  format: ${JSON.stringify(PRECOMPILED_FORMAT)},`,
    '  manifest,',
    '  glue,',
    '  exhausted,',
    `  modules: { ${manifest.modules.map((name, i) => `${JSON.stringify(name)}: module${i}`).join(', ')} },`,
    `  inline: [${files.inline.map((_, i) => `inline${i}`).join(', ')}],`,
    '};',
    '',
  ];
  return lines.join('\n');
}
