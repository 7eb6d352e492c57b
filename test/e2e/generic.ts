/**
 * The generic agent (examples/agents/generic) as a component: `agentos build`
 * through the CLI, cached in .cache/agents by a content key over its sources
 * (shared by the e2e tests). Node-only.
 */
import { mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contentKey, type KeyPart } from '../../packages/sandbox/src/build/index.ts';
import { main } from '../../packages/sandbox/src/cli/main.ts';
import { recordingIo } from '../../packages/sandbox/src/cli/test-io.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `agentos build` of examples/agents/generic, cached in .cache/agents by a content key over its sources. */
export async function buildGenericAgent(): Promise<Uint8Array> {
  const require = createRequire(import.meta.url);
  const parts: KeyPart[] = [{ label: 'componentize-qjs', content: (require('componentize-qjs/package.json') as { version: string }).version }];
  for (const dir of ['examples/agents/generic', 'examples/agents/shared', 'wit']) {
    const entries = await readdir(join(ROOT, dir), { withFileTypes: true, recursive: true });
    for (const file of entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort()) {
      parts.push({ label: relative(ROOT, file), content: new Uint8Array(await readFile(file)) });
    }
  }
  const out = join(ROOT, '.cache/agents', `generic-${(await contentKey(parts)).slice(0, 16)}.wasm`);
  try {
    return new Uint8Array(await readFile(out));
  } catch {
    // not built yet
  }
  await mkdir(join(ROOT, '.cache/agents'), { recursive: true });
  const temp = `${out}.${process.pid}.tmp`;
  const io = recordingIo(ROOT);
  const code = await main(['build', 'examples/agents/generic/index.ts', '--world', 'agent', '-o', temp], io);
  if (code !== 0) throw new Error(`agentos build failed: ${io.err.join('')}`);
  await rename(temp, out);
  return new Uint8Array(await readFile(out));
}

