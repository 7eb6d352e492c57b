/**
 * Encodes a `WasmModule` back to bytes, in canonical section order with custom
 * sections where they were found. LEB128 is written minimal, so a module that
 * came from a canonical writer (wat2wasm, LLVM) round-trips byte for byte.
 */
import * as S from './types.ts';
import type { Limits, TableType, ValType, WasmModule } from './types.ts';
import { ByteWriter, lebWidth } from './writer.ts';

const utf8 = new TextEncoder();

export interface EncodeOptions {
  /** The code section payload, already written (the metering rewriter's); used instead of encoding `module.code`. */
  code?: Uint8Array;
  /** Starting capacity of the output buffer. */
  capacity?: number;
}

const KIND_BYTE = { func: 0, table: 1, memory: 2, global: 3, tag: 4 } as const;

/** Encodes `module`. Throws only on programming errors (the model is trusted). */
export function encodeModule(module: WasmModule, options: EncodeOptions = {}): Uint8Array {
  const w = new ByteWriter(options.capacity ?? 4096);
  w.bytes(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
  // Sections whose size is known up front get it written first: a size reserved and patched
  // afterwards would move the payload (custom sections and the code are most of a module).
  const customsAfter = (rank: number): void => {
    for (const c of module.customs) {
      if (c.after !== rank) continue;
      const name = utf8.encode(c.name);
      w.u8(S.SECTION_CUSTOM);
      w.u32(lebWidth(name.length) + name.length + c.payload.length);
      w.u32(name.length);
      w.bytes(name);
      w.bytes(c.payload);
    }
  };
  customsAfter(0);
  for (const id of S.SECTION_ORDER) {
    if (shouldWrite(module, id, options)) {
      w.u8(id);
      if (id === S.SECTION_CODE && options.code) {
        w.u32(options.code.length);
        w.bytes(options.code);
      } else {
        const mark = w.beginSized();
        writeSection(w, module, id);
        w.endSized(mark);
      }
    }
    customsAfter(S.SECTION_RANK[id]);
  }
  return w.finish();
}

function shouldWrite(m: WasmModule, id: number, options: EncodeOptions): boolean {
  if (m.present.has(id)) return true;
  switch (id) {
    case S.SECTION_TYPE: return m.types.length > 0;
    case S.SECTION_IMPORT: return m.imports.length > 0;
    case S.SECTION_FUNCTION: return m.functions.length > 0;
    case S.SECTION_TABLE: return m.tables.length > 0;
    case S.SECTION_MEMORY: return m.memories.length > 0;
    case S.SECTION_TAG: return m.tags.length > 0;
    case S.SECTION_GLOBAL: return m.globals.length > 0;
    case S.SECTION_EXPORT: return m.exports.length > 0;
    case S.SECTION_START: return m.start !== undefined;
    case S.SECTION_ELEMENT: return m.elements.length > 0;
    case S.SECTION_DATA_COUNT: return m.dataCount !== undefined;
    case S.SECTION_CODE: return m.code.length > 0 || options.code !== undefined && m.functions.length > 0;
    case S.SECTION_DATA: return m.data.length > 0;
    default: return false;
  }
}

export function writeValType(w: ByteWriter, t: ValType): void {
  if (t < 256) {
    w.u8(t);
    return;
  }
  w.u8(t & 0xff);
  w.sleb(Math.floor(t / 256) - 128);
}

export function writeLimits(w: ByteWriter, l: Limits): void {
  const flags = (l.max !== undefined ? 1 : 0) | (l.shared ? 2 : 0) | (l.is64 ? 4 : 0);
  w.u8(flags);
  const put = (v: number): void => (l.is64 ? w.sleb(v) : w.u32(v));
  put(l.min);
  if (l.max !== undefined) put(l.max);
}

function writeTable(w: ByteWriter, t: TableType): void {
  if (t.init) {
    w.u8(0x40);
    w.u8(0x00);
  }
  writeValType(w, t.elemType);
  writeLimits(w, t.limits);
  if (t.init) w.bytes(t.init);
}

function writeSection(w: ByteWriter, m: WasmModule, id: number): void {
  switch (id) {
    case S.SECTION_TYPE:
      w.u32(m.types.length);
      for (const t of m.types) {
        w.u8(0x60);
        w.u32(t.params.length);
        for (const p of t.params) writeValType(w, p);
        w.u32(t.results.length);
        for (const p of t.results) writeValType(w, p);
      }
      return;
    case S.SECTION_IMPORT:
      w.u32(m.imports.length);
      for (const imp of m.imports) {
        w.name(imp.module);
        w.name(imp.name);
        const d = imp.desc;
        w.u8(KIND_BYTE[d.kind]);
        if (d.kind === 'func') w.u32(d.typeIndex);
        else if (d.kind === 'table') writeTable(w, d.table);
        else if (d.kind === 'memory') writeLimits(w, d.limits);
        else if (d.kind === 'global') {
          writeValType(w, d.global.valType);
          w.u8(d.global.mutable ? 1 : 0);
        } else {
          w.u8(0);
          w.u32(d.typeIndex);
        }
      }
      return;
    case S.SECTION_FUNCTION:
      w.u32(m.functions.length);
      for (const f of m.functions) w.u32(f);
      return;
    case S.SECTION_TABLE:
      w.u32(m.tables.length);
      for (const t of m.tables) writeTable(w, t);
      return;
    case S.SECTION_MEMORY:
      w.u32(m.memories.length);
      for (const l of m.memories) writeLimits(w, l);
      return;
    case S.SECTION_TAG:
      w.u32(m.tags.length);
      for (const t of m.tags) {
        w.u8(0);
        w.u32(t);
      }
      return;
    case S.SECTION_GLOBAL:
      w.u32(m.globals.length);
      for (const g of m.globals) {
        writeValType(w, g.type.valType);
        w.u8(g.type.mutable ? 1 : 0);
        w.bytes(g.init);
      }
      return;
    case S.SECTION_EXPORT:
      w.u32(m.exports.length);
      for (const e of m.exports) {
        w.name(e.name);
        w.u8(KIND_BYTE[e.kind]);
        w.u32(e.index);
      }
      return;
    case S.SECTION_START:
      w.u32(m.start ?? 0);
      return;
    case S.SECTION_ELEMENT:
      w.u32(m.elements.length);
      for (const e of m.elements) {
        w.u32(e.flags);
        if (e.flags === 2 || e.flags === 6) w.u32(e.tableIndex);
        if (e.offset) w.bytes(e.offset);
        if (e.flags & 3) writeValType(w, e.elemType);
        if (e.exprs) {
          w.u32(e.exprs.length);
          for (const x of e.exprs) w.bytes(x);
        } else {
          const fs = e.functions ?? [];
          w.u32(fs.length);
          for (const f of fs) w.u32(f);
        }
      }
      return;
    case S.SECTION_DATA_COUNT:
      w.u32(m.dataCount ?? m.data.length);
      return;
    case S.SECTION_CODE:
      w.u32(m.code.length);
      for (const f of m.code) {
        const mark = w.beginSized();
        w.u32(f.locals.length);
        for (const g of f.locals) {
          w.u32(g.count);
          writeValType(w, g.type);
        }
        w.bytes(f.body);
        w.endSized(mark);
      }
      return;
    case S.SECTION_DATA:
      w.u32(m.data.length);
      for (const d of m.data) {
        w.u32(d.flags);
        if (d.flags === 2) w.u32(d.memoryIndex);
        if (d.offset) w.bytes(d.offset);
        w.u32(d.data.length);
        w.bytes(d.data);
      }
      return;
  }
}
