/**
 * Path resolution confined to a directory descriptor.
 *
 * Like cap-std (which wasmtime uses), a directory descriptor is itself the sandbox: a path
 * is relative to it and may never leave it. Absolute paths and `..` that would climb above
 * the descriptor are refused with `not-permitted` and reported as denials. There are no
 * symlinks in the virtual tree, so resolution is purely lexical over real directories.
 */

import { GuestError, type Denials } from '../guest-error.ts';
import { VirtualDir, type VirtualNode } from './virtual-dir.ts';

/** Where a path points: the directory holding it and the final name (null: the directory itself). */
export interface Resolved {
  dir: VirtualDir;
  name: string | null;
}

/** Longest path a guest may pass; longer is `name-too-long` (and bounds the work per call). */
const MAX_PATH = 4096;

/**
 * Resolves `path` below `base`.
 * @throws GuestError with a wasi:filesystem error code (`not-permitted` for escapes, `no-entry`,
 *   `not-directory`, `name-too-long`).
 */
export function resolvePath(options: { base: VirtualDir; path: string; denials: Denials; fn: string }): Resolved {
  const { base, path, denials, fn } = options;
  const escape = (reason: string) =>
    denials.deny({ interface: 'wasi:filesystem/types', function: fn, reason: `${reason}: '${path}'` }, 'not-permitted');
  if (path.length > MAX_PATH) throw new GuestError('name-too-long');
  if (path === '') throw new GuestError('no-entry');
  if (path.startsWith('/')) throw escape('absolute paths are not allowed');
  if (path.includes('\0')) throw new GuestError('invalid');
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  const stack: VirtualDir[] = [base];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const top = stack[stack.length - 1];
    if (part === '..') {
      if (stack.length === 1) throw escape('the path leaves the directory it is relative to');
      stack.pop();
      continue;
    }
    if (i === parts.length - 1) return { dir: top, name: part };
    const next = top.entries.get(part);
    if (next === undefined) throw new GuestError('no-entry');
    if (!(next instanceof VirtualDir)) throw new GuestError('not-directory');
    stack.push(next);
  }
  // The path ended on `.`/`..` (or was only those): it names a directory itself.
  return { dir: stack[stack.length - 1], name: null };
}

/** The node a resolved path names, or undefined if it does not exist. */
export function nodeAt(resolved: Resolved): VirtualNode | undefined {
  return resolved.name === null ? resolved.dir : resolved.dir.entries.get(resolved.name);
}

/**
 * The node a resolved path names.
 * @throws GuestError 'no-entry' when nothing is there.
 */
export function existingNodeAt(resolved: Resolved): VirtualNode {
  const node = nodeAt(resolved);
  if (node === undefined) throw new GuestError('no-entry');
  return node;
}
