/**
 * Drivers: tiny WebAssembly modules that call an export from inside WebAssembly.
 *
 * Calling through JS would lose information the suite checks: v128 cannot cross
 * the JS boundary at all, and f32 NaN payloads can change on the way through a JS
 * number. A driver imports the export under test and one shared scratch memory,
 * loads the numeric arguments from memory, calls, and stores the numeric results
 * back, so every bit survives. References travel as the driver's own JS params
 * and results, which the JS API passes through unchanged.
 */

import { byteWidth, isNumeric, type FuncType, type ValType } from './module-types.ts';

/** One result as the driver saw it: numeric results as raw little-endian bytes. */
export type RawValue = { type: ValType; bytes: Uint8Array } | { type: ValType; ref: unknown };

const SLOT = 16;
const OP = { i32Const: 0x41, call: 0x10, localGet: 0x20, localSet: 0x21, globalGet: 0x23, end: 0x0b };
const LOAD: Record<string, number[]> = { i32: [0x28], i64: [0x29], f32: [0x2a], f64: [0x2b], v128: [0xfd, 0x00] };
const STORE: Record<string, number[]> = { i32: [0x36], i64: [0x37], f32: [0x38], f64: [0x39], v128: [0xfd, 0x0b] };

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let b = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) b |= 0x80;
    out.push(b);
  } while (value !== 0);
  return out;
}

function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...uleb(bytes.length), ...bytes];
}

function funcType(params: ValType[], results: ValType[]): number[] {
  return [0x60, ...vec(params.map((t) => t.bytes)), ...vec(results.map((t) => t.bytes))];
}

/** `i32.const 0; <load|store> align=0 offset=<offset>` needs the address first, so split in two. */
function memarg(opcode: number[], offset: number): number[] {
  return [...opcode, 0x00, ...uleb(offset)];
}

/** Builds the driver that calls a function of type `type` (see module comment). */
export function buildFuncDriver(type: FuncType): Uint8Array {
  const numericResults = type.results.map((t, i) => ({ t, i })).filter(({ t }) => isNumeric(t));
  const refParams = type.params.filter((t) => !isNumeric(t));
  const refResults = type.results.filter((t) => !isNumeric(t));
  const body: number[] = [];
  let refParam = 0;
  type.params.forEach((t, i) => {
    if (isNumeric(t)) body.push(OP.i32Const, 0, ...memarg(LOAD[t.name], i * SLOT));
    else body.push(OP.localGet, ...uleb(refParam++));
  });
  body.push(OP.call, 0);
  const firstLocal = refParams.length;
  for (let i = type.results.length - 1; i >= 0; i--) body.push(OP.localSet, ...uleb(firstLocal + i));
  const resultBase = type.params.length * SLOT;
  for (const { t, i } of numericResults) {
    body.push(OP.i32Const, 0, OP.localGet, ...uleb(firstLocal + i), ...memarg(STORE[t.name], resultBase + i * SLOT));
  }
  type.results.forEach((t, i) => {
    if (!isNumeric(t)) body.push(OP.localGet, ...uleb(firstLocal + i));
  });
  const target = funcType(type.params, type.results);
  // Import 0 is the target function (type 0); run is function 1 with type 1.
  return assembleModule({ types: [target, funcType(refParams, refResults)], targetImport: [0x00, 0x00], locals: type.results, body });
}

/** Builds the driver that reads a global of type `type` (mutable or not). */
export function buildGlobalDriver(type: ValType, mutable: boolean): Uint8Array {
  const body = isNumeric(type)
    ? [OP.i32Const, 0, OP.globalGet, 0, ...memarg(STORE[type.name], 0)]
    : [OP.globalGet, 0];
  const runType = funcType([], isNumeric(type) ? [] : [type]);
  return assembleModule({ types: [runType], targetImport: [0x03, ...type.bytes, mutable ? 1 : 0], locals: [], body });
}

function assembleModule(options: { types: number[][]; targetImport: number[]; locals: ValType[]; body: number[] }): Uint8Array {
  const { types, targetImport, locals, body } = options;
  const runTypeIndex = types.length - 1;
  const importedFuncs = targetImport[0] === 0x00 ? 1 : 0;
  const code = [...vec(locals.map((t) => [0x01, ...t.bytes])), ...body, OP.end];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([[...name('t'), ...name('f'), ...targetImport], [...name('t'), ...name('m'), 0x02, 0x00, 0x01]])),
    ...section(3, vec([uleb(runTypeIndex)])),
    ...section(7, vec([[...name('run'), 0x00, ...uleb(importedFuncs)]])),
    ...section(10, vec([[...uleb(code.length), ...code]])),
  ]);
}

/**
 * Calls exports through drivers. One `Driver` owns one scratch memory and caches
 * compiled drivers by signature and driver instances by target.
 */
export class Driver {
  readonly memory = new WebAssembly.Memory({ initial: 1 });
  private readonly modules = new Map<string, WebAssembly.Module>();
  private readonly instances = new WeakMap<object, (...refs: unknown[]) => unknown>();

  /**
   * Calls `fn` (an exported wasm function of type `type`) with `args`, where numeric
   * arguments are raw little-endian bytes and references are JS values.
   * @throws whatever the call throws (RuntimeError for traps, RangeError on stack
   * exhaustion, WebAssembly.Exception for uncaught wasm exceptions).
   */
  call(options: { fn: object; type: FuncType; args: (Uint8Array | { ref: unknown })[] }): RawValue[] {
    const { fn, type, args } = options;
    const run = this.instance(fn, () => this.module(`f:${JSON.stringify(type)}`, () => buildFuncDriver(type)));
    const bytes = new Uint8Array(this.memory.buffer);
    const refs: unknown[] = [];
    args.forEach((arg, i) => {
      if (arg instanceof Uint8Array) bytes.set(arg, i * SLOT);
      else refs.push(arg.ref);
    });
    const returned = run(...refs);
    const refResults = type.results.filter((t) => !isNumeric(t)).length;
    const refValues: unknown[] = refResults === 1 ? [returned] : refResults > 1 ? [...(returned as unknown[])] : [];
    const resultBase = type.params.length * SLOT;
    return type.results.map((t, i) =>
      isNumeric(t)
        ? { type: t, bytes: new Uint8Array(this.memory.buffer).slice(resultBase + i * SLOT, resultBase + i * SLOT + byteWidth(t)) }
        : { type: t, ref: refValues.shift() },
    );
  }

  /** Reads an exported global exactly (see `call`). */
  read(options: { global: object; type: ValType; mutable: boolean }): RawValue {
    const { global, type, mutable } = options;
    const run = this.instance(global, () => this.module(`g:${type.bytes}:${mutable}`, () => buildGlobalDriver(type, mutable)));
    const returned = run();
    return isNumeric(type)
      ? { type, bytes: new Uint8Array(this.memory.buffer).slice(0, byteWidth(type)) }
      : { type, ref: returned };
  }

  private module(key: string, build: () => Uint8Array): WebAssembly.Module {
    let module = this.modules.get(key);
    if (!module) {
      module = new WebAssembly.Module(build() as Uint8Array<ArrayBuffer>);
      this.modules.set(key, module);
    }
    return module;
  }

  private instance(target: object, module: () => WebAssembly.Module): (...refs: unknown[]) => unknown {
    let run = this.instances.get(target);
    if (!run) {
      const instance = new WebAssembly.Instance(module(), { t: { f: target as WebAssembly.ImportValue, m: this.memory } });
      run = instance.exports.run as (...refs: unknown[]) => unknown;
      this.instances.set(target, run);
    }
    return run;
  }
}
