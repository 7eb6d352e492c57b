/**
 * Decodes a core WebAssembly binary into a `WasmModule`.
 *
 * Checks everything that makes a binary malformed (magic/version, section
 * order, duplicates, sizes, LEB128, counts, UTF-8) and the index-range facts
 * the metering rewriter relies on; deeper validation (typing) is the host
 * engine's job (`WebAssembly.validate`). Code bodies are not walked here; see
 * `scanCode` for a feature scan.
 */
import * as F from './features.ts';
import { AgentOsError } from '../errors/index.ts';
import { readConstExpr, readValType, type ScanState } from './instructions.ts';
import { ByteReader, malformed } from './reader.ts';
import * as S from './types.ts';
import type { ElementSegment, Limits, TableType, WasmModule } from './types.ts';

const MAGIC = 0x6d736100;

/**
 * Decodes `bytes` as a core module.
 * @throws AgentOsError 'invalid-component' when the binary is malformed (with the byte offset),
 *   'unsupported-feature' for an unknown opcode or type in a constant expression.
 */
export function decodeModule(bytes: Uint8Array): WasmModule {
  const r = new ByteReader(bytes);
  if (bytes.length < 8) malformed('unexpected end (not a WebAssembly module)', 0);
  const magic = bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24);
  if (magic !== MAGIC) malformed('magic header not detected', 0);
  if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) {
    malformed(bytes[6] === 0x0d || bytes[6] === 1 ? 'this is a component, not a core module' : 'unknown binary version', 4);
  }
  r.pos = 8;
  const m: WasmModule = {
    types: [], imports: [], functions: [], tables: [], memories: [], tags: [], globals: [], exports: [],
    start: undefined, elements: [], dataCount: undefined, code: [], data: [], customs: [], present: new Set(),
    features: 0,
  };
  const state: ScanState = { typeCount: 0, features: 0 };
  let lastRank = 0;
  let functionSectionSeen = false;
  while (!r.eof) {
    const idAt = r.pos;
    const id = r.u8();
    const size = r.u32();
    const start = r.pos;
    if (size > bytes.length - start) malformed(`section size ${size} exceeds the module (unexpected end)`, idAt + 1);
    const end = start + size;
    const sr = new ByteReader(bytes, start, end);
    if (id === S.SECTION_CUSTOM) {
      const name = sr.name();
      m.customs.push({ name, payload: bytes.subarray(sr.pos, end), after: lastRank });
      r.pos = end;
      continue;
    }
    const rank = S.SECTION_RANK[id];
    if (rank === undefined) malformed(`unknown section id ${id}`, idAt);
    if (rank <= lastRank) malformed(m.present.has(id) ? `duplicate section id ${id}` : `section id ${id} out of order`, idAt);
    lastRank = rank;
    m.present.add(id);
    decodeSection(sr, id, m, state);
    if (id === S.SECTION_FUNCTION) functionSectionSeen = true;
    if (sr.pos !== end) malformed(`section size mismatch (section id ${id})`, sr.pos);
    r.pos = end;
  }
  if (m.functions.length !== m.code.length) {
    malformed(`function and code section have inconsistent lengths (${m.functions.length} vs ${m.code.length})`, bytes.length);
  }
  if (!functionSectionSeen && m.code.length) malformed('code section without function section', bytes.length);
  if (m.dataCount !== undefined && m.dataCount !== m.data.length) {
    malformed(`data count ${m.dataCount} and data section have inconsistent lengths (${m.data.length})`, bytes.length);
  }
  m.features = state.features;
  return m;
}

function decodeSection(r: ByteReader, id: number, m: WasmModule, state: ScanState): void {
  switch (id) {
    case S.SECTION_TYPE: {
      const n = count(r);
      for (let i = 0; i < n; i++) {
        const at = r.pos;
        const form = r.u8();
        if (form !== 0x60) {
          if (form >= 0x4e && form <= 0x5f) unsupported('GC types (rec/sub/struct/array)', at);
          malformed(`malformed function type form 0x${form.toString(16)}`, at);
        }
        state.typeCount = i; // without rec groups a type may refer only to earlier types
        const params = valTypes(r, state);
        const results = valTypes(r, state);
        if (results.length > 1) state.features |= F.FEATURE_MULTI_VALUE;
        m.types.push({ params, results });
      }
      state.typeCount = m.types.length;
      return;
    }
    case S.SECTION_IMPORT: {
      const n = count(r);
      for (let i = 0; i < n; i++) {
        const module = r.name();
        const name = r.name();
        const at = r.pos;
        const kind = r.u8();
        switch (kind) {
          case 0:
            m.imports.push({ module, name, desc: { kind: 'func', typeIndex: typeIndex(r, state) } });
            break;
          case 1:
            m.imports.push({ module, name, desc: { kind: 'table', table: tableType(r, state) } });
            break;
          case 2:
            m.imports.push({ module, name, desc: { kind: 'memory', limits: memoryType(r, state) } });
            break;
          case 3:
            m.imports.push({ module, name, desc: { kind: 'global', global: globalType(r, state) } });
            break;
          case 4:
            m.imports.push({ module, name, desc: { kind: 'tag', typeIndex: tagType(r, state) } });
            break;
          default:
            malformed(`malformed import kind ${kind}`, at);
        }
      }
      return;
    }
    case S.SECTION_FUNCTION: {
      const n = count(r);
      for (let i = 0; i < n; i++) m.functions.push(typeIndex(r, state));
      return;
    }
    case S.SECTION_TABLE: {
      const n = count(r);
      for (let i = 0; i < n; i++) {
        if (r.pos < r.end && r.bytes[r.pos] === 0x40) {
          const at = r.pos;
          r.pos++;
          if (r.u8() !== 0) malformed('malformed table initializer', at);
          const table = tableType(r, state);
          table.init = readConstExpr(r, state);
          m.tables.push(table);
        } else {
          m.tables.push(tableType(r, state));
        }
      }
      return;
    }
    case S.SECTION_MEMORY: {
      const n = count(r);
      for (let i = 0; i < n; i++) m.memories.push(memoryType(r, state));
      return;
    }
    case S.SECTION_TAG: {
      const n = count(r);
      for (let i = 0; i < n; i++) m.tags.push(tagType(r, state));
      state.features |= F.FEATURE_EXCEPTIONS;
      return;
    }
    case S.SECTION_GLOBAL: {
      const n = count(r);
      for (let i = 0; i < n; i++) {
        const type = globalType(r, state);
        m.globals.push({ type, init: readConstExpr(r, state) });
      }
      return;
    }
    case S.SECTION_EXPORT: {
      const n = count(r);
      const kinds = ['func', 'table', 'memory', 'global', 'tag'] as const;
      for (let i = 0; i < n; i++) {
        const name = r.name();
        const at = r.pos;
        const kind = kinds[r.u8()];
        if (!kind) malformed('malformed export kind', at);
        m.exports.push({ name, kind, index: r.u32() });
      }
      return;
    }
    case S.SECTION_START:
      m.start = r.u32();
      return;
    case S.SECTION_ELEMENT: {
      const n = count(r);
      for (let i = 0; i < n; i++) m.elements.push(elementSegment(r, state));
      return;
    }
    case S.SECTION_DATA_COUNT:
      m.dataCount = r.u32();
      return;
    case S.SECTION_CODE: {
      const n = count(r);
      for (let i = 0; i < n; i++) {
        const size = r.u32();
        const bodyStart = r.pos;
        if (size > r.end - bodyStart) malformed('function body size exceeds the section (unexpected end)', bodyStart);
        // The section's reader, bounded by the body while it reads the locals (no reader per body).
        const sectionEnd = r.end;
        const bodyEnd = bodyStart + size;
        r.end = bodyEnd;
        const groups = r.u32();
        if (groups > size) malformed('too many local groups', bodyStart);
        const locals = [];
        let total = 0;
        for (let g = 0; g < groups; g++) {
          const at = r.pos;
          const c = r.u32();
          total += c;
          if (total > 0xffffffff) malformed('too many locals', at);
          locals.push({ count: c, type: readValType(r, state) });
        }
        if (r.pos >= bodyEnd || r.bytes[bodyEnd - 1] !== 0x0b) malformed('function body must end with END', bodyEnd);
        m.code.push({ locals, body: r.bytes.subarray(r.pos, bodyEnd), offset: r.pos, size });
        r.end = sectionEnd;
        r.pos = bodyEnd;
      }
      return;
    }
    case S.SECTION_DATA: {
      const n = count(r);
      for (let i = 0; i < n; i++) {
        const at = r.pos;
        const flags = r.u32();
        if (flags > 2) malformed(`malformed data segment flags ${flags}`, at);
        const memoryIndex = flags === 2 ? r.u32() : 0;
        if (flags !== 0) state.features |= flags === 1 ? F.FEATURE_BULK_MEMORY : memoryIndex ? F.FEATURE_MULTI_MEMORY : 0;
        const offset = flags === 1 ? undefined : readConstExpr(r, state);
        const len = r.u32();
        m.data.push({ flags, memoryIndex, offset, data: r.take(len) });
      }
      return;
    }
  }
}

/** GC and other type forms we do not meter are refused as unsupported rather than malformed. */
function unsupported(what: string, offset: number): never {
  throw new AgentOsError('unsupported-feature', `${what} at byte ${offset} are not supported`, { details: { offset } });
}

function count(r: ByteReader): number {
  const at = r.pos;
  const n = r.u32();
  // Every entry takes at least one byte: a count beyond the section is malformed.
  if (n > r.end - r.pos) malformed(`count ${n} exceeds the section (unexpected end)`, at);
  return n;
}

function valTypes(r: ByteReader, state: ScanState): number[] {
  const n = count(r);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = readValType(r, state);
  return out;
}

function typeIndex(r: ByteReader, state: ScanState): number {
  const at = r.pos;
  const index = r.u32();
  if (index >= state.typeCount) malformed(`type index ${index} out of range`, at);
  return index;
}

function tagType(r: ByteReader, state: ScanState): number {
  const at = r.pos;
  if (r.u8() !== 0) malformed('malformed tag attribute', at);
  state.features |= F.FEATURE_EXCEPTIONS;
  return typeIndex(r, state);
}

function limits(r: ByteReader, kind: 'memory' | 'table'): Limits {
  const at = r.pos;
  const flags = r.u8();
  const valid = kind === 'memory' ? flags <= 7 : flags <= 1 || flags === 4 || flags === 5;
  if (!valid) malformed(`malformed ${kind} limits flags 0x${flags.toString(16)}`, at);
  const is64 = (flags & 4) !== 0;
  const read = (): number => {
    if (!is64) return r.u32();
    const p = r.pos;
    r.skipU64();
    let v = 0;
    for (let i = r.pos - 1; i >= p; i--) v = v * 128 + (r.bytes[i] & 0x7f);
    return v;
  };
  const min = read();
  const max = flags & 1 ? read() : undefined;
  return { min, max, shared: (flags & 2) !== 0, is64 };
}

function memoryType(r: ByteReader, state: ScanState): Limits {
  const at = r.pos;
  const l = limits(r, 'memory');
  if (l.shared) state.features |= F.FEATURE_THREADS;
  if (l.shared && l.max === undefined) malformed('shared memory must have a maximum', at);
  if (!l.is64 && (l.min > 65536 || (l.max !== undefined && l.max > 65536))) {
    malformed('memory size must be at most 65536 pages (4GiB)', at);
  }
  return l;
}

function tableType(r: ByteReader, state: ScanState): TableType {
  const elemType = readValType(r, state);
  if (elemType < 0x63 || elemType === 0x7b || (elemType >= 0x7c && elemType <= 0x7f)) {
    malformed('table element type must be a reference type', r.pos - 1);
  }
  if (elemType === 0x6f) state.features |= F.FEATURE_REFERENCE_TYPES;
  return { elemType, limits: limits(r, 'table') };
}

function globalType(r: ByteReader, state: ScanState) {
  const valType = readValType(r, state);
  const at = r.pos;
  const mut = r.u8();
  if (mut > 1) malformed('malformed mutability', at);
  return { valType, mutable: mut === 1 };
}

function elementSegment(r: ByteReader, state: ScanState): ElementSegment {
  const at = r.pos;
  const flags = r.u32();
  if (flags > 7) malformed(`malformed elements segment kind ${flags}`, at);
  if (flags !== 0) state.features |= F.FEATURE_BULK_MEMORY | F.FEATURE_REFERENCE_TYPES;
  const passiveOrDeclarative = (flags & 1) !== 0;
  const explicitTable = (flags & 2) !== 0;
  const usesExprs = (flags & 4) !== 0;
  const mode = !passiveOrDeclarative ? 'active' : explicitTable ? 'declarative' : 'passive';
  const tableIndex = !passiveOrDeclarative && explicitTable ? r.u32() : 0;
  const offset = passiveOrDeclarative ? undefined : readConstExpr(r, state);
  let elemType = 0x70;
  if (passiveOrDeclarative || explicitTable) {
    if (usesExprs) {
      const typeAt = r.pos;
      elemType = readValType(r, state);
      if (elemType !== 0x70 && elemType !== 0x6f && elemType < 256) malformed('malformed reference type', typeAt);
    } else {
      const kindAt = r.pos;
      if (r.u8() !== 0) malformed('malformed element kind', kindAt);
      elemType = 0x00;
    }
  }
  const n = count(r);
  if (usesExprs) {
    const exprs: Uint8Array[] = [];
    for (let i = 0; i < n; i++) exprs.push(readConstExpr(r, state));
    return { flags, mode, tableIndex, offset, elemType, functions: undefined, exprs };
  }
  const functions: number[] = new Array(n);
  for (let i = 0; i < n; i++) functions[i] = r.u32();
  return { flags, mode, tableIndex, offset, elemType, functions, exprs: undefined };
}

