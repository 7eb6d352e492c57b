/**
 * Child of overhead-instructions.bench.ts, run under callgrind: instantiates
 * one module (metered or not), compiles everything eagerly, warms the call
 * path up once, then runs the workload once inside
 * `Uint8Array.prototype.findLastIndex`, the builtin callgrind is told to
 * count in (`--toggle-collect`): so only the workload's own instructions are
 * counted, not Node's start-up, compilation or the warm-up.
 * Args: <module.wasm> <export> <arg>. Prints the export's result.
 * Plain JavaScript: stripping TypeScript types runs a wasm transformer that
 * would add a minute of start-up under valgrind.
 */
import { readFileSync } from 'node:fs';

const [file, name, arg] = process.argv.slice(2);
const fuel = new WebAssembly.Global({ value: 'i64', mutable: true }, 2n ** 63n - 1n);
const exhausted = () => {
  throw new Error('out of fuel with an unlimited budget');
};
const module = new WebAssembly.Module(readFileSync(file));
const run = new WebAssembly.Instance(module, { 'agentos:fuel': { fuel, exhausted } }).exports[name];
run(1);
let result = 0;
new Uint8Array(1).findLastIndex(() => {
  result = run(Number(arg));
  return true;
});
console.log(result);
