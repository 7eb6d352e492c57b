import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { meteredRun as measure, wat } from '../../../../test/support/metered-run.ts';
import { AgentOsError } from '../errors/index.ts';
import { decodeModule } from '../wasm/index.ts';
import { instrument } from './index.ts';

/** Parameter and result counts of each function the instrumented module defines for the input's own (not the entry trampolines after them). */
function signatures({ bytes, stats }: { bytes: Uint8Array; stats: { functions: number } }): string[] {
  const m = decodeModule(bytes);
  return m.functions.slice(0, stats.functions).map((t) => `${m.types[t].params.length}->${m.types[t].results.length}`);
}

const FIB = `(module
  (func $fib (param $n i32) (result i32) (local $t i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else
        (local.set $t (call $fib (i32.sub (local.get $n) (i32.const 1))))
        (i32.add (local.get $t) (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "fib") (param i32) (result i32) (call $fib (local.get 0))))`;

describe('counter passing (internal functions take the counter as a parameter)', () => {
  it('passes the counter to internal functions only and leaves exports as they were', () => {
    const measured = measure(FIB, 'fib', [15]);
    expect(measured.result).toBe(610);
    expect(signatures(measured)).toEqual(['2->2', '1->1']);
  });

  it('uses exactly the fuel of the global counter, on every path', () => {
    for (const n of [0, 1, 2, 15]) {
      const passed = measure(FIB, 'fib', [n]);
      const global = measure(FIB, 'fib', [n], { counter: 'global' });
      expect(passed.result).toBe(global.result);
      expect(passed.used).toBe(global.used);
      expect(passed.used).toBeGreaterThan(0n);
    }
  });

  it('hands the exact counter to exhausted() when fuel runs out deep in a recursion', () => {
    const passed = measure(FIB, 'fib', [20], { fuel: 5000n });
    const global = measure(FIB, 'fib', [20], { fuel: 5000n, counter: 'global' });
    expect(passed.result).toBe('out-of-fuel');
    expect(passed.seen).toEqual(global.seen);
    expect(passed.seen[0]).toBeLessThan(0n);
  });

  it('keeps return, branches to the function label and br_table to it working', () => {
    const text = `(module
      (func $pick (param i32) (result i32 i32)
        (block $b (result i32 i32)
          (i32.const 1) (i32.const 2)
          (br_table $b 1 $b (local.get 0))))
      (func $early (param i32) (result i32)
        (if (local.get 0) (then (return (i32.const 10))))
        (i32.const 20) (local.get 0) (br_if 0) (drop) (i32.const 30))
      (func (export "run") (param i32) (result i32)
        (i32.add (call $early (local.get 0)) (i32.add (call $pick (local.get 0))))))`;
    for (const n of [0, 1, 2]) {
      const passed = measure(text, 'run', [n]);
      const global = measure(text, 'run', [n], { counter: 'global' });
      expect(passed.result).toBe(global.result);
      expect(passed.used).toBe(global.used);
      expect(signatures(passed).slice(0, 2)).toEqual(['2->3', '2->2']);
    }
    expect(measure(text, 'run', [1]).result).toBe(13);
  });

  it('shifts declared locals past the new parameter, and keeps bulk operations charged', () => {
    const text = `(module (memory 1)
      (func $fill (param $len i32) (result i32) (local $a i32) (local $b i64)
        (local.set $a (i32.const 3)) (local.set $b (i64.const 4))
        (memory.fill (i32.const 0) (i32.const 9) (local.get $len))
        (i32.add (local.get $a) (i32.wrap_i64 (local.get $b))))
      (func (export "run") (param i32) (result i32) (call $fill (local.get 0))))`;
    const passed = measure(text, 'run', [640]);
    const global = measure(text, 'run', [640], { counter: 'global' });
    expect(passed.result).toBe(7);
    expect(passed.used).toBe(global.used);
    expect(signatures(passed)[0]).toBe('2->2');
  });

  it('keeps functions that escape (tables, ref.func, start) on their own types', () => {
    const text = `(module (type $t (func (result i32)))
      (table 1 funcref) (elem (i32.const 0) $inTable) (elem declare func $referenced)
      (func $inTable (result i32) (i32.const 1))
      (func $referenced (result i32) (i32.const 2))
      (func $started)
      (start $started)
      (func $internal (result i32) (i32.const 3))
      (func (export "run") (result i32)
        (drop (ref.func $referenced))
        (i32.add (call_indirect (type $t) (i32.const 0)) (call $internal))))`;
    const passed = measure(text, 'run', []);
    expect(passed.result).toBe(4);
    expect(passed.used).toBe(measure(text, 'run', [], { counter: 'global' }).used);
    expect(signatures(passed)).toEqual(['0->1', '0->1', '0->0', '1->2', '0->1']);
  });

  it('passes no counter in a module with tail calls, nor to functions with exception handlers', () => {
    const tail = `(module (func $a (param i32) (result i32) (if (result i32) (local.get 0)
        (then (return_call $a (i32.sub (local.get 0) (i32.const 1)))) (else (i32.const 5))))
      (func (export "run") (param i32) (result i32) (call $a (local.get 0))))`;
    const t = measure(tail, 'run', [100000]);
    expect(t.result).toBe(5);
    expect(signatures(t)).toEqual(['1->1', '1->1']);
    const handlers = `(module (tag $e)
      (func $h (result i32) (try (result i32) (do (throw $e)) (catch $e (i32.const 7))))
      (func $plain (result i32) (i32.const 1))
      (func (export "run") (result i32) (i32.add (call $h) (call $plain))))`;
    const h = measure(handlers, 'run', []);
    expect(h.result).toBe(8);
    expect(h.used).toBe(measure(handlers, 'run', [], { counter: 'global' }).used);
    expect(signatures(h)).toEqual(['0->1', '1->2', '0->1']);
  });

  it('never turns a branch past the function label valid through the wrapping block', () => {
    // Label 1 does not exist in $f; $f is internal, so it would get the wrapping block.
    const text = '(module (func $f (result i32) i32.const 0 br 1) (func (export "r") (result i32) call $f))';
    const invalid = new Uint8Array(execFileSync('wat2wasm', ['--no-check', '-', '--output=-'], { input: text }));
    expect(WebAssembly.validate(invalid)).toBe(false);
    expect(() => instrument(invalid, { validate: false })).toThrow(AgentOsError);
  });

  it("keeps every function on its own type with the 'global' and 'local' placements", () => {
    for (const counter of ['global', 'local'] as const) {
      expect(signatures(measure(FIB, 'fib', [3], { counter }))).toEqual(['1->1', '1->1']);
    }
  });
});
