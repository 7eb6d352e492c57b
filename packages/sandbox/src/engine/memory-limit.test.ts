import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryLimitError, Store } from './index.ts';

// `grow` adds pages; `abort` ends like a guest whose allocation was refused; `oob` reads past the end.
const GUEST = `
(module
  (memory (export "memory") 1 16)
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  (func (export "abort") unreachable)
  (func (export "oob") (result i32) i32.const -1 i32.load))`;

const PAGE = 65536;
const dir = mkdtempSync(join(tmpdir(), 'agentos-wat-'));
writeFileSync(join(dir, 'guest.wat'), GUEST);
const module = new WebAssembly.Module(execFileSync('wat2wasm', [join(dir, 'guest.wat'), '--output=-']));

function guest() {
  const exports = new WebAssembly.Instance(module).exports as {
    memory: WebAssembly.Memory;
    grow(pages: number): number;
    abort(): void;
    oob(): number;
  };
  const caught = (fn: () => unknown): unknown => {
    try {
      fn();
    } catch (error) {
      return error;
    }
    throw new Error('expected a trap');
  };
  return { ...exports, trap: (name: 'abort' | 'oob') => caught(exports[name]) };
}

describe('memory-limit classification', () => {
  it('reports an unreachable trap with the memory at half its cap or more as memory-limit', () => {
    const g = guest();
    expect(g.grow(7)).toBe(1);
    expect(g.grow(100)).toBe(-1); // refused at the cap of 16 pages
    const error = memoryLimitError(g.trap('abort'), [{ memory: g.memory, limitBytes: 16 * PAGE }], 0);
    expect(error?.code).toBe('memory-limit');
    expect(error?.details).toMatchObject({ limitBytes: 16 * PAGE, peakBytes: 8 * PAGE, memoryBytes: 8 * PAGE });
  });

  it('keeps an unreachable trap far below the cap a plain trap', () => {
    const g = guest();
    expect(memoryLimitError(g.trap('abort'), [{ memory: g.memory, limitBytes: 16 * PAGE }], 0)).toBeUndefined();
    const store = new Store();
    store.trackMemory(g.memory, 16 * PAGE);
    expect(store.explain(g.trap('abort'), 'abort')).toMatchObject({ code: 'trap', details: { kind: 'unreachable' } });
  });

  it('never reclassifies an out-of-bounds access, however full the memory', () => {
    const g = guest();
    g.grow(15);
    const store = new Store();
    store.trackMemory(g.memory, 16 * PAGE);
    expect(store.explain(g.trap('oob'), 'oob')).toMatchObject({ code: 'trap', details: { kind: 'memory-out-of-bounds' } });
  });

  it('ignores memories without a cap', () => {
    const g = guest();
    g.grow(15);
    expect(memoryLimitError(g.trap('abort'), [{ memory: g.memory, limitBytes: undefined }], 0)).toBeUndefined();
  });
});
