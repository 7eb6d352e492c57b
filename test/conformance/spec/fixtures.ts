/**
 * Hand-assembled modules for the harness's own tests: just enough of the binary
 * format to write functions, imports and globals without a toolchain.
 */

export const T = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b, funcref: 0x70, externref: 0x6f } as const;

export interface FixtureFunc {
  params?: number[];
  results?: number[];
  body: number[];
  export?: string;
}

export type FixtureImport =
  | { module: string; name: string; func: { params?: number[]; results?: number[] } }
  | { module: string; name: string; global: { type: number; mutable: boolean } };

export interface FixtureGlobal {
  type: number;
  mutable: boolean;
  init: number[];
  export?: string;
}

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let b = value & 0x7f;
    value >>>= 7;
    if (value !== 0) b |= 0x80;
    out.push(b);
  } while (value !== 0);
  return out;
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, payload: number[]): number[] => [id, ...uleb(payload.length), ...payload];
const name = (text: string): number[] => vec([...new TextEncoder().encode(text)].map((b) => [b]));

/** Builds a module; imported functions come first in the function index space. */
export function buildModule(options: { imports?: FixtureImport[]; funcs?: FixtureFunc[]; globals?: FixtureGlobal[] }): Uint8Array {
  const imports = options.imports ?? [];
  const funcs = options.funcs ?? [];
  const globals = options.globals ?? [];
  const types: number[][] = [];
  const typeOf = (f: { params?: number[]; results?: number[] }): number => {
    types.push([0x60, ...vec((f.params ?? []).map((t) => [t])), ...vec((f.results ?? []).map((t) => [t]))]);
    return types.length - 1;
  };
  const importEntries = imports.map((i) =>
    'func' in i
      ? [...name(i.module), ...name(i.name), 0x00, ...uleb(typeOf(i.func))]
      : [...name(i.module), ...name(i.name), 0x03, i.global.type, i.global.mutable ? 1 : 0]);
  const funcTypes = funcs.map((f) => uleb(typeOf(f)));
  const importedFuncs = imports.filter((i) => 'func' in i).length;
  const importedGlobals = imports.length - importedFuncs;
  const exports = [
    ...funcs.flatMap((f, i) => (f.export ? [[...name(f.export), 0x00, ...uleb(importedFuncs + i)]] : [])),
    ...globals.flatMap((g, i) => (g.export ? [[...name(g.export), 0x03, ...uleb(importedGlobals + i)]] : [])),
  ];
  const bodies = funcs.map((f) => {
    const code = [0x00, ...f.body, 0x0b];
    return [...uleb(code.length), ...code];
  });
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...(imports.length ? section(2, vec(importEntries)) : []),
    ...(funcs.length ? section(3, vec(funcTypes)) : []),
    ...(globals.length ? section(6, vec(globals.map((g) => [g.type, g.mutable ? 1 : 0, ...g.init, 0x0b]))) : []),
    ...(exports.length ? section(7, vec(exports)) : []),
    ...(funcs.length ? section(10, vec(bodies)) : []),
  ]);
}

/** `i32.const n` for small non-negative n (< 64, one LEB byte). */
export const i32Const = (n: number): number[] => [0x41, n];

/** `f32.const` with the given bit pattern. */
export function f32Bits(bits: number): number[] {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, bits, true);
  return [0x43, ...b];
}

/** Replaces every occurrence of `from` by `to` (same length) in a copy of `bytes`. */
export function patch(bytes: Uint8Array, from: number[], to: number[]): Uint8Array {
  const out = bytes.slice();
  for (let i = 0; i + from.length <= out.length; i++) {
    if (from.every((b, j) => out[i + j] === b)) out.set(to, i);
  }
  return out;
}
