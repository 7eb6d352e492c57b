import { describe, expect, it } from 'vitest';
import { meteredRun as measure, wasm2wat, wat } from '../../../../test/support/metered-run.ts';
import { instrument } from './index.ts';

const FIB = `(module
  (func $fib (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1))) (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func (export "fib") (param i32) (result i32) (call $fib (local.get 0))))`;

// pick(c): entry `local.get 0`, `if` (2 units); then `i32.const` (1); else two consts and an add (3).
const PICK = `(module (func (export "pick") (param i32) (result i32)
  (if (result i32) (local.get 0) (then (i32.const 7)) (else (i32.add (i32.const 1) (i32.const 2))))))`;

// The then-arm holds a block, so its charge cannot be folded: each path still pays exactly its instructions.
const NESTED_ARM = `(module (func (export "pick") (param i32) (result i32)
  (if (result i32) (local.get 0)
    (then (block (result i32) (i32.const 7)))
    (else (i32.add (i32.const 1) (i32.const 2))))))`;

describe('entry checks through trampolines', () => {
  for (const counter of ['auto', 'global', 'local'] as const) {
    it(`re-enters a function after a refill with the same result and the fuel of an unsliced run (counter ${counter})`, () => {
      const whole = measure(FIB, 'fib', [15], { counter });
      expect(whole.result).toBe(610);
      expect(whole.stats.trampolines).toBeGreaterThan(0);
      // Slices of 7 units: entry checks fail all the time; each trampoline gives the entry charge back.
      const sliced = measure(FIB, 'fib', [15], { counter, fuel: 7n, refill: 7n });
      expect(sliced.result).toBe(610);
      expect(sliced.used).toBe(whole.used);
      expect(sliced.refills).toBeGreaterThan(100);
    });
  }

  it('gives every placement the same account, and still stops with out-of-fuel', () => {
    const global = measure(FIB, 'fib', [12], { counter: 'global' });
    for (const counter of ['auto', 'local'] as const) expect(measure(FIB, 'fib', [12], { counter }).used).toBe(global.used);
    expect(measure(FIB, 'fib', [25], { fuel: 10_000n }).result).toBe('out-of-fuel');
  });

  it('adds no trampoline for leaves, whose entry check is dropped', () => {
    const { stats } = instrument(wat('(module (func (export "k") (result i32) i32.const 1))'));
    expect(stats).toMatchObject({ functions: 1, trampolines: 0 });
  });
});

describe('if/else charge folding', () => {
  it('charges each path of an if/else exactly its instruction count', () => {
    expect(measure(PICK, 'pick', [1]).used).toBe(3n);
    expect(measure(PICK, 'pick', [0]).used).toBe(5n);
  });

  it('moves the cheaper arm into the charge before the if: the then-arm carries no charge', () => {
    const text = wasm2wat(measure(PICK, 'pick', [1]).bytes);
    // One charge on entry (2 + the cheaper arm's 1), one for the rest of the else arm (2).
    expect(text.match(/i64\.sub/g)?.length).toBe(2);
    expect(text).toMatch(/i64\.const 3\s+i64\.sub/);
    expect(text).toMatch(/i64\.const 2\s+i64\.sub/);
  });

  it('keeps arms with nested blocks on their own charges, still exact', () => {
    expect(measure(NESTED_ARM, 'pick', [1]).used).toBe(4n); // local.get, if, block, i32.const
    expect(measure(NESTED_ARM, 'pick', [0]).used).toBe(5n);
    // Entry (2), then-arm (block + i32.const: 2), else-arm (3): nothing moved before the if.
    const text = wasm2wat(measure(NESTED_ARM, 'pick', [1]).bytes);
    expect(text.match(/i64\.const \d+/g)).toEqual(['i64.const 2', 'i64.const 2', 'i64.const 3']);
  });
});
