/**
 * The example agents of `examples/agents/` as components, built on demand for
 * the `agent` world into `.cache/agents/` (gitignored), named by a content key
 * over the agent's sources, the shared helpers, the WIT package and the
 * toolchain versions — the same scheme as test/fixtures (which builds from
 * examples/tools/ only). Node-only: building runs componentize-qjs, or for an
 * agent written as a core module (`agent.wat`, no language runtime) wabt's
 * `wat2wasm` and jco's `componentEmbed` + `componentNew`.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contentKey, type KeyPart } from '../../packages/sandbox/src/build/index.ts';
import { buildComponent } from '../../packages/sandbox/src/node/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const AGENTS = join(ROOT, 'examples/agents');
const WIT = join(ROOT, 'wit');
const CACHE = join(ROOT, '.cache/agents');

/** The example agents (each a folder of examples/agents/ with an index.ts, or an agent.wat for WAT_AGENTS). */
export const AGENT_NAMES = ['researcher', 'prober', 'payer', 'burner', 'echo', 'requester', 'lean-payer'] as const;
/** Agents written as a WebAssembly text core module implementing the world's canonical ABI by hand. */
const WAT_AGENTS: readonly AgentName[] = ['lean-payer'];
export type AgentName = (typeof AGENT_NAMES)[number];

const require = createRequire(import.meta.url);
const inFlight = new Map<AgentName, Promise<Uint8Array>>();

/** The component of an example agent, from the cache or freshly built. */
export function buildAgent(name: AgentName): Promise<Uint8Array> {
  let pending = inFlight.get(name);
  if (!pending) {
    pending = build(name);
    inFlight.set(name, pending);
  }
  return pending;
}

async function build(name: AgentName): Promise<Uint8Array> {
  const folder = join(AGENTS, name);
  const wat = WAT_AGENTS.includes(name);
  const key = await agentKey(folder, wat);
  const path = join(CACHE, `${name}-${key.slice(0, 16)}.wasm`);
  try {
    return new Uint8Array(await readFile(path));
  } catch {
    // not cached yet
  }
  const bytes = wat
    ? await buildWatAgent(join(folder, 'agent.wat'))
    : (await buildComponent({ entry: join(folder, 'index.ts'), witPath: WIT, world: 'agent' })).bytes;
  await mkdir(CACHE, { recursive: true });
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, bytes);
  await rename(temp, path);
  return bytes;
}

/**
 * A core module in WebAssembly text made a component of the `agent` world.
 * @throws Error naming the package to install when `wat2wasm` is missing; jco's errors when
 *   the module does not match the world (an import or export the world lacks, a wrong signature).
 */
async function buildWatAgent(file: string): Promise<Uint8Array> {
  const { componentEmbed, componentNew } = await import('@bytecodealliance/jco');
  const core = wat2wasm(await readFile(file, 'utf8'));
  const embedded = await componentEmbed({ binary: core, witSource: await witSource(), world: 'agent', stringEncoding: 'utf8' });
  return await componentNew(embedded);
}

/**
 * The WIT package as one source text: jco's wasm-tools runs under WASI without
 * our file system, so `witPath` cannot reach wit/. Each file's `package` line is
 * dropped and the package is declared once.
 */
async function witSource(): Promise<string> {
  const files = (await listFiles(WIT)).filter((f) => f.endsWith('.wit'));
  let declaration: string | undefined;
  const bodies: string[] = [];
  for (const file of files) {
    const text = await readFile(file, 'utf8');
    bodies.push(text.replace(/^package ([^;]+);\s*$/m, (line) => ((declaration ??= line), '')));
  }
  if (declaration === undefined) throw new Error(`no package declaration in ${WIT}`);
  return `${declaration}\n${bodies.join('\n')}`;
}

function wat2wasm(text: string): Uint8Array {
  return wabt(['-', '--output=-'], text);
}

/** @throws Error naming the package to install when `wat2wasm` is not on PATH. */
function wabt(args: string[], input?: string): Uint8Array {
  try {
    return new Uint8Array(execFileSync('wat2wasm', args, { input, stdio: ['pipe', 'pipe', 'pipe'] }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('wat2wasm not found: install wabt (Debian: apt-get install -y wabt)');
    throw error;
  }
}

async function agentKey(folder: string, wat: boolean): Promise<string> {
  const parts: KeyPart[] = wat
    ? [
        { label: 'world', content: 'agent' },
        { label: 'wabt', content: wabt(['--version']) },
        // jco's package.json is not exported; the wasm-tools build that embeds and links is jco-transpile's.
        { label: 'jco-transpile', content: new Uint8Array(await readFile(join(ROOT, 'node_modules/@bytecodealliance/jco-transpile/package.json'))) },
      ]
    : [
        { label: 'world', content: 'agent' },
        { label: 'componentize-qjs', content: version('componentize-qjs') },
        { label: 'esbuild', content: version('esbuild') },
      ];
  const dirs = wat ? ([['agent', folder], ['wit', WIT]] as const) : ([['agent', folder], ['shared', join(AGENTS, 'shared')], ['wit', WIT]] as const);
  for (const [label, dir] of dirs) {
    for (const file of await listFiles(dir)) parts.push({ label: `${label}:${relative(dir, file)}`, content: new Uint8Array(await readFile(file)) });
  }
  return contentKey(parts);
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
}

function version(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}
