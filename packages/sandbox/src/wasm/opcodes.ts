/**
 * The opcode table: for every opcode we accept, the shape of its immediates
 * and the feature it belongs to. Unknown opcodes map to `IMM_UNKNOWN`, which the
 * instruction reader turns into `unsupported-feature` with the opcode and offset.
 *
 * Tables are typed arrays indexed by opcode (or prefixed sub-opcode) so the hot
 * loop does one array load per instruction.
 */
import * as F from './features.ts';

// Immediate shapes.
export const IMM_UNKNOWN = 0;
export const IMM_NONE = 1;
export const IMM_BLOCK = 2; // blocktype
export const IMM_LABEL = 3; // u32 label
export const IMM_BR_TABLE = 4;
export const IMM_FUNC = 5; // u32 funcidx
export const IMM_CALL_INDIRECT = 6; // typeidx tableidx
export const IMM_LOCAL = 7;
export const IMM_GLOBAL = 8;
export const IMM_TABLE = 9; // u32 tableidx
export const IMM_MEMARG = 10;
export const IMM_MEMIDX = 11; // u32 memidx
export const IMM_I32 = 12;
export const IMM_I64 = 13;
export const IMM_F32 = 14;
export const IMM_F64 = 15;
export const IMM_SELECT_T = 16;
export const IMM_HEAPTYPE = 17;
export const IMM_TAG = 18;
export const IMM_TYPE = 19; // u32 typeidx
export const IMM_TRY_TABLE = 20;
export const IMM_TWO_U32 = 21; // memory.init, table.init, memory.copy, table.copy
export const IMM_U32 = 22; // data.drop, elem.drop
export const IMM_V128 = 23; // 16 bytes (v128.const, i8x16.shuffle)
export const IMM_LANE = 24; // 1 lane byte
export const IMM_MEMARG_LANE = 25;
export const IMM_ZERO_BYTE = 26; // atomic.fence
export const IMM_PREFIX = 27; // 0xFC / 0xFD / 0xFE

/** Immediate shape of each single-byte opcode. */
export const SINGLE = new Uint8Array(256);
/** Feature bit of each single-byte opcode (0 = MVP). */
export const SINGLE_FEATURE = new Uint16Array(256);
/** 0xFC sub-opcodes 0..17. */
export const MISC = new Uint8Array(18);
export const MISC_FEATURE = new Uint16Array(18);
/** 0xFD sub-opcodes 0..0x113 (SIMD and relaxed SIMD). */
export const SIMD = new Uint8Array(0x114);
/** 0xFE sub-opcodes 0..0x4E (threads). */
export const ATOMIC = new Uint8Array(0x4f);

function single(from: number, to: number, imm: number, feature = 0): void {
  for (let op = from; op <= to; op++) {
    SINGLE[op] = imm;
    SINGLE_FEATURE[op] = feature;
  }
}

single(0x00, 0x01, IMM_NONE); // unreachable nop
single(0x02, 0x04, IMM_BLOCK); // block loop if
single(0x05, 0x05, IMM_NONE); // else
single(0x06, 0x06, IMM_BLOCK, F.FEATURE_EXCEPTIONS); // try
single(0x07, 0x08, IMM_TAG, F.FEATURE_EXCEPTIONS); // catch throw
single(0x09, 0x09, IMM_LABEL, F.FEATURE_EXCEPTIONS); // rethrow
single(0x0a, 0x0a, IMM_NONE, F.FEATURE_EXCEPTIONS); // throw_ref
single(0x0b, 0x0b, IMM_NONE); // end
single(0x0c, 0x0d, IMM_LABEL); // br br_if
single(0x0e, 0x0e, IMM_BR_TABLE);
single(0x0f, 0x0f, IMM_NONE); // return
single(0x10, 0x10, IMM_FUNC); // call
single(0x11, 0x11, IMM_CALL_INDIRECT);
single(0x12, 0x12, IMM_FUNC, F.FEATURE_TAIL_CALL); // return_call
single(0x13, 0x13, IMM_CALL_INDIRECT, F.FEATURE_TAIL_CALL);
single(0x14, 0x14, IMM_TYPE, F.FEATURE_FUNCTION_REFERENCES); // call_ref
single(0x15, 0x15, IMM_TYPE, F.FEATURE_TAIL_CALL | F.FEATURE_FUNCTION_REFERENCES); // return_call_ref
single(0x18, 0x18, IMM_LABEL, F.FEATURE_EXCEPTIONS); // delegate
single(0x19, 0x19, IMM_NONE, F.FEATURE_EXCEPTIONS); // catch_all
single(0x1a, 0x1b, IMM_NONE); // drop select
single(0x1c, 0x1c, IMM_SELECT_T, F.FEATURE_REFERENCE_TYPES);
single(0x1f, 0x1f, IMM_TRY_TABLE, F.FEATURE_EXCEPTIONS);
single(0x20, 0x22, IMM_LOCAL);
single(0x23, 0x24, IMM_GLOBAL);
single(0x25, 0x26, IMM_TABLE, F.FEATURE_REFERENCE_TYPES); // table.get table.set
single(0x28, 0x3e, IMM_MEMARG); // loads and stores
single(0x3f, 0x40, IMM_MEMIDX); // memory.size memory.grow
single(0x41, 0x41, IMM_I32);
single(0x42, 0x42, IMM_I64);
single(0x43, 0x43, IMM_F32);
single(0x44, 0x44, IMM_F64);
single(0x45, 0xbf, IMM_NONE); // numeric
single(0xc0, 0xc4, IMM_NONE, F.FEATURE_SIGN_EXTENSION);
single(0xd0, 0xd0, IMM_HEAPTYPE, F.FEATURE_REFERENCE_TYPES); // ref.null
single(0xd1, 0xd1, IMM_NONE, F.FEATURE_REFERENCE_TYPES); // ref.is_null
single(0xd2, 0xd2, IMM_FUNC, F.FEATURE_REFERENCE_TYPES); // ref.func
single(0xd3, 0xd3, IMM_NONE, F.FEATURE_FUNCTION_REFERENCES); // ref.as_non_null
single(0xd4, 0xd4, IMM_LABEL, F.FEATURE_FUNCTION_REFERENCES); // br_on_null
single(0xd6, 0xd6, IMM_LABEL, F.FEATURE_FUNCTION_REFERENCES); // br_on_non_null
single(0xfc, 0xfe, IMM_PREFIX);

// 0xFC: saturating truncation 0-7, bulk memory and tables 8-17.
MISC.fill(IMM_NONE, 0, 8);
MISC_FEATURE.fill(F.FEATURE_SATURATING, 0, 8);
MISC.set([IMM_TWO_U32, IMM_U32, IMM_TWO_U32, IMM_MEMIDX, IMM_TWO_U32, IMM_U32, IMM_TWO_U32, IMM_TABLE, IMM_TABLE, IMM_TABLE], 8);
MISC_FEATURE.fill(F.FEATURE_BULK_MEMORY, 8, 15);
MISC_FEATURE.fill(F.FEATURE_REFERENCE_TYPES, 15, 18); // table.grow table.size table.fill

// 0xFD: SIMD. Sub-opcodes 0..0xFF, with reserved gaps; 0x100..0x113 relaxed SIMD.
SIMD.fill(IMM_MEMARG, 0, 12); // v128.load* and v128.store
SIMD[12] = IMM_V128; // v128.const
SIMD[13] = IMM_V128; // i8x16.shuffle
SIMD.fill(IMM_NONE, 14, 21); // swizzle, splats
SIMD.fill(IMM_LANE, 21, 35); // extract/replace lane
SIMD.fill(IMM_NONE, 35, 84);
SIMD.fill(IMM_MEMARG_LANE, 84, 92); // load/store lane
SIMD.fill(IMM_MEMARG, 92, 94); // load32_zero load64_zero
SIMD.fill(IMM_NONE, 94, 0x100);
for (const reserved of [154, 162, 165, 166, 175, 176, 178, 179, 180, 187, 194, 197, 198, 207, 208, 210, 211, 212, 226, 238]) {
  SIMD[reserved] = IMM_UNKNOWN;
}
SIMD.fill(IMM_NONE, 0x100, 0x114);

// 0xFE: threads.
ATOMIC.fill(IMM_MEMARG, 0, 3); // notify, wait32, wait64
ATOMIC[3] = IMM_ZERO_BYTE; // atomic.fence
ATOMIC.fill(IMM_MEMARG, 0x10, 0x4f);

/** Hex name of an opcode for messages, e.g. `0xfd 0x114`. */
export function opcodeHex(prefix: number, sub?: number): string {
  const head = `0x${prefix.toString(16).padStart(2, '0')}`;
  return sub === undefined ? head : `${head} 0x${sub.toString(16)}`;
}
