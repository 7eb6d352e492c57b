;; lean-payer — the payer agent (examples/agents/payer) without a language
;; runtime: a hand-written core module implementing the `agent` world's
;; canonical ABI, so a live instance needs one 64 KiB page of linear memory
;; instead of a JS engine's heap. Same job, same answer: draw a nonce, keep it
;; in kv, POST the goal to the payments API (the policy parks the agent inside
;; that call until a human approves), then report
;; `paid <status> (nonce N)` or `not paid: <http-error case>: <message> (nonce N)`.
;;
;; Memory map (the first KiB is fixed, the rest a bump heap):
;;   16..   constant strings          128..184  http-error case names (ptr, len) x 7
;;   512    kv.set return area (16)   528       http.fetch return area (24)
;;   560    run return area (20)      592       handle-message return area (12)
;;   608    nonce digits (20)         640..660  utoa scratch
;;   1024.. heap (cabi_realloc): arguments and results the host lowers, the answer
;; The heap never frees: an instance runs one goal.
(module
  (import "agentos:runtime/random@0.1.0" "get-random-u64" (func $random (result i64)))
  (import "agentos:runtime/kv@0.1.0" "set" (func $kv_set (param i32 i32 i32 i32 i32)))
  (import "agentos:runtime/http@0.1.0" "fetch"
    (func $fetch (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)))

  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))

  (data (i32.const 16) "nonce")
  (data (i32.const 32) "https://payments.example/pay")
  (data (i32.const 64) "paid ")
  (data (i32.const 72) " (nonce ")
  (data (i32.const 80) ")")
  (data (i32.const 96) "not paid: ")
  (data (i32.const 112) ": ")
  ;; http-error cases in WIT order: denied, invalid-request, timeout,
  ;; connection-failed, too-large, rate-limited, internal
  (data (i32.const 128)
    "\c0\00\00\00\06\00\00\00" "\c6\00\00\00\0f\00\00\00" "\d5\00\00\00\07\00\00\00"
    "\dc\00\00\00\11\00\00\00" "\ed\00\00\00\09\00\00\00" "\f6\00\00\00\0c\00\00\00"
    "\02\01\00\00\08\00\00\00")
  (data (i32.const 192) "denied" "invalid-request" "timeout" "connection-failed" "too-large" "rate-limited" "internal")

  ;; Bump allocator; grows memory only when the host lowers more than fits.
  (func $realloc (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
    (local $ptr i32) (local $end i32) (local $limit i32)
    (if (i32.gt_u (local.get $size) (i32.const 0x40000000)) (then unreachable))
    (local.set $ptr
      (i32.and (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
               (i32.sub (i32.const 0) (local.get $align))))
    (local.set $end (i32.add (local.get $ptr) (local.get $size)))
    (local.set $limit (i32.shl (memory.size) (i32.const 16)))
    (if (i32.gt_u (local.get $end) (local.get $limit))
      (then
        (if (i32.eq
              (memory.grow (i32.shr_u (i32.add (i32.sub (local.get $end) (local.get $limit)) (i32.const 0xffff)) (i32.const 16)))
              (i32.const -1))
          (then unreachable))))
    (global.set $heap (local.get $end))
    (if (local.get $old)
      (then
        (memory.copy (local.get $ptr) (local.get $old)
          (select (local.get $old_size) (local.get $size) (i32.lt_u (local.get $old_size) (local.get $size))))))
    (local.get $ptr))

  ;; Writes `v` in decimal at `dst`; returns the number of digits.
  (func $utoa (param $v i64) (param $dst i32) (result i32)
    (local $at i32) (local $n i32)
    (local.set $at (i32.const 660))
    (loop $digit
      (local.set $at (i32.sub (local.get $at) (i32.const 1)))
      (i32.store8 (local.get $at) (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $digit (i64.ne (local.get $v) (i64.const 0))))
    (local.set $n (i32.sub (i32.const 660) (local.get $at)))
    (memory.copy (local.get $dst) (local.get $at) (local.get $n))
    (local.get $n))

  ;; Copies `len` bytes from `src` to `dst`; returns the end of what it wrote.
  (func $put (param $dst i32) (param $src i32) (param $len i32) (result i32)
    (memory.copy (local.get $dst) (local.get $src) (local.get $len))
    (i32.add (local.get $dst) (local.get $len)))

  ;; run: func(goal: string) -> result<string, agent-error>
  (func (export "run") (param $goal i32) (param $goal_len i32) (result i32)
    (local $digits i32) (local $out i32) (local $at i32) (local $case i32)
    (local.set $digits
      (call $utoa (i64.rem_u (call $random) (i64.const 1000000)) (i32.const 608)))
    (call $kv_set (i32.const 16) (i32.const 5) (i32.const 608) (local.get $digits) (i32.const 512))
    (if (i32.load8_u (i32.const 512))
      (then
        ;; err(capability(<the kv error>)), as the payer's uncaught throw would end it
        (i32.store8 (i32.const 560) (i32.const 1))
        (i32.store8 (i32.const 564) (i32.const 1))
        (i32.store8 (i32.const 568) (i32.load8_u (i32.const 516)))
        (i32.store (i32.const 572) (i32.load (i32.const 520)))
        (i32.store (i32.const 576) (i32.load (i32.const 524)))
        (return (i32.const 560))))
    (call $fetch
      (i32.const 2)                                      ;; method: post
      (i32.const 32) (i32.const 28)                      ;; url
      (i32.const 0) (i32.const 0)                        ;; headers: none
      (i32.const 1) (local.get $goal) (local.get $goal_len) ;; body: some(goal)
      (i32.const 0) (i32.const 0)                        ;; timeout-ms: none
      (i32.const 528))
    (if (i32.eqz (i32.load8_u (i32.const 528)))
      (then
        (local.set $out (call $realloc (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 64)))
        (local.set $at (call $put (local.get $out) (i32.const 64) (i32.const 5)))
        (local.set $at (i32.add (local.get $at)
          (call $utoa (i64.extend_i32_u (i32.load16_u (i32.const 532))) (local.get $at)))))
      (else
        (local.set $case (i32.shl (i32.load8_u (i32.const 532)) (i32.const 3)))
        (local.set $out (call $realloc (i32.const 0) (i32.const 0) (i32.const 1)
          (i32.add (i32.const 64) (i32.load (i32.const 540)))))
        (local.set $at (call $put (local.get $out) (i32.const 96) (i32.const 10)))
        (local.set $at (call $put (local.get $at)
          (i32.load (i32.add (i32.const 128) (local.get $case)))
          (i32.load (i32.add (i32.const 132) (local.get $case)))))
        (local.set $at (call $put (local.get $at) (i32.const 112) (i32.const 2)))
        (local.set $at (call $put (local.get $at) (i32.load (i32.const 536)) (i32.load (i32.const 540))))))
    (local.set $at (call $put (local.get $at) (i32.const 72) (i32.const 8)))
    (local.set $at (call $put (local.get $at) (i32.const 608) (local.get $digits)))
    (local.set $at (call $put (local.get $at) (i32.const 80) (i32.const 1)))
    (i32.store8 (i32.const 560) (i32.const 0))
    (i32.store (i32.const 564) (local.get $out))
    (i32.store (i32.const 568) (i32.sub (local.get $at) (local.get $out)))
    (i32.const 560))

  ;; handle-message: func(message: message) -> result<option<string>, agent-error>
  ;; The payer answers no messages: ok(none).
  (func (export "handle-message")
    (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i64) (result i32)
    (i32.store8 (i32.const 592) (i32.const 0))
    (i32.store8 (i32.const 596) (i32.const 0))
    (i32.const 592))
)
