/**
 * Node-only access to the spec suite on disk (../shared/conformance/spec from the
 * project root). Kept apart so the harness itself stays free of `node:*`.
 */

import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScript, scriptSchema, type FileResult } from './harness.ts';
import type { Meter } from './meter.ts';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Where the suite lives: `../shared/conformance/spec` relative to the project root. */
export const SPEC_DIR = resolve(PROJECT_ROOT, '../shared/conformance/spec');

/** Every script of the suite, as paths relative to SPEC_DIR (core first, then proposals). */
export function listSpecFiles(): string[] {
  if (!existsSync(SPEC_DIR)) return [];
  const core = readdirSync(SPEC_DIR).filter((f) => f.endsWith('.json')).sort();
  const proposalsDir = join(SPEC_DIR, 'proposals');
  const proposals = existsSync(proposalsDir)
    ? readdirSync(proposalsDir).sort().flatMap((p) =>
        readdirSync(join(proposalsDir, p)).filter((f) => f.endsWith('.json')).sort().map((f) => `proposals/${p}/${f}`))
    : [];
  return [...core, ...proposals];
}

/**
 * Loads one script and runs it in both worlds.
 * @throws when the file or one of its modules cannot be read, or the JSON is not wast2json output.
 */
export function runSpecFile(file: string, meter: Meter): FileResult {
  const path = join(SPEC_DIR, file);
  const script = scriptSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  const dir = dirname(path);
  return runScript({
    file: relative(SPEC_DIR, path),
    script,
    meter: meter.transform,
    meterUnvalidated: meter.unvalidated,
    loadModule: (filename) => new Uint8Array(readFileSync(join(dir, filename))),
  });
}
