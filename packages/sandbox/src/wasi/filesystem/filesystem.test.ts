import { describe, expect, it } from 'vitest';
import { createVirtualClock, createWasi, GuestError, VirtualDir, type WasiDenial, type WasiOptions } from '../index.ts';

/** The guest's view: the preopened descriptors and the error-code helper. */
function guestFs(options: WasiOptions) {
  const imports = createWasi(options);
  const preopens = (imports['wasi:filesystem/preopens'].getDirectories as () => [any, string][])();
  return { preopens, types: imports['wasi:filesystem/types'] as any };
}

/** The WIT error the guest would receive from `fn`, or 'ok'. */
function guestResult(fn: () => unknown): unknown {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof GuestError) return e.payload;
    throw e;
  }
}

const RW = { read: true, write: true };

describe('virtual filesystem', () => {
  it('offers no preopens unless the host lists them', () => {
    expect(guestFs({}).preopens).toEqual([]);
  });

  it('reads a preopened file through open-at and read', () => {
    const { preopens } = guestFs({ fs: { preopens: { '/workspace': new VirtualDir({ src: { 'a.txt': 'hello' } }) } } });
    const [root, path] = preopens[0];
    expect(path).toBe('/workspace');
    const file = root.openAt({}, 'src/a.txt', {}, { read: true });
    const [bytes, eof] = file.read(100n, 0n);
    expect(new TextDecoder().decode(bytes)).toBe('hello');
    expect(eof).toBe(true);
    expect(file.stat()).toMatchObject({ type: 'regular-file', size: 5n });
  });

  it('lets the guest create and write files the host reads back', () => {
    const workspace = new VirtualDir();
    const clock = createVirtualClock({ startNanos: 5_000_000_000n });
    const [[root]] = guestFs({ clock, fs: { preopens: { '/w': workspace } } }).preopens;
    root.createDirectoryAt('out');
    const file = root.openAt({}, 'out/result.txt', { create: true }, RW);
    const stream = file.writeViaStream(0n);
    stream.blockingWriteAndFlush(new TextEncoder().encode('done'));
    file.write(new TextEncoder().encode('!'), 4n);
    expect(workspace.readText('out/result.txt')).toBe('done!');
    expect(file.stat().dataModificationTimestamp).toEqual({ seconds: 5n, nanoseconds: 0 });
  });

  it.each([
    ['../secret', 'a parent of the preopen'],
    ['/etc/passwd', 'an absolute path'],
    ['src/../../secret', 'a climb past the root through a subdirectory'],
    ['..', 'the parent itself'],
  ])('denies %s (%s) with not-permitted and reports it', (path) => {
    const denials: WasiDenial[] = [];
    const [[root]] = guestFs({
      onDenied: (d) => denials.push(d),
      fs: { preopens: { '/w': new VirtualDir({ src: { 'a.txt': 'x' } }) } },
    }).preopens;
    expect(guestResult(() => root.openAt({}, path, {}, { read: true }))).toBe('not-permitted');
    expect(guestResult(() => root.statAt({}, path))).toBe('not-permitted');
    expect(denials).toHaveLength(2);
    expect(denials[0]).toMatchObject({ interface: 'wasi:filesystem/types', function: 'open-at' });
  });

  it('confines a descriptor opened on a subdirectory to that subdirectory', () => {
    const [[root]] = guestFs({ fs: { preopens: { '/w': new VirtualDir({ src: { 'a.txt': 'x' }, 'top.txt': 't' }) } } }).preopens;
    const src = root.openAt({}, 'src', { directory: true }, { read: true });
    expect(guestResult(() => src.openAt({}, '../top.txt', {}, { read: true }))).toBe('not-permitted');
    expect(guestResult(() => src.openAt({}, './a.txt', {}, { read: true }))).toBe('ok');
    expect(guestResult(() => root.openAt({}, 'src/../top.txt', {}, { read: true }))).toBe('ok');
  });

  it('keeps a read-only preopen read-only, also through subdirectories', () => {
    const dir = new VirtualDir({ src: { 'a.txt': 'x' } });
    const denials: WasiDenial[] = [];
    const [[root]] = guestFs({ onDenied: (d) => denials.push(d), fs: { preopens: { '/ro': { dir, readOnly: true } } } }).preopens;
    expect(guestResult(() => root.openAt({}, 'new.txt', { create: true }, RW))).toBe('not-permitted');
    expect(guestResult(() => root.openAt({}, 'src/a.txt', {}, RW))).toBe('not-permitted');
    expect(guestResult(() => root.unlinkFileAt('src/a.txt'))).toBe('not-permitted');
    expect(guestResult(() => root.openAt({}, 'src', { directory: true }, { read: true, mutateDirectory: true }))).toBe('not-permitted');
    const src = root.openAt({}, 'src', { directory: true }, { read: true });
    expect(guestResult(() => src.openAt({}, 'a.txt', { truncate: true }, RW))).toBe('not-permitted');
    expect(dir.readText('src/a.txt')).toBe('x');
    expect(denials).toHaveLength(5);
  });

  it('reports the WIT error codes for missing, wrong-type and existing entries', () => {
    const [[root]] = guestFs({ fs: { preopens: { '/w': new VirtualDir({ d: { 'f.txt': '' }, 'g.txt': 'g' }) } } }).preopens;
    expect(guestResult(() => root.openAt({}, 'missing.txt', {}, { read: true }))).toBe('no-entry');
    expect(guestResult(() => root.openAt({}, 'g.txt/x', {}, { read: true }))).toBe('not-directory');
    expect(guestResult(() => root.openAt({}, 'g.txt', { create: true, exclusive: true }, RW))).toBe('exist');
    expect(guestResult(() => root.removeDirectoryAt('d'))).toBe('not-empty');
    expect(guestResult(() => root.unlinkFileAt('d'))).toBe('is-directory');
    expect(guestResult(() => root.symlinkAt('g.txt', 'link'))).toBe('not-permitted');
  });

  it('lists a directory in name order and renames within the preopen', () => {
    const dir = new VirtualDir({ b: 'b', a: 'a', c: {} });
    const [[root]] = guestFs({ fs: { preopens: { '/w': dir } } }).preopens;
    const stream = root.readDirectory();
    const names: string[] = [];
    for (let e = stream.readDirectoryEntry(); e; e = stream.readDirectoryEntry()) names.push(`${e.name}:${e.type}`);
    expect(names).toEqual(['a:regular-file', 'b:regular-file', 'c:directory']);
    root.renameAt('a', root, 'c/moved');
    expect(dir.list()).toEqual(['b', 'c']);
    expect(dir.readText('c/moved')).toBe('a');
  });

  it('refuses to grow a file past the file limit with file-too-large', () => {
    const [[root]] = guestFs({ limits: { fileBytes: 8 }, fs: { preopens: { '/w': new VirtualDir() } } }).preopens;
    const file = root.openAt({}, 'big', { create: true }, RW);
    expect(guestResult(() => file.write(new Uint8Array(9), 0n))).toBe('file-too-large');
    expect(guestResult(() => file.setSize(1n << 40n))).toBe('file-too-large');
    expect(file.stat().size).toBe(0n);
  });

  it('caps a single read at the read chunk limit instead of allocating what the guest asks', () => {
    const [[root]] = guestFs({ limits: { readChunkBytes: 4 }, fs: { preopens: { '/w': new VirtualDir({ f: '0123456789' }) } } }).preopens;
    const file = root.openAt({}, 'f', {}, { read: true });
    const [bytes, eof] = file.read(1n << 62n, 0n);
    expect(bytes.byteLength).toBe(4);
    expect(eof).toBe(false);
    const stream = file.readViaStream(8n);
    expect(new TextDecoder().decode(stream.read(100n))).toBe('89');
    expect(guestResult(() => stream.read(100n))).toEqual({ tag: 'closed' });
  });
});
