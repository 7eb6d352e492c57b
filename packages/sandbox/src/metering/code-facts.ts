/**
 * Facts about opcodes and bodies that the code rewriter asks for in its hot
 * loop: which single-byte opcodes take a fast path, which operations are bulk,
 * and whether a branch leaves the function. Kept apart so the loop reads as
 * the rewriting logic only.
 */
import { AgentOsError } from '../errors/index.ts';
import { opcodes as O } from '../wasm/index.ts';
import { SINGLE_WEIGHT } from './cost.ts';

/** A cheap, conservative look for 0xFC 8..17 (bulk ops): a false hit only adds an unused local. */
export function mayUseBulk(body: Uint8Array): boolean {
  for (let p = body.indexOf(0xfc); p >= 0 && p + 1 < body.length; p = body.indexOf(0xfc, p + 1)) {
    const sub = body[p + 1];
    if (sub >= 8 && sub <= 17) return true;
  }
  return false;
}

// Fast-path classes of single-byte opcodes (0 = handled by the switch).
export const FAST_PLAIN = 1; // no immediates, no effect on control flow
export const FAST_SKIP_LEB = 2; // one LEB immediate to copy (i32.const, i64.const, br_if)
export const FAST_MEMARG = 3; // loads and stores
export const FAST_LOCAL = 4; // local.get/set/tee: locals we add must not make an invalid index valid
export const FAST = new Uint8Array(256);
for (let op = 0; op < 256; op++) {
  const imm = O.SINGLE[op];
  if (imm === O.IMM_NONE) FAST[op] = FAST_PLAIN;
  else if (imm === O.IMM_MEMARG) FAST[op] = FAST_MEMARG;
}
for (const op of [0x00, 0x05, 0x0b, 0x0f, 0x19, 0x0a]) FAST[op] = 0; // control: see the switch
FAST[0x41] = FAST_SKIP_LEB; // i32.const
FAST[0x42] = FAST_SKIP_LEB; // i64.const
FAST[0x0d] = FAST_SKIP_LEB; // br_if
FAST[0x20] = FAST[0x21] = FAST[0x22] = FAST_LOCAL;

/**
 * The fast path's three facts about a single-byte opcode in one load: `FAST` class (bits 0-2),
 * weight (bits 3-7, `SINGLE_WEIGHT`) and feature bits (from bit 8, `SINGLE_FEATURE`).
 * One table instead of three: the rewriter reads it for every instruction.
 */
export const FAST_INFO = new Int32Array(256);
for (let op = 0; op < 256; op++) FAST_INFO[op] = FAST[op] | (SINGLE_WEIGHT[op] << 3) | (O.SINGLE_FEATURE[op] << 8);

/** memory.init/copy/fill and table.init/copy/fill: the ops whose work grows with a length operand. */
export function isBulk(key: number): boolean {
  return key === 0xfc0008 || key === 0xfc000a || key === 0xfc000b || key === 0xfc000c || key === 0xfc000e || key === 0xfc0011;
}

export function unknown(op: number, at: number): AgentOsError {
  const hex = O.opcodeHex(op);
  return new AgentOsError('unsupported-feature', `unknown or unsupported opcode ${hex} at byte ${at}`, {
    details: { opcode: hex, offset: at },
  });
}

/**
 * The deepest label a branch at the reader (opcode already read) names, without moving the
 * reader; -1 for throws (they leave the frame like a branch to the function label would).
 */
export function deepestLabel(r: { bytes: Uint8Array; pos: number; end: number }, op: number): number {
  const branch = op === 0x0c || op === 0x0d || op === 0x0e || op === 0xd4 || op === 0xd6;
  if (!branch) return -1;
  const bytes = r.bytes;
  let p = r.pos;
  let n = 1;
  let deepest = 0;
  // i = -1 reads br_table's label count; bounded by the body so a corrupt count cannot spin
  // (readImmediates refuses it next). No closure: this runs for every branch.
  for (let i = op === 0x0e ? -1 : 0; i < n && p < r.end; i++) {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[p++];
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0 || shift > 28) break;
    }
    if (i < 0) n = value + 1;
    else if (value > deepest) deepest = value;
  }
  return deepest;
}

/** Whether a branch at the reader (opcode already read) may leave the function: a throw, or a branch to its label. */
export function exitsFunction(r: { bytes: Uint8Array; pos: number; end: number }, op: number, depth: number): boolean {
  const label = deepestLabel(r, op);
  return label < 0 ? op !== 0x00 : label >= depth - 1;
}
