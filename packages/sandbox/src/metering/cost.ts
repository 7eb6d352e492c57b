/**
 * The fuel cost model: what each instruction costs, in one table.
 *
 * One unit per executed instruction, except where the work behind an
 * instruction is clearly larger (calls, growing memory, waiting on atomics)
 * or none at all (`end`, `else`, handler markers, which only mark structure).
 * Bulk memory and table operations pay a further amount at run time that is
 * proportional to their length operand (see the shifts below).
 */

/** Weight of each single-byte opcode. */
export const SINGLE_WEIGHT = new Uint8Array(256).fill(1);
SINGLE_WEIGHT[0x05] = 0; // else
SINGLE_WEIGHT[0x07] = 0; // catch (handler entry marker)
SINGLE_WEIGHT[0x0b] = 0; // end
SINGLE_WEIGHT[0x18] = 0; // delegate
SINGLE_WEIGHT[0x19] = 0; // catch_all
SINGLE_WEIGHT[0x10] = 2; // call
SINGLE_WEIGHT[0x11] = 3; // call_indirect (table load + signature check)
SINGLE_WEIGHT[0x12] = 2; // return_call
SINGLE_WEIGHT[0x13] = 3; // return_call_indirect
SINGLE_WEIGHT[0x14] = 3; // call_ref
SINGLE_WEIGHT[0x15] = 3; // return_call_ref
SINGLE_WEIGHT[0x40] = 16; // memory.grow (may allocate)

/** Weight of a prefixed instruction, keyed `prefix << 16 | sub`. */
export function prefixedWeight(key: number): number {
  if (key === 0xfc000f) return 16; // table.grow
  if (key >= 0xfe0000 && key <= 0xfe0002) return 16; // memory.atomic.notify / wait32 / wait64
  return 1;
}

/** memory.fill / memory.copy / memory.init pay `length >> 6` more: one unit per 64 bytes. */
export const MEMORY_BYTES_PER_FUEL_LOG2 = 6;
/** table.fill / table.copy / table.init pay `length >> 3` more: one unit per 8 elements. */
export const TABLE_ELEMENTS_PER_FUEL_LOG2 = 3;
