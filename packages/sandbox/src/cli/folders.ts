/**
 * The CLI's folder-backed state: the tool registry (`.agentos/registry/`,
 * written by `agentos publish`) and the trust pins (`.agentos/trust/`, written
 * by `agentos trust approve`). Each folder holds a `FolderStore` in `store/`
 * and an `audit.jsonl` that receives the events of the core concept using it,
 * one `{"at",…event}` JSON object a line, appended when the command ends.
 */
import { appendFile, mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AgentOsError } from '../errors/index.ts';
import type { CliIo } from './command.ts';

export const DEFAULT_TRUST_DIR = '.agentos/trust';

/** A state folder opened by a command. */
export interface StateFolder {
  /** Absolute path of the folder. */
  dir: string;
  /** The `FolderStore` inside it (typed loosely so @agentos/node loads only when a command runs). */
  store: import('@agentos/core').Store;
  /** The audit sink to hand to the core concept; events are kept until `flushAudit`. */
  audit(event: { kind: string; data?: unknown }): void;
  /** Appends the collected events to `<dir>/audit.jsonl` (nothing when there are none). */
  flushAudit(): Promise<void>;
}

export interface OpenFolderOptions {
  /** The folder as given on the command line (relative to the working directory). */
  path: string;
  /** Create it when missing (commands that write), or fail with 'not-found' (commands that only read). */
  create: boolean;
  /** What the folder is, for messages: 'registry', 'trust store'. */
  what: string;
  /** What creates it, for the 'not-found' message: "'agentos publish'". */
  createdBy: string;
  /** Extra fields for every audit line (e.g. the key that acted). */
  auditFields?: Record<string, unknown>;
}

/**
 * Opens a state folder.
 * @throws AgentOsError 'not-found' when it does not exist and `create` is false;
 *   'invalid-argument' when the path is not a folder.
 */
export async function openStateFolder(io: CliIo, options: OpenFolderOptions): Promise<StateFolder> {
  const dir = resolve(io.cwd, options.path);
  const kind = await stat(dir).then((s) => (s.isDirectory() ? 'dir' : 'other'), () => 'missing');
  if (kind === 'other') throw new AgentOsError('invalid-argument', `${dir} is not a folder.`, { details: { dir } });
  if (kind === 'missing') {
    if (!options.create) {
      throw new AgentOsError('not-found', `There is no ${options.what} at ${dir}; ${options.createdBy} creates it.`, { details: { dir } });
    }
    await mkdir(dir, { recursive: true });
  }
  const { FolderStore } = await import('@agentos/node');
  const lines: string[] = [];
  return {
    dir,
    store: new FolderStore({ dir: join(dir, 'store') }),
    audit: (event) => void lines.push(`${JSON.stringify({ at: Date.now(), ...options.auditFields, ...event })}\n`),
    async flushAudit() {
      if (lines.length > 0) await appendFile(join(dir, 'audit.jsonl'), lines.splice(0).join(''));
    },
  };
}
