/**
 * The crash agent (agent/) as a component, built on demand for the `agent`
 * world into `.cache/crash/` (gitignored) under a content key over its
 * sources, the shared helpers, the WIT package and the toolchain versions —
 * the same scheme as test/e2e/agents.ts.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contentKey, type KeyPart } from '../../packages/sandbox/src/build/index.ts';
import { buildComponent } from '../../packages/sandbox/src/node/index.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const AGENT = fileURLToPath(new URL('./agent/', import.meta.url));
const SHARED = join(ROOT, 'examples/agents/shared');
const WIT = join(ROOT, 'wit');
const CACHE = join(ROOT, '.cache/crash');
const require = createRequire(import.meta.url);

/** Path of the built crash agent component (built first if needed). */
export async function buildCrashAgent(): Promise<string> {
  const parts: KeyPart[] = [
    { label: 'world', content: 'agent' },
    { label: 'componentize-qjs', content: (require('componentize-qjs/package.json') as { version: string }).version },
    { label: 'esbuild', content: (require('esbuild/package.json') as { version: string }).version },
  ];
  for (const [label, dir] of [['agent', AGENT], ['shared', SHARED], ['wit', WIT]] as const) {
    const entries = await readdir(dir, { withFileTypes: true, recursive: true });
    const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
    for (const file of files) parts.push({ label: `${label}:${relative(dir, file)}`, content: new Uint8Array(await readFile(file)) });
  }
  const path = join(CACHE, `crash-agent-${(await contentKey(parts)).slice(0, 16)}.wasm`);
  try {
    await readFile(path);
    return path;
  } catch {
    // not built yet
  }
  const built = await buildComponent({ entry: join(AGENT, 'index.ts'), witPath: WIT, world: 'agent' });
  await mkdir(CACHE, { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, built.bytes);
  await rename(temp, path);
  return path;
}
