/**
 * Reading single instructions: the opcode and its immediates, by the opcode
 * table. Used for constant expressions, for feature scans and by the metering
 * rewriter for every instruction it copies unchanged.
 */
import { AgentOsError } from '../errors/index.ts';
import * as F from './features.ts';
import * as O from './opcodes.ts';
import { type ByteReader, malformed } from './reader.ts';

/** What a scan learns and needs: the number of types (to check type indices) and feature bits. */
export interface ScanState {
  typeCount: number;
  features: number;
}

/** Prefixed opcodes are returned as `prefix << 16 | sub`, e.g. memory.fill = 0xfc000b. */
export const KEY_MEMORY_INIT = 0xfc0008;
export const KEY_DATA_DROP = 0xfc0009;
export const KEY_MEMORY_COPY = 0xfc000a;
export const KEY_MEMORY_FILL = 0xfc000b;
export const KEY_TABLE_INIT = 0xfc000c;
export const KEY_TABLE_COPY = 0xfc000e;
export const KEY_TABLE_FILL = 0xfc0011;

/** @throws AgentOsError 'unsupported-feature' naming the opcode and offset. */
export function unsupportedOpcode(hex: string, offset: number): never {
  throw new AgentOsError('unsupported-feature', `unknown or unsupported opcode ${hex} at byte ${offset}`, {
    details: { opcode: hex, offset },
  });
}

/** Reads a value type and returns it packed (see `ValType`). */
export function readValType(r: ByteReader, state: ScanState): number {
  const at = r.pos;
  const b = r.u8();
  if (b >= 0x7c && b <= 0x7f) return b;
  if (b === 0x7b) {
    state.features |= F.FEATURE_SIMD;
    return b;
  }
  if (b === 0x70 || b === 0x6f) {
    if (b === 0x6f) state.features |= F.FEATURE_REFERENCE_TYPES;
    return b;
  }
  if (b === 0x69) {
    state.features |= F.FEATURE_EXCEPTIONS;
    return b;
  }
  if (b === 0x63 || b === 0x64) {
    state.features |= F.FEATURE_FUNCTION_REFERENCES;
    const heap = readHeapType(r, state);
    return b + 256 * (heap + 128);
  }
  return malformed(`unknown value type 0x${b.toString(16)}`, at);
}

/** Reads a heap type: negative for abstract types (func, extern, exn, …), else a type index. */
export function readHeapType(r: ByteReader, state: ScanState): number {
  const at = r.pos;
  const heap = r.s33();
  if (heap >= 0) {
    if (heap >= state.typeCount) malformed(`type index ${heap} out of range`, at);
    state.features |= F.FEATURE_FUNCTION_REFERENCES;
    return heap;
  }
  // func, extern, exn and the GC abstract types; GC itself is not supported.
  if (heap === -0x10 || heap === -0x11) return heap;
  if (heap === -0x17) {
    state.features |= F.FEATURE_EXCEPTIONS;
    return heap;
  }
  if (heap === -0x0d || heap === -0x0e) return heap; // nofunc, noextern
  return unsupportedOpcode(`heap type ${heap}`, at);
}

export function readBlockType(r: ByteReader, state: ScanState): void {
  const b = r.pos < r.end ? r.bytes[r.pos] : -1;
  if (b === 0x40) {
    r.pos++;
    return;
  }
  if ((b >= 0x7b && b <= 0x7f) || b === 0x70 || b === 0x6f || b === 0x69 || b === 0x63 || b === 0x64) {
    readValType(r, state);
    return;
  }
  const at = r.pos;
  const index = r.s33();
  if (index < 0 || index >= state.typeCount) malformed(`block type index ${index} out of range`, at);
  state.features |= F.FEATURE_MULTI_VALUE;
}

export function readMemarg(r: ByteReader, state: ScanState): void {
  const at = r.pos;
  const align = r.u32();
  if (align & 0x40) {
    state.features |= F.FEATURE_MULTI_MEMORY;
    r.u32();
  }
  if ((align & ~0x40) >= 32) malformed('alignment too large', at);
  r.u32();
}

/**
 * Reads the immediates of an instruction whose shape is `imm` (the opcode byte(s)
 * already consumed). Function and global indices are read, not changed.
 * @throws AgentOsError 'invalid-component' on malformed immediates.
 */
export function readImmediates(r: ByteReader, imm: number, state: ScanState): void {
  switch (imm) {
    case O.IMM_NONE:
      return;
    case O.IMM_BLOCK:
      return readBlockType(r, state);
    case O.IMM_LABEL:
    case O.IMM_FUNC:
    case O.IMM_LOCAL:
    case O.IMM_GLOBAL:
    case O.IMM_TAG:
    case O.IMM_U32:
      r.u32();
      return;
    case O.IMM_TABLE: {
      if (r.u32() !== 0) state.features |= F.FEATURE_REFERENCE_TYPES;
      return;
    }
    case O.IMM_TYPE: {
      const at = r.pos;
      if (r.u32() >= state.typeCount) malformed('type index out of range', at);
      return;
    }
    case O.IMM_BR_TABLE: {
      const n = r.u32();
      for (let i = 0; i <= n; i++) r.u32();
      return;
    }
    case O.IMM_CALL_INDIRECT: {
      const at = r.pos;
      if (r.u32() >= state.typeCount) malformed('type index out of range', at);
      if (r.u32() !== 0) state.features |= F.FEATURE_REFERENCE_TYPES;
      return;
    }
    case O.IMM_MEMARG:
      return readMemarg(r, state);
    case O.IMM_MEMIDX:
      if (r.u32() !== 0) state.features |= F.FEATURE_MULTI_MEMORY;
      return;
    case O.IMM_I32:
      r.s32();
      return;
    case O.IMM_I64:
      r.skipS64();
      return;
    case O.IMM_F32:
      r.skip(4);
      return;
    case O.IMM_F64:
      r.skip(8);
      return;
    case O.IMM_SELECT_T: {
      const n = r.u32();
      for (let i = 0; i < n; i++) readValType(r, state);
      return;
    }
    case O.IMM_HEAPTYPE:
      readHeapType(r, state);
      return;
    case O.IMM_TRY_TABLE: {
      readBlockType(r, state);
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const at = r.pos;
        const kind = r.u8();
        if (kind > 3) malformed(`unknown catch clause kind ${kind}`, at);
        if (kind < 2) r.u32(); // tag
        r.u32(); // label
      }
      return;
    }
    case O.IMM_TWO_U32:
      r.u32();
      r.u32();
      return;
    case O.IMM_V128:
      r.skip(16);
      return;
    case O.IMM_LANE:
      r.skip(1);
      return;
    case O.IMM_MEMARG_LANE:
      readMemarg(r, state);
      r.skip(1);
      return;
    case O.IMM_ZERO_BYTE: {
      const at = r.pos;
      if (r.u8() !== 0) malformed('zero byte expected', at);
      return;
    }
    default:
      return malformed(`bad immediate kind ${imm}`, r.pos);
  }
}

/**
 * Reads one instruction and returns its key: the opcode, or `prefix << 16 | sub`
 * for 0xFC/0xFD/0xFE instructions.
 * @throws AgentOsError 'unsupported-feature' for an opcode not in the table,
 *   'invalid-component' for malformed immediates.
 */
export function readInstruction(r: ByteReader, state: ScanState): number {
  const at = r.pos;
  const op = r.u8();
  const imm = O.SINGLE[op];
  if (imm === O.IMM_PREFIX) return readPrefixed(r, op, at, state);
  if (imm === O.IMM_UNKNOWN) unsupportedOpcode(O.opcodeHex(op), at);
  state.features |= O.SINGLE_FEATURE[op];
  if (imm !== O.IMM_NONE) readImmediates(r, imm, state);
  return op;
}

export function readPrefixed(r: ByteReader, prefix: number, at: number, state: ScanState): number {
  const sub = r.u32();
  let imm = O.IMM_UNKNOWN;
  if (prefix === 0xfc) {
    if (sub < O.MISC.length) {
      imm = O.MISC[sub];
      state.features |= O.MISC_FEATURE[sub];
    }
  } else if (prefix === 0xfd) {
    if (sub < O.SIMD.length) {
      imm = O.SIMD[sub];
      state.features |= sub >= 0x100 ? F.FEATURE_SIMD | F.FEATURE_RELAXED_SIMD : F.FEATURE_SIMD;
    }
  } else if (sub < O.ATOMIC.length) {
    imm = O.ATOMIC[sub];
    state.features |= F.FEATURE_THREADS;
  }
  if (imm === O.IMM_UNKNOWN) unsupportedOpcode(O.opcodeHex(prefix, sub), at);
  readImmediates(r, imm, state);
  return (prefix << 16) | sub;
}

const EXTENDED_CONST_OPS = new Set([0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e]);

/**
 * Reads a constant expression up to and including its `end` and returns a view
 * of it. Only the instructions the spec allows in constant expressions (plus
 * extended-const arithmetic) are accepted.
 * @throws AgentOsError 'invalid-component' when the expression is malformed or not constant.
 */
export function readConstExpr(r: ByteReader, state: ScanState): Uint8Array {
  const start = r.pos;
  for (;;) {
    const at = r.pos;
    const key = readInstruction(r, state);
    if (key === 0x0b) return r.bytes.subarray(start, r.pos);
    if (EXTENDED_CONST_OPS.has(key)) {
      state.features |= F.FEATURE_EXTENDED_CONST;
      continue;
    }
    const constant =
      key === 0x41 || key === 0x42 || key === 0x43 || key === 0x44 || key === 0x23 || key === 0xd0 || key === 0xd2 ||
      key === 0xfd000c;
    if (!constant) malformed('constant expression required', at);
  }
}
