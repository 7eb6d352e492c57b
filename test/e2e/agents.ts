/**
 * The example agents of `examples/agents/` as components, built on demand for
 * the `agent` world into `.cache/agents/` (gitignored), named by a content key
 * over the agent's sources, the shared helpers, the WIT package and the
 * toolchain versions — the same scheme as test/fixtures (which builds from
 * examples/tools/ only). Node-only: building runs componentize-qjs.
 */
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

/** The example agents (each a folder of examples/agents/ with an index.ts). */
export const AGENT_NAMES = ['researcher', 'prober', 'payer', 'burner', 'echo', 'requester'] as const;
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
  const key = await agentKey(folder);
  const path = join(CACHE, `${name}-${key.slice(0, 16)}.wasm`);
  try {
    return new Uint8Array(await readFile(path));
  } catch {
    // not cached yet
  }
  const built = await buildComponent({ entry: join(folder, 'index.ts'), witPath: WIT, world: 'agent' });
  await mkdir(CACHE, { recursive: true });
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temp, built.bytes);
  await rename(temp, path);
  return built.bytes;
}

async function agentKey(folder: string): Promise<string> {
  const parts: KeyPart[] = [
    { label: 'world', content: 'agent' },
    { label: 'componentize-qjs', content: version('componentize-qjs') },
    { label: 'esbuild', content: version('esbuild') },
  ];
  for (const [label, dir] of [['agent', folder], ['shared', join(AGENTS, 'shared')], ['wit', WIT]] as const) {
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
