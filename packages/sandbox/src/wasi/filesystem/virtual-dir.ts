/**
 * The in-memory tree behind the virtual filesystem: directories and files the host builds,
 * hands to a sandbox as preopens, and reads back afterwards. No host filesystem is involved.
 */

import type { Datetime } from '../clocks.ts';

/** What a host may put in a tree literal: text or bytes for files, nested objects for directories. */
export type VirtualTree = { [name: string]: string | Uint8Array | VirtualTree | VirtualDir | VirtualFile };

const EPOCH: Datetime = { seconds: 0n, nanoseconds: 0 };
let nextNodeId = 1n;

/** A regular file: bytes plus timestamps. */
export class VirtualFile {
  /** Stable identity for metadata-hash (unique within this process). */
  readonly id = nextNodeId++;
  accessed: Datetime = EPOCH;
  modified: Datetime = EPOCH;
  #bytes: Uint8Array;
  #size: number;

  constructor(content: string | Uint8Array = new Uint8Array(0)) {
    this.#bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content.slice();
    this.#size = this.#bytes.byteLength;
  }

  get size(): number {
    return this.#size;
  }

  /** A copy of the file's content. */
  bytes(): Uint8Array {
    return this.#bytes.slice(0, this.#size);
  }

  text(): string {
    return new TextDecoder().decode(this.bytes());
  }

  /** Up to `length` bytes from `offset` (fewer at the end of the file). */
  read(offset: number, length: number): Uint8Array {
    if (offset >= this.#size) return new Uint8Array(0);
    return this.#bytes.slice(offset, Math.min(this.#size, offset + length));
  }

  /** Writes at `offset`, zero-filling any gap; the caller has checked the size limit. */
  write(offset: number, data: Uint8Array): void {
    this.resize(Math.max(this.#size, offset + data.byteLength));
    this.#bytes.set(data, offset);
  }

  resize(size: number): void {
    if (size > this.#bytes.byteLength) {
      const grown = new Uint8Array(Math.max(size, this.#bytes.byteLength * 2));
      grown.set(this.#bytes.subarray(0, this.#size));
      this.#bytes = grown;
    } else if (size < this.#size) {
      this.#bytes.fill(0, size, this.#size);
    }
    this.#size = size;
  }
}

export type VirtualNode = VirtualDir | VirtualFile;

/** A directory. Build one from a tree literal: `new VirtualDir({ 'a.txt': 'hi', src: { 'b.js': '' } })`. */
export class VirtualDir {
  readonly id = nextNodeId++;
  accessed: Datetime = EPOCH;
  modified: Datetime = EPOCH;
  readonly entries = new Map<string, VirtualNode>();

  constructor(tree: VirtualTree = {}) {
    for (const [name, value] of Object.entries(tree)) {
      assertName(name);
      this.entries.set(name, toNode(value));
    }
  }

  /** The node at a relative `/`-separated path, or undefined. */
  lookup(path: string): VirtualNode | undefined {
    let node: VirtualNode | undefined = this;
    for (const part of path.split('/').filter((p) => p !== '' && p !== '.')) {
      if (!(node instanceof VirtualDir)) return undefined;
      node = node.entries.get(part);
    }
    return node;
  }

  /** A file's bytes, or undefined when there is no file at `path`. */
  readFile(path: string): Uint8Array | undefined {
    const node = this.lookup(path);
    return node instanceof VirtualFile ? node.bytes() : undefined;
  }

  /** A file's content as UTF-8 text, or undefined. */
  readText(path: string): string | undefined {
    const node = this.lookup(path);
    return node instanceof VirtualFile ? node.text() : undefined;
  }

  /**
   * Creates or replaces a file, creating missing parent directories.
   * @throws TypeError when a path component is a file or a name is `.`/`..`.
   */
  writeFile(path: string, content: string | Uint8Array): void {
    const parts = path.split('/').filter((p) => p !== '');
    const name = parts.pop();
    if (name === undefined) throw new TypeError(`writeFile needs a file name, got '${path}'`);
    let dir: VirtualDir = this;
    for (const part of parts) {
      assertName(part);
      let next = dir.entries.get(part);
      if (next === undefined) dir.entries.set(part, (next = new VirtualDir()));
      if (!(next instanceof VirtualDir)) throw new TypeError(`'${part}' in '${path}' is a file, not a directory`);
      dir = next;
    }
    assertName(name);
    dir.entries.set(name, new VirtualFile(content));
  }

  /** Entry names of the directory at `path` (default: this one), sorted. */
  list(path = ''): string[] {
    const node = this.lookup(path);
    return node instanceof VirtualDir ? [...node.entries.keys()].sort() : [];
  }

  /** Whether `node` is this directory or lies anywhere below it. */
  contains(node: VirtualNode): boolean {
    if (node === this) return true;
    for (const child of this.entries.values()) {
      if (child instanceof VirtualDir && child.contains(node)) return true;
    }
    return false;
  }
}

function toNode(value: VirtualTree[string]): VirtualNode {
  if (value instanceof VirtualDir || value instanceof VirtualFile) return value;
  if (typeof value === 'string' || value instanceof Uint8Array) return new VirtualFile(value);
  return new VirtualDir(value);
}

function assertName(name: string): void {
  if (name === '' || name === '.' || name === '..' || name.includes('/')) {
    throw new TypeError(`'${name}' is not a valid file name in a virtual directory`);
  }
}
