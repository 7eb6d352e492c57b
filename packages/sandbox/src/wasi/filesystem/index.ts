/**
 * The virtual filesystem: an in-memory tree handed to the guest through explicit preopens.
 *
 * Nothing of the host's filesystem is reachable. A guest sees only the directories listed in
 * `preopens`, each confined to itself (no absolute paths, no `..` above it), and read-only
 * unless the host says otherwise.
 */

import { IoError } from '../io.ts';
import { Descriptor, DirectoryEntryStream, type FsContext } from './descriptor.ts';
import { VirtualDir } from './virtual-dir.ts';

export { VirtualDir, VirtualFile, type VirtualTree, type VirtualNode } from './virtual-dir.ts';
export { Descriptor, DirectoryEntryStream, type FsContext, type DescriptorFlags } from './descriptor.ts';

/** A preopen: a directory, writable by default, or `{ dir, readOnly: true }`. */
export type Preopen = VirtualDir | { dir: VirtualDir; readOnly?: boolean };

/** The wasi:filesystem/types and wasi:filesystem/preopens interface objects. */
export function createFilesystemInterfaces(options: { preopens: Record<string, Preopen>; context: FsContext }) {
  const entries = Object.entries(options.preopens).map(([guestPath, preopen]) => {
    const { dir, readOnly } = preopen instanceof VirtualDir ? { dir: preopen, readOnly: false } : preopen;
    if (!(dir instanceof VirtualDir)) {
      throw new TypeError(`The preopen '${guestPath}' must be a VirtualDir (or { dir: VirtualDir, readOnly })`);
    }
    return { guestPath, dir, flags: { read: true, mutateDirectory: !readOnly } };
  });
  return {
    types: {
      Descriptor,
      DirectoryEntryStream,
      filesystemErrorCode: (error: IoError): string | undefined => error.filesystemCode,
    },
    preopens: {
      // A fresh descriptor per call: the glue takes ownership of each one it is handed.
      getDirectories: (): [Descriptor, string][] =>
        entries.map(({ guestPath, dir, flags }) => [new Descriptor({ node: dir, flags, context: options.context }), guestPath]),
    },
  };
}
