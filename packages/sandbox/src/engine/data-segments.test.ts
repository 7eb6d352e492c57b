import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ByteReader } from '../wasm/index.ts';
import { mergeDataSegments } from './data-segments.ts';

function wat(text: string): Uint8Array {
  return new Uint8Array(execFileSync('wat2wasm', ['-', '--output=-', '--debug-names'], { input: text }));
}

/** Number of segments in the data section (0 without one). */
function dataSegments(bytes: Uint8Array): number {
  const reader = new ByteReader(bytes, 8);
  while (!reader.eof) {
    const id = reader.u8();
    const size = reader.u32();
    if (id === 11) return reader.u32();
    reader.skip(size);
  }
  return 0;
}

/** Ids of the subsections of the `name` section. */
function nameSubsections(bytes: Uint8Array): number[] {
  const reader = new ByteReader(bytes, 8);
  while (!reader.eof) {
    const id = reader.u8();
    const end = reader.u32() + reader.pos;
    if (id === 0 && reader.name() === 'name') {
      const ids: number[] = [];
      for (const sub = new ByteReader(bytes, reader.pos, end); !sub.eof; sub.skip(sub.u32())) ids.push(sub.u8());
      return ids;
    }
    reader.pos = end;
  }
  return [];
}

function memoryOf(bytes: Uint8Array, imports: WebAssembly.Imports = {}): Uint8Array {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), imports);
  return new Uint8Array((instance.exports.memory as WebAssembly.Memory).buffer);
}

const SNAPSHOT = wat(`(module
  (memory (export "memory") 1)
  (data (i32.const 16) "abc")
  (data (i32.const 19) "def")
  (data (i32.const 40) "ghi")
  (data (i32.const 1000) "far away")
  (data (i32.const 1010) "\\01\\02"))`);

describe('mergeDataSegments', () => {
  it('joins segments at most 64 bytes apart and leaves the initial memory byte for byte the same', () => {
    const merged = mergeDataSegments(SNAPSHOT);
    expect(dataSegments(SNAPSHOT)).toBe(5);
    expect(dataSegments(merged)).toBe(2);
    expect(WebAssembly.validate(merged as Uint8Array<ArrayBuffer>)).toBe(true);
    expect(memoryOf(merged)).toEqual(memoryOf(SNAPSHOT));
  });

  it('keeps the function names of the name section and drops the names of segments that no longer exist', () => {
    const named = wat(`(module (memory (export "memory") 1) (func $keep) (data $a (i32.const 0) "x") (data $b (i32.const 1) "y"))`);
    const merged = mergeDataSegments(named);
    expect(dataSegments(merged)).toBe(1);
    expect(nameSubsections(named)).toContain(9);
    expect(nameSubsections(merged)).toContain(1);
    expect(nameSubsections(merged)).not.toContain(9);
    expect(WebAssembly.validate(merged as Uint8Array<ArrayBuffer>)).toBe(true);
  });

  it('still fails instantiation when a segment is out of bounds', () => {
    const outside = wat(`(module (memory (export "memory") 1) (data (i32.const 0) "a") (data (i32.const 65535) "bc"))`);
    const merged = mergeDataSegments(outside);
    expect(() => memoryOf(outside)).toThrow(WebAssembly.RuntimeError);
    expect(() => memoryOf(merged)).toThrow(WebAssembly.RuntimeError);
  });

  it.each([
    ['the memory is imported (other instances see it)', `(module (import "env" "memory" (memory 1)) (data (i32.const 0) "a") (data (i32.const 1) "b"))`],
    ['segments overlap (their order decides the bytes)', `(module (memory 1) (data (i32.const 0) "abc") (data (i32.const 1) "x"))`],
    ['segments are out of order', `(module (memory 1) (data (i32.const 8) "a") (data (i32.const 0) "b"))`],
    ['an offset is not a constant', `(module (import "env" "base" (global $g i32)) (memory 1) (data (global.get $g) "a") (data (i32.const 9) "b"))`],
    ['code names segments by index (memory.init, data.drop)', `(module (memory 1) (data (i32.const 0) "a") (data (i32.const 1) "b") (func data.drop 1))`],
    ['a segment is passive', `(module (memory 1) (data (i32.const 0) "a") (data "b") (data (i32.const 1) "c"))`],
  ])('returns the module untouched when %s', (_, text) => {
    const bytes = wat(text);
    expect(mergeDataSegments(bytes)).toBe(bytes);
  });

  it('returns bytes it cannot read as they are', () => {
    const junk = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 11, 200]);
    expect(mergeDataSegments(junk)).toBe(junk);
  });
});
