/**
 * Makes room for the injected fuel imports: puts them first in the import
 * section and shifts every function and global index outside the code section
 * by one (exports, start, element segments, constant expressions, the `name`
 * section). Code bodies are shifted by the code rewriter as it streams.
 */
import { AgentOsError } from '../errors/index.ts';
import type { PassingPlan } from './counter-passing.ts';
import {
  ByteReader, ByteWriter, malformed, readInstruction, type ScanState, type WasmModule,
} from '../wasm/index.ts';

export const FUEL_MODULE = 'agentos:fuel';

export interface Counts {
  functions: number;
  globals: number;
}

/**
 * Prepends `(import "agentos:fuel" "fuel" (global (mut i64)))` and
 * `(import "agentos:fuel" "exhausted" (func))`, then shifts indices.
 * @throws AgentOsError 'invalid-component' when an index is out of range or the
 *   module already imports from "agentos:fuel" (it could then reset its own fuel).
 */
export function injectFuelImports(m: WasmModule, counts: Counts, state: ScanState, plan?: PassingPlan): void {
  let typeIndex = m.types.findIndex((t) => t.params.length === 0 && t.results.length === 0);
  if (typeIndex < 0) {
    typeIndex = m.types.length;
    m.types.push({ params: [], results: [] });
  }
  m.imports.unshift(
    { module: FUEL_MODULE, name: 'fuel', desc: { kind: 'global', global: { valType: 0x7e, mutable: true } } },
    { module: FUEL_MODULE, name: 'exhausted', desc: { kind: 'func', typeIndex } },
  );
  const fn = (index: number, where: string): number => {
    if (index >= counts.functions) invalid(`function index ${index} out of range in ${where}`);
    return index + 1;
  };
  for (const e of m.exports) {
    if (e.kind === 'func') e.index = fn(e.index, `export "${e.name}"`);
    else if (e.kind === 'global') {
      if (e.index >= counts.globals) invalid(`global index ${e.index} out of range in export "${e.name}"`);
      e.index += 1;
    }
  }
  if (m.start !== undefined) m.start = fn(m.start, 'the start section');
  const expr = (bytes: Uint8Array): Uint8Array => renumberConstExpr(bytes, counts, state);
  for (const g of m.globals) g.init = expr(g.init);
  for (const t of m.tables) if (t.init) t.init = expr(t.init);
  for (const e of m.elements) {
    if (e.offset) e.offset = expr(e.offset);
    if (e.functions) e.functions = e.functions.map((f) => fn(f, 'an element segment'));
    if (e.exprs) e.exprs = e.exprs.map(expr);
  }
  for (const d of m.data) if (d.offset) d.offset = expr(d.offset);
  const names = m.customs.findIndex((c) => c.name === 'name');
  if (names >= 0) {
    // A passed counter is a new last parameter: the names of the locals after it move up by one.
    const firstShiftedLocal = (fn: number): number => {
      const i = fn - (plan?.imported ?? 0);
      return plan && i >= 0 && plan.passedType[i] >= 0 ? m.types[m.functions[i]].params.length - 1 : Infinity;
    };
    const payload = renumberNameSection(m.customs[names].payload, firstShiftedLocal);
    if (payload) m.customs[names] = { ...m.customs[names], payload };
    else m.customs.splice(names, 1);
  }
  // Code metadata (branch hints, …) points at code offsets the rewriter moves.
  m.customs = m.customs.filter((c) => !c.name.startsWith('metadata.code.'));
}

function invalid(message: string): never {
  throw new AgentOsError('invalid-component', `invalid WebAssembly: ${message}`);
}

/** Copies a constant expression with `global.get` and `ref.func` indices shifted by one. */
export function renumberConstExpr(expr: Uint8Array, counts: Counts, state: ScanState): Uint8Array {
  const r = new ByteReader(expr);
  const w = new ByteWriter(expr.length + 8);
  while (!r.eof) {
    const at = r.pos;
    const op = expr[at];
    if (op === 0x23 || op === 0xd2) {
      r.pos++;
      const index = r.u32();
      const limit = op === 0x23 ? counts.globals : counts.functions;
      if (index >= limit) invalid(`${op === 0x23 ? 'global' : 'function'} index ${index} out of range in a constant expression`);
      w.u8(op);
      w.u32(index + 1);
      continue;
    }
    readInstruction(r, state);
    w.copy(expr, at, r.pos);
  }
  return w.finish();
}

/**
 * Shifts function indices in the function-names (1), local-names (2) and
 * label-names (3) subsections and global indices in global-names (7).
 * Returns undefined when the section is malformed (it is then dropped, as
 * engines ignore a bad name section anyway).
 */
export function renumberNameSection(payload: Uint8Array, firstShiftedLocal: (fn: number) => number = () => Infinity): Uint8Array | undefined {
  try {
    const r = new ByteReader(payload);
    const w = new ByteWriter(payload.length + 64);
    while (!r.eof) {
      const id = r.u8();
      const size = r.u32();
      const end = r.pos + size;
      if (end > r.end) malformed('name subsection too long', r.pos);
      const sub = new ByteReader(payload, r.pos, end);
      w.u8(id);
      const mark = w.beginSized();
      if (id === 1 || id === 7) {
        copyNameMap(sub, w, 1);
      } else if (id === 2 || id === 3) {
        const n = sub.u32();
        w.u32(n);
        for (let i = 0; i < n; i++) {
          const fn = sub.u32();
          w.u32(fn + 1);
          copyNameMap(sub, w, 0, id === 2 ? firstShiftedLocal(fn) : Infinity);
        }
      } else {
        w.copy(payload, sub.pos, end);
        sub.pos = end;
      }
      if (sub.pos !== end) malformed('name subsection size mismatch', sub.pos);
      w.endSized(mark);
      r.pos = end;
    }
    return w.finish();
  } catch {
    return undefined;
  }
}

/** Copies a name map with every index shifted by `shift`, and by one more from `shiftFrom` on. */
function copyNameMap(r: ByteReader, w: ByteWriter, shift: number, shiftFrom = Infinity): void {
  const n = r.u32();
  w.u32(n);
  for (let i = 0; i < n; i++) {
    const index = r.u32();
    w.u32(index + shift + (index >= shiftFrom ? 1 : 0));
    const len = r.u32();
    const at = r.pos;
    r.skip(len);
    w.u32(len);
    w.copy(r.bytes, at, r.pos);
  }
}
