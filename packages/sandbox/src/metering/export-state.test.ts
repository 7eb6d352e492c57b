import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AgentOsError } from '../errors/index.ts';
import { instrument } from './index.ts';

const wat = (text: string) => new Uint8Array(execFileSync('wat2wasm', ['--enable-all', '-', '--output=-'], { input: text }));

/** Instantiates a metered module with plenty of fuel and returns its exports. */
function instantiate(bytes: Uint8Array, imports: WebAssembly.Imports = {}): Record<string, unknown> {
  const fuel = new WebAssembly.Global({ value: 'i64', mutable: true }, 1_000_000n);
  const module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  return new WebAssembly.Instance(module, { ...imports, 'agentos:fuel': { fuel, exhausted: () => {} } }).exports as Record<string, unknown>;
}

const COUNTER = `(module
  (import "env" "g" (global (mut i32)))
  (memory 1)
  (global $sp (mut i32) (i32.const 1024))
  (global $k i32 (i32.const 7))
  (global $wide (mut i64) (i64.const 5))
  (func (export "bump") (result i32)
    (global.set $sp (i32.add (global.get $sp) (i32.const 16)))
    (i32.store (global.get $sp) (i32.const 42))
    (global.set $wide (i64.add (global.get $wide) (i64.const 1)))
    (global.get $sp)))`;

describe('instrument({ exportState })', () => {
  it('exports every defined memory and mutable global, and they track the running instance', () => {
    const result = instrument(wat(COUNTER), { exportState: true });
    expect(result.state).toEqual({ memories: 1, globals: 2, unsupported: undefined });
    const imported = new WebAssembly.Global({ value: 'i32', mutable: true }, 0);
    const exports = instantiate(result.bytes, { env: { g: imported } });
    const names = Object.keys(exports).filter((n) => n.startsWith('agentos:state/')).sort();
    // Global 0 and 2 are the mutable ones among the defined globals; the imported one belongs to its owner.
    expect(names).toEqual(['agentos:state/global/0', 'agentos:state/global/2', 'agentos:state/memory/0']);
    expect((exports.bump as () => number)()).toBe(1040);
    expect((exports['agentos:state/global/0'] as WebAssembly.Global).value).toBe(1040);
    expect((exports['agentos:state/global/2'] as WebAssembly.Global).value).toBe(6n);
    expect(new Uint32Array((exports['agentos:state/memory/0'] as WebAssembly.Memory).buffer)[1040 / 4]).toBe(42);
  });

  it('lets a host write the state back: a restored global changes what the guest computes next', () => {
    const exports = instantiate(instrument(wat(COUNTER), { exportState: true }).bytes, { env: { g: new WebAssembly.Global({ value: 'i32', mutable: true }, 0) } });
    (exports['agentos:state/global/0'] as WebAssembly.Global).value = 4096;
    expect((exports.bump as () => number)()).toBe(4112);
  });

  it('adds nothing when exportState is off (the default)', () => {
    const result = instrument(wat(COUNTER));
    expect(result.state).toBeUndefined();
    const exports = instantiate(result.bytes, { env: { g: new WebAssembly.Global({ value: 'i32', mutable: true }, 0) } });
    expect(Object.keys(exports).some((n) => n.startsWith('agentos:state/'))).toBe(false);
  });

  it.each([
    ['table.set', '(table $t 2 funcref) (func (export "x") (table.set $t (i32.const 0) (ref.null func)))'],
    ['table.grow', '(table $t 2 funcref) (func (export "x") (drop (table.grow $t (ref.null func) (i32.const 1))))'],
    ['elem.drop', '(table 2 funcref) (func $f) (elem $e func $f) (func (export "x") (elem.drop $e))'],
    ['data.drop', '(memory 1) (data $d "abc") (func (export "x") (data.drop $d))'],
    ['reference-global', '(global (mut externref) (ref.null extern)) (func (export "x"))'],
  ])('flags a module with %s as unsupported with a marker export and no state exports', (why, body) => {
    const result = instrument(wat(`(module ${body})`), { exportState: true });
    expect(result.state).toEqual({ memories: 0, globals: 0, unsupported: why });
    const names = Object.keys(instantiate(result.bytes)).filter((n) => n.startsWith('agentos:state/'));
    expect(names).toEqual([`agentos:state/unsupported/${why}`]);
  });

  it('accepts tables filled only by active segments at instantiation', () => {
    const result = instrument(wat('(module (table 2 funcref) (func $f) (elem (i32.const 0) $f) (memory 1) (func (export "x") (call_indirect (i32.const 0))))'), { exportState: true });
    expect(result.state?.unsupported).toBeUndefined();
    expect(result.state?.memories).toBe(1);
  });

  it('refuses a module that already uses the reserved export names', () => {
    const bytes = wat('(module (memory (export "agentos:state/memory/0") 1))');
    expect(() => instrument(bytes, { exportState: true })).toThrow(AgentOsError);
    expect(() => instrument(bytes, { exportState: true })).toThrow(/reserved for state exports/);
  });

  it('works without metering too', () => {
    const result = instrument(wat('(module (memory 1) (global (mut i32) (i32.const 3)))'), { exportState: true, meter: false });
    const exports = new WebAssembly.Instance(new WebAssembly.Module(result.bytes as Uint8Array<ArrayBuffer>)).exports as Record<string, WebAssembly.Global>;
    expect(exports['agentos:state/global/0'].value).toBe(3);
  });
});
