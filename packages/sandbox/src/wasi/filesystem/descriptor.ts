/**
 * wasi:filesystem/types `descriptor` and `directory-entry-stream` over the virtual tree.
 *
 * A descriptor holds a node and the rights it was opened with. Rights only shrink: a child
 * opened from a directory can never get `mutate-directory` or `write` unless its parent
 * had `mutate-directory`, so a read-only preopen stays read-only all the way down.
 */

import type { ClockCapability, Datetime } from '../clocks.ts';
import { GuestError, type Denials } from '../guest-error.ts';
import { InputStream, OutputStream } from '../io.ts';
import { existingNodeAt, nodeAt, resolvePath } from './paths.ts';
import { VirtualDir, VirtualFile, type VirtualNode } from './virtual-dir.ts';

export interface DescriptorFlags {
  read?: boolean;
  write?: boolean;
  fileIntegritySync?: boolean;
  dataIntegritySync?: boolean;
  requestedWriteSync?: boolean;
  mutateDirectory?: boolean;
}

interface OpenFlags {
  create?: boolean;
  directory?: boolean;
  exclusive?: boolean;
  truncate?: boolean;
}

type NewTimestamp = { tag: 'no-change' } | { tag: 'now' } | { tag: 'timestamp'; val: Datetime };

/** What every descriptor of one sandbox shares. */
export interface FsContext {
  clock: ClockCapability;
  denials: Denials;
  /** Largest single read the host performs for the guest. */
  maxChunk: number;
  /** Largest file the guest may create or grow. */
  maxFileBytes: number;
}

const IFACE = 'wasi:filesystem/types';

export class Descriptor {
  readonly #node: VirtualNode;
  readonly #flags: DescriptorFlags;
  readonly #ctx: FsContext;

  constructor(options: { node: VirtualNode; flags: DescriptorFlags; context: FsContext }) {
    this.#node = options.node;
    this.#flags = { ...options.flags };
    this.#ctx = options.context;
  }

  readViaStream(offset: bigint): InputStream {
    const file = this.#readableFile();
    let position = Number(offset);
    const source = {
      read: (max: number) => {
        if (position >= file.size) return null;
        const bytes = file.read(position, max);
        position += bytes.byteLength;
        return bytes;
      },
    };
    return new InputStream({ source, maxChunk: this.#ctx.maxChunk });
  }

  writeViaStream(offset: bigint): OutputStream {
    const file = this.#writableFile();
    let position = Number(offset);
    const sink = {
      write: (bytes: Uint8Array) => {
        this.#writeAt(file, position, bytes);
        position += bytes.byteLength;
      },
    };
    return new OutputStream({ sink, maxChunk: this.#ctx.maxChunk });
  }

  appendViaStream(): OutputStream {
    const file = this.#writableFile();
    const sink = { write: (bytes: Uint8Array) => this.#writeAt(file, file.size, bytes) };
    return new OutputStream({ sink, maxChunk: this.#ctx.maxChunk });
  }

  advise(_offset: bigint, _length: bigint, _advice: string): void {
    this.#file();
  }

  syncData(): void {}

  sync(): void {}

  getFlags(): DescriptorFlags {
    return { ...this.#flags };
  }

  getType(): string {
    return typeOf(this.#node);
  }

  setSize(size: bigint): void {
    const file = this.#writableFile();
    file.resize(this.#checkedSize(size));
    file.modified = this.#ctx.clock.now();
  }

  setTimes(accessed: NewTimestamp, modified: NewTimestamp): void {
    this.#applyTimes(this.#node, accessed, modified);
  }

  read(length: bigint, offset: bigint): [Uint8Array, boolean] {
    const file = this.#readableFile();
    const max = length < BigInt(this.#ctx.maxChunk) ? Number(length) : this.#ctx.maxChunk;
    const at = offset > BigInt(file.size) ? file.size : Number(offset);
    const bytes = file.read(at, max);
    return [bytes, at + bytes.byteLength >= file.size];
  }

  write(buffer: Uint8Array, offset: bigint): bigint {
    const file = this.#writableFile();
    this.#writeAt(file, Number(this.#checkedSize(offset)), buffer);
    return BigInt(buffer.byteLength);
  }

  readDirectory(): DirectoryEntryStream {
    const dir = this.#dir();
    if (!this.#flags.read) throw new GuestError('bad-descriptor');
    const names = [...dir.entries.keys()].sort();
    return new DirectoryEntryStream(names.map((name) => ({ name, type: typeOf(dir.entries.get(name)!) })));
  }

  createDirectoryAt(path: string): void {
    const { dir, name } = this.#resolveForChange(path, 'create-directory-at');
    if (name === null || dir.entries.has(name)) throw new GuestError('exist');
    dir.entries.set(name, this.#stamp(new VirtualDir()));
    dir.modified = this.#ctx.clock.now();
  }

  stat(): object {
    return statOf(this.#node);
  }

  statAt(_pathFlags: object, path: string): object {
    return statOf(existingNodeAt(this.#resolve(path, 'stat-at')));
  }

  setTimesAt(_pathFlags: object, path: string, accessed: NewTimestamp, modified: NewTimestamp): void {
    this.#applyTimes(existingNodeAt(this.#resolve(path, 'set-times-at')), accessed, modified);
  }

  linkAt(): never {
    throw this.#ctx.denials.deny({ interface: IFACE, function: 'link-at', reason: 'hard links are not supported' }, 'not-permitted');
  }

  symlinkAt(): never {
    throw this.#ctx.denials.deny({ interface: IFACE, function: 'symlink-at', reason: 'symbolic links are not supported' }, 'not-permitted');
  }

  readlinkAt(path: string): never {
    existingNodeAt(this.#resolve(path, 'readlink-at'));
    throw new GuestError('invalid'); // it exists, and nothing in the tree is a link
  }

  openAt(_pathFlags: object, path: string, openFlags: OpenFlags, flags: DescriptorFlags): Descriptor {
    const dir = this.#dir();
    const changes = openFlags.create || openFlags.truncate || flags.write || flags.mutateDirectory;
    if (changes && !this.#flags.mutateDirectory) {
      throw this.#ctx.denials.deny(
        { interface: IFACE, function: 'open-at', reason: `the directory is read-only; cannot open '${path}' for writing` },
        'not-permitted',
      );
    }
    const resolved = resolvePath({ base: dir, path, denials: this.#ctx.denials, fn: 'open-at' });
    let node = nodeAt(resolved);
    if (node !== undefined && openFlags.create && openFlags.exclusive) throw new GuestError('exist');
    if (node === undefined) {
      if (!openFlags.create || resolved.name === null) throw new GuestError('no-entry');
      if (openFlags.directory) throw new GuestError('invalid');
      node = this.#stamp(new VirtualFile());
      resolved.dir.entries.set(resolved.name, node);
      resolved.dir.modified = this.#ctx.clock.now();
    }
    if (node instanceof VirtualDir) {
      if (flags.write) throw new GuestError('is-directory');
    } else {
      if (openFlags.directory) throw new GuestError('not-directory');
      if (openFlags.truncate) node.resize(0);
    }
    return new Descriptor({ node, flags, context: this.#ctx });
  }

  removeDirectoryAt(path: string): void {
    const { dir, name } = this.#resolveForChange(path, 'remove-directory-at');
    const node = name === null ? undefined : dir.entries.get(name);
    if (name === null) throw new GuestError('busy'); // removing the descriptor's own directory
    if (node === undefined) throw new GuestError('no-entry');
    if (!(node instanceof VirtualDir)) throw new GuestError('not-directory');
    if (node.entries.size > 0) throw new GuestError('not-empty');
    dir.entries.delete(name);
  }

  unlinkFileAt(path: string): void {
    const { dir, name } = this.#resolveForChange(path, 'unlink-file-at');
    if (name === null) throw new GuestError('is-directory');
    const node = dir.entries.get(name);
    if (node === undefined) throw new GuestError('no-entry');
    if (node instanceof VirtualDir) throw new GuestError('is-directory');
    dir.entries.delete(name);
  }

  renameAt(oldPath: string, newDescriptor: Descriptor, newPath: string): void {
    const from = this.#resolveForChange(oldPath, 'rename-at');
    const to = newDescriptor.#resolveForChange(newPath, 'rename-at');
    if (from.name === null || to.name === null) throw new GuestError('busy');
    const node = from.dir.entries.get(from.name);
    if (node === undefined) throw new GuestError('no-entry');
    if (node instanceof VirtualDir && node.contains(to.dir)) throw new GuestError('invalid');
    const target = to.dir.entries.get(to.name);
    if (target instanceof VirtualDir && !(node instanceof VirtualDir)) throw new GuestError('is-directory');
    if (target instanceof VirtualFile && node instanceof VirtualDir) throw new GuestError('not-directory');
    if (target instanceof VirtualDir && target.entries.size > 0 && target !== node) throw new GuestError('not-empty');
    from.dir.entries.delete(from.name);
    to.dir.entries.set(to.name, node);
  }

  isSameObject(other: Descriptor): boolean {
    return other.#node === this.#node;
  }

  metadataHash(): { lower: bigint; upper: bigint } {
    return { lower: this.#node.id, upper: 0n };
  }

  metadataHashAt(_pathFlags: object, path: string): { lower: bigint; upper: bigint } {
    return { lower: existingNodeAt(this.#resolve(path, 'metadata-hash-at')).id, upper: 0n };
  }

  #resolve(path: string, fn: string) {
    return resolvePath({ base: this.#dir(), path, denials: this.#ctx.denials, fn });
  }

  #resolveForChange(path: string, fn: string) {
    const resolved = this.#resolve(path, fn);
    if (!this.#flags.mutateDirectory) {
      throw this.#ctx.denials.deny({ interface: IFACE, function: fn, reason: `the directory is read-only: '${path}'` }, 'not-permitted');
    }
    return resolved;
  }

  #dir(): VirtualDir {
    if (!(this.#node instanceof VirtualDir)) throw new GuestError('not-directory');
    return this.#node;
  }

  #file(): VirtualFile {
    if (!(this.#node instanceof VirtualFile)) throw new GuestError('is-directory');
    return this.#node;
  }

  #readableFile(): VirtualFile {
    const file = this.#file();
    if (!this.#flags.read) throw new GuestError('bad-descriptor');
    return file;
  }

  #writableFile(): VirtualFile {
    const file = this.#file();
    if (!this.#flags.write) throw new GuestError('bad-descriptor');
    return file;
  }

  #checkedSize(size: bigint): number {
    if (size > BigInt(this.#ctx.maxFileBytes)) throw new GuestError('file-too-large');
    return Number(size);
  }

  #writeAt(file: VirtualFile, position: number, bytes: Uint8Array): void {
    this.#checkedSize(BigInt(position + bytes.byteLength));
    file.write(position, bytes);
    file.modified = this.#ctx.clock.now();
  }

  #stamp<T extends VirtualNode>(node: T): T {
    node.accessed = node.modified = this.#ctx.clock.now();
    return node;
  }

  #applyTimes(node: VirtualNode, accessed: NewTimestamp, modified: NewTimestamp): void {
    const pick = (t: NewTimestamp, old: Datetime) =>
      t.tag === 'no-change' ? old : t.tag === 'now' ? this.#ctx.clock.now() : t.val;
    node.accessed = pick(accessed, node.accessed);
    node.modified = pick(modified, node.modified);
  }
}

export class DirectoryEntryStream {
  readonly #entries: { name: string; type: string }[];
  #next = 0;

  constructor(entries: { name: string; type: string }[]) {
    this.#entries = entries;
  }

  readDirectoryEntry(): { name: string; type: string } | undefined {
    return this.#entries[this.#next++];
  }
}

function typeOf(node: VirtualNode): string {
  return node instanceof VirtualDir ? 'directory' : 'regular-file';
}

function statOf(node: VirtualNode) {
  return {
    type: typeOf(node),
    linkCount: 1n,
    size: BigInt(node instanceof VirtualFile ? node.size : 0),
    dataAccessTimestamp: node.accessed,
    dataModificationTimestamp: node.modified,
    statusChangeTimestamp: node.modified,
  };
}
