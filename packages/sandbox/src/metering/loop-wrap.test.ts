import { describe, expect, it } from 'vitest';
import { meteredRun as measure, wasm2wat as text, wat } from '../../../../test/support/metered-run.ts';
import { instrument } from './index.ts';

// Two nested loops leaving through br_table to several levels, a loop with a result and one with a parameter.
const NESTED = `(module
  (func $walk (param $n i32) (result i32) (local $i i32) (local $j i32) (local $acc i32)
    (block $done
      (loop $outer
        (local.set $j (i32.const 0))
        (block $next
          (loop $inner
            (local.set $acc (i32.add (local.get $acc) (i32.const 1)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (if (i32.and (i32.eq (local.get $j) (i32.const 4)) (i32.eq (local.get $i) (i32.const 1)))
              (then (return (i32.const -1))))
            ;; 0: stay in inner, 1: next outer iteration, 2: done
            (br_table $inner $next $done
              (if (result i32) (i32.lt_u (local.get $j) (i32.const 5)) (then (i32.const 0))
                (else (select (i32.const 2) (i32.const 1) (i32.ge_u (local.get $i) (local.get $n))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (local.get $acc))
  (func $counted (param $n i32) (result i32)
    (loop $l (result i32)
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n))
      (i32.const 42)))
  (func $param (param $n i32) (result i32)
    (local.get $n)
    (loop $l (param i32) (result i32)
      (i32.sub (i32.const 1))
      (local.tee $n)
      (br_if $l (local.get $n))))
  (func (export "walk") (param i32) (result i32) (call $walk (local.get 0)))
  (func (export "walkExported") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $acc i32)
    (block $done
      (loop $outer
        (local.set $j (i32.const 0))
        (block $next
          (loop $inner
            (local.set $acc (i32.add (local.get $acc) (i32.const 1)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br_table $inner $next $done
              (if (result i32) (i32.lt_u (local.get $j) (i32.const 5)) (then (i32.const 0))
                (else (select (i32.const 2) (i32.const 1) (i32.ge_u (local.get $i) (local.get $n))))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (local.get $acc))
  (func (export "counted") (param i32) (result i32) (call $counted (local.get 0)))
  (func (export "param") (param i32) (result i32) (call $param (local.get 0))))`;

describe('loops with an out-of-line slow path', () => {
  it('moves the exhausted call out of the loop body', () => {
    const out = text(instrument(wat('(module (func (export "spin") (param i32) (loop (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))))')).bytes);
    // block / loop (retry) / block (slow path) / loop (the original), then `br_if 1` as the check.
    expect(out).toMatch(/block\s+loop\s+block\s+loop[\s\S]*?i64\.lt_s\s+br_if 1/);
    const body = out.slice(out.indexOf('br_if 1'), out.indexOf('br 2'));
    expect(body).not.toContain('call 0');
  });

  it('keeps branches to labels outside the loop on their targets', () => {
    for (const counter of ['auto', 'global', 'local'] as const) {
      for (const name of ['walk', 'walkExported']) {
        // n + 1 outer iterations of 5 inner ones; $walk returns -1 from the second outer iteration.
        expect(measure(NESTED, name, [3], { counter }).result).toBe(name === 'walk' ? -1 : 20);
        expect(measure(NESTED, name, [0], { counter }).result).toBe(5);
      }
      expect(measure(NESTED, 'counted', [10], { counter }).result).toBe(42);
      expect(measure(NESTED, 'param', [10], { counter }).result).toBe(0);
    }
  });

  it('charges the same whatever the counter placement, and the same with slices', () => {
    const whole = measure(NESTED, 'walkExported', [50], { counter: 'global' });
    expect(whole.result).toBe(255);
    for (const counter of ['auto', 'local'] as const) expect(measure(NESTED, 'walkExported', [50], { counter }).used).toBe(whole.used);
    // Refilling 7 units at a time: the slow path gives the header's charge back and charges it again on re-entry.
    const sliced = measure(NESTED, 'walkExported', [50], { fuel: 7n, refill: 7n });
    expect(sliced.result).toBe(255);
    expect(sliced.used).toBe(whole.used);
    expect(sliced.refills).toBeGreaterThan(100);
  });

  it('charges a counted loop exactly: its whole body per iteration', () => {
    // The body segment runs from the header to the loop's end (br_if does not end a segment):
    // local.get, i32.const, i32.sub, local.set, local.get, br_if, i32.const 42 = 7 per iteration.
    // The caller: local.get, call = 3; $counted's entry segment: loop = 1.
    const r = measure(NESTED, 'counted', [10]);
    expect(r.result).toBe(42);
    expect(r.used).toBe(3n + 1n + 7n * 10n);
  });

  it('stops a spinning loop with out-of-fuel', () => {
    const r = measure('(module (func (export "spin") (loop (br 0))))', 'spin', [], { fuel: 1000n });
    expect(r.result).toBe('out-of-fuel');
  });

  it('writes a loop again without the wrappers when a handler label would cross it', () => {
    const source = `(module (tag $e)
      (func (export "f") (param $n i32) (result i32) (local $hits i32)
        (loop $l
          (try (do (if (i32.and (local.get $n) (i32.const 1)) (then (throw $e))))
            (catch $e (local.set $hits (i32.add (local.get $hits) (i32.const 1)))))
          (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
        (local.get $hits)))`;
    const r = measure(source, 'f', [10], { counter: 'global' });
    expect(r.result).toBe(5);
    expect(text(instrument(wat(source), { counter: 'global' }).bytes)).not.toMatch(/block\s+loop\s+block\s+loop/);
  });
});
