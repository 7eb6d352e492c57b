/**
 * Describes a component for `agentos inspect`: its world (imports and exports
 * with signatures), and the core modules inside with their sizes, function
 * counts, memories and the WebAssembly features each uses (from the metering
 * step's `inspectModule`). Node-only because jco's `componentWit` entry point is.
 */
import { componentWit } from '@bytecodealliance/jco';
import { generateTypes } from '@bytecodealliance/jco/component';
import { AgentOsError, isAgentOsError } from '../errors/index.ts';
import { inspectModule } from '../metering/index.ts';
import { parseWorldText, type WorldFunction, type WorldItem } from '../build/index.ts';
import { binaryKind, coreModules, type CoreModuleEntry } from '../wasm/component-sections.ts';

/** One core module inside the component. */
export interface CoreModuleReport {
  /** Position among all core modules, in binary order. */
  index: number;
  /** Nested components leading to it (`[]` at top level). */
  componentPath: number[];
  /** Absolute byte offset in the component. */
  offset: number;
  /** Size in bytes. */
  size: number;
  /** Defined functions (imports not counted); absent when the module could not be decoded. */
  functions?: number;
  /** Memories in 64 KiB pages (`max` absent when unbounded). */
  memories?: { min: number; max?: number; imported: boolean }[];
  /** WebAssembly features it uses. */
  features?: string[];
  /** Why the module could not be decoded (e.g. `unsupported-feature: ...`). */
  error?: string;
}

/** What `inspect` reports. */
export interface ComponentReport {
  kind: 'component' | 'module';
  /** Size of the whole binary in bytes. */
  size: number;
  /** The component's world; `null` for a core module. */
  world: {
    /** The world as WIT text (from the component's type information). */
    wit: string;
    /**
     * Imports and exports. Named interfaces carry `functions` whose signatures
     * are those of the guest's JavaScript bindings (jco's TypeScript types),
     * since their WIT is not stored in the component; freestanding functions
     * carry their WIT signature.
     */
    imports: WorldItem[];
    exports: WorldItem[];
  } | null;
  coreModules: CoreModuleReport[];
}

/**
 * Inspects a component (or a core module).
 * @throws AgentOsError 'invalid-component' when the bytes are not a valid
 * WebAssembly binary or the component's type information cannot be read.
 */
export async function inspectComponent(bytes: Uint8Array): Promise<ComponentReport> {
  const kind = binaryKind(bytes);
  const modules = coreModules(bytes).map(describeModule);
  if (kind === 'module') return { kind, size: bytes.length, world: null, coreModules: modules };

  let wit: string;
  try {
    wit = await componentWit(bytes);
  } catch (error) {
    throw new AgentOsError('invalid-component', `cannot read the component's world: ${messageOf(error)}`, {
      cause: error,
    });
  }
  const world = parseWorldText(wit);
  const signatures = await interfaceSignatures(bytes);
  const withFunctions = (item: WorldItem): WorldItem =>
    item.kind === 'interface' && !item.functions ? { ...item, functions: signatures.get(item.name) ?? [] } : item;
  return {
    kind,
    size: bytes.length,
    world: { wit, imports: world.imports.map(withFunctions), exports: world.exports.map(withFunctions) },
    coreModules: modules,
  };
}

/** Function signatures per named interface, read from jco's generated TypeScript declarations. */
async function interfaceSignatures(bytes: Uint8Array): Promise<Map<string, WorldFunction[]>> {
  const byInterface = new Map<string, WorldFunction[]>();
  let files: Array<[string, Uint8Array]>;
  try {
    files = await generateTypes('component', { wit: { tag: 'binary', val: bytes } });
  } catch {
    return byInterface; // signatures are a nicety; the world itself was already read
  }
  const decoder = new TextDecoder();
  for (const [, content] of files) {
    const text = decoder.decode(content);
    const name = /@module Interface ([^\s*]+)/.exec(text)?.[1];
    if (!name) continue;
    const functions: WorldFunction[] = [];
    for (const match of text.matchAll(/^export function ([\w$]+)(\(.*\): .*);$/gm)) {
      functions.push({ name: match[1], signature: match[2] });
    }
    byInterface.set(name, functions);
  }
  return byInterface;
}

function describeModule(entry: CoreModuleEntry): CoreModuleReport {
  const report: CoreModuleReport = {
    index: entry.index,
    componentPath: entry.componentPath,
    offset: entry.offset,
    size: entry.bytes.length,
  };
  try {
    const module = inspectModule(entry.bytes);
    report.functions = module.functions;
    report.memories = module.memories.map((m) =>
      m.max === undefined ? { min: m.min, imported: m.imported } : { min: m.min, max: m.max, imported: m.imported },
    );
    report.features = module.features;
  } catch (error) {
    // One undecodable module should not hide the rest of the report.
    if (!isAgentOsError(error)) throw error;
    report.error = `${error.code}: ${error.message}`;
  }
  return report;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  const payload = (error as { payload?: unknown })?.payload;
  return String(payload ?? error);
}
