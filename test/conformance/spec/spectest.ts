/**
 * The `spectest` host module every spec script may import from.
 *
 * Its values are fixed by the testsuite (the reference interpreter's
 * spectest.ml). Each world of each script gets a fresh one, because scripts
 * write into its memory and table and the two worlds must not see each other.
 */

/** Builds a fresh spectest module (print functions do nothing: output is not checked). */
export function createSpectest(): Record<string, WebAssembly.ImportValue> {
  const print = (): void => {};
  return {
    print,
    print_i32: print,
    print_i64: print,
    print_f32: print,
    print_f64: print,
    print_i32_f32: print,
    print_f64_f64: print,
    global_i32: new WebAssembly.Global({ value: 'i32', mutable: false }, 666),
    global_i64: new WebAssembly.Global({ value: 'i64', mutable: false }, 666n),
    global_f32: new WebAssembly.Global({ value: 'f32', mutable: false }, 666.6),
    global_f64: new WebAssembly.Global({ value: 'f64', mutable: false }, 666.6),
    table: new WebAssembly.Table({ element: 'anyfunc', initial: 10, maximum: 20 }),
    memory: new WebAssembly.Memory({ initial: 1, maximum: 2 }),
    // The threads proposal's scripts import a shared memory of the same size.
    shared_memory: new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true }),
  };
}
