/**
 * A hostile guest, built for the adversarial suite from a hand-written core
 * module (WebAssembly text, compiled with wabt's `wat2wasm`) and a WIT world,
 * turned into a component with jco's `componentEmbed` + `componentNew`. Hand
 * written, so each export does exactly one bad thing with nothing else in the
 * way (no language runtime, no allocator): spin, grow memory until refused,
 * recurse without end, fill memory, return a string that is not UTF-8 or whose
 * length is absurd, call a host import in a loop. `add` and `greet` are the
 * well-behaved exports used to prove the host still serves.
 *
 * Node-only (a child process runs wat2wasm). Built once per process.
 */
import { execFileSync } from 'node:child_process';
import { componentEmbed, componentNew } from '@bytecodealliance/jco';

export const GUEST_WIT = `
package agentos:adversarial;

world guest {
  import ping: func();

  export add: func(a: u32, b: u32) -> u32;
  export greet: func() -> string;
  export spin: func();
  export grow: func();
  export recurse: func(depth: u32) -> u32;
  export fill: func(len: u32);
  export fill-forever: func(len: u32);
  export bad-utf8: func() -> string;
  export huge-string: func() -> string;
  export string-past-memory: func() -> string;
  export ping-forever: func();
  export ping-times: func(n: u32) -> u32;
}
`;

/** Return areas (ptr, len) at 32 (invalid UTF-8), 48 (1 GiB), 56 (past memory) and 72 ("ok"). */
export const GUEST_WAT = `
(module
  (import "$root" "ping" (func $ping))
  (memory (export "memory") 1)
  (data (i32.const 16) "\\ff\\fe\\c0\\80")
  (data (i32.const 32) "\\10\\00\\00\\00\\04\\00\\00\\00")
  (data (i32.const 48) "\\00\\00\\00\\00\\00\\00\\00\\40")
  (data (i32.const 56) "\\00\\ff\\00\\00\\00\\00\\10\\00")
  (data (i32.const 64) "ok")
  (data (i32.const 72) "\\40\\00\\00\\00\\02\\00\\00\\00")
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "greet") (result i32) (i32.const 72))
  (func (export "spin") (loop $forever (br $forever)))
  ;; Grows 1 MiB at a time; a refused grow ends in unreachable, as a language runtime's abort does.
  (func (export "grow")
    (loop $more
      (if (i32.eq (memory.grow (i32.const 16)) (i32.const -1)) (then unreachable))
      (br $more)))
  (func $recurse (export "recurse") (param i32) (result i32)
    (i32.add (call $recurse (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "fill") (param i32)
    (memory.fill (i32.const 0) (i32.const 0) (local.get 0)))
  (func (export "fill-forever") (param i32)
    (loop $again
      (memory.fill (i32.const 0) (i32.const 0) (local.get 0))
      (br $again)))
  (func (export "bad-utf8") (result i32) (i32.const 32))
  (func (export "huge-string") (result i32) (i32.const 48))
  (func (export "string-past-memory") (result i32) (i32.const 56))
  (func (export "ping-forever") (loop $again (call $ping) (br $again)))
  (func (export "ping-times") (param $n i32) (result i32) (local $i i32)
    (block $done
      (loop $again
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (call $ping)
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $again)))
    (local.get $i))
)
`;

let built: Promise<Uint8Array> | undefined;

/**
 * The guest component's bytes (built on first use).
 * @throws Error naming the package to install when `wat2wasm` is missing.
 */
export function guestComponent(): Promise<Uint8Array> {
  built ??= (async () => {
    const core = wat2wasm(GUEST_WAT);
    const embedded = await componentEmbed({ binary: core, witSource: GUEST_WIT, world: 'guest', stringEncoding: 'utf8' });
    return await componentNew(embedded);
  })();
  return built;
}

function wat2wasm(text: string): Uint8Array {
  try {
    return new Uint8Array(execFileSync('wat2wasm', ['-', '--output=-'], { input: text, stdio: ['pipe', 'pipe', 'pipe'] }));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('wat2wasm not found: install wabt (Debian: apt-get install -y wabt)');
    throw error;
  }
}
