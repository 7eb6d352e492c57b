/**
 * The CPU-bound core workloads that metering overhead is measured on, as
 * WebAssembly text (compiled with wabt's wat2wasm by the benches):
 * `loops(n)` (n x 1000 iterations of integer arithmetic), `copysum(rounds)`
 * (1 MiB copied byte by byte, then FNV-1a over the copy) and `calls(times)`
 * (times x recursive fib(27)). Shared by bench/sandbox/metering-overhead
 * (wall clock) and bench/metering/overhead-instructions (instructions retired).
 */
export const WORKLOADS_WAT = `(module
  (memory (export "memory") 33)
  ;; acc = ((acc + i*j) xor C) over n x 1000 iterations.
  (func (export "loops") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $acc i32)
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $acc (i32.xor (i32.add (local.get $acc) (i32.mul (local.get $i) (local.get $j))) (i32.const 0x5bd1e995)))
        (br_if $inner (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const 1000))))
      (br_if $outer (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $acc))
  ;; rounds x (copy bytes [0, 1 MiB) to [1 MiB, 2 MiB) one by one, then FNV-1a over the copy).
  (func (export "copysum") (param $rounds i32) (result i32) (local $p i32) (local $h i32)
    (local.set $h (i32.const 0x811c9dc5))
    (loop $round
      (local.set $p (i32.const 0))
      (loop $copy
        (i32.store8 offset=1048576 (local.get $p) (i32.add (i32.load8_u (local.get $p)) (local.get $rounds)))
        (br_if $copy (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (i32.const 1048576))))
      (local.set $p (i32.const 0))
      (loop $sum
        (local.set $h (i32.mul (i32.xor (local.get $h) (i32.load8_u offset=1048576 (local.get $p))) (i32.const 0x01000193)))
        (br_if $sum (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (i32.const 1048576))))
      (br_if $round (local.tee $rounds (i32.sub (local.get $rounds) (i32.const 1)))))
    (local.get $h))
  (func $fib (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1))) (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  ;; times x fib(27).
  (func (export "calls") (param $times i32) (result i32) (local $acc i32)
    (loop $again
      (local.set $acc (i32.add (local.get $acc) (call $fib (i32.const 27))))
      (br_if $again (local.tee $times (i32.sub (local.get $times) (i32.const 1)))))
    (local.get $acc)))`;
