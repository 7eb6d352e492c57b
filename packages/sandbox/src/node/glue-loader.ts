/**
 * A GlueLoader that writes the glue to a temp file and imports it by file URL:
 * for Node runners that cannot import `data:` URLs (some test runners and
 * loaders rewrite dynamic imports), and for stack traces with a real file name.
 * Files are named by content hash, so loading the same glue twice reuses one file.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { GlueLoader, GlueModule } from '../engine/index.ts';

/** Creates a loader that keeps glue files under `dir` (default: `<tmp>/agentos-glue`). */
export function tempFileGlueLoader(dir = join(tmpdir(), 'agentos-glue')): GlueLoader {
  return {
    async load(source: string, key: string): Promise<GlueModule> {
      await mkdir(dir, { recursive: true });
      const path = join(dir, `${key}.mjs`);
      await writeFile(path, source);
      return (await import(pathToFileURL(path).href)) as GlueModule;
    },
  };
}
