/**
 * The instruction sequences the rewriter inserts, written straight into the
 * output buffer. Each is stack-neutral, so it is valid at any instruction
 * boundary, including in unreachable code and inside blocks with parameters.
 * With a local counter (`cl >= 0`) they work on the local and sync the global
 * only where the counter leaves the frame; with `cl < 0` on the global itself.
 */
import type { ByteWriter } from '../wasm/index.ts';

/** Indices of the injected imports (they come first). */
export const FUEL_GLOBAL = 0;
export const EXHAUSTED_FUNC = 0;

/** The charge of the segment being written: its inserted code spans [start, end); the cost constant sits at `constant`. */
export interface OpenSegment {
  start: number;
  end: number;
  constant: number;
}

/**
 * Ends a segment: writes its cost into the charge as a minimal LEB (moving the
 * segment's bytes back over the unused part of the 5 reserved bytes, a cheap
 * memmove; small code keeps V8 willing to inline), or cuts the charge out when
 * the segment cost nothing. Returns how many bytes the segment's code moved back.
 */
export function closeSegment(w: ByteWriter, seg: OpenSegment, cost: number): number {
  if (cost === 0) {
    dropRange(w, seg.start, seg.end);
    return seg.end - seg.start;
  }
  let width = 1;
  for (let v = cost >> 6; v !== 0; v >>= 7) width++; // signed LEB: room for the sign bit
  const at = seg.constant;
  const gap = 5 - width;
  if (gap > 0) dropRange(w, at + width, at + 5);
  const buf = w.buf;
  let v = cost;
  for (let i = 0; i < width - 1; i++) {
    buf[at + i] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[at + width - 1] = v & 0x7f;
  return gap;
}

/** Removes already written bytes [start, end) from the output. */
export function dropRange(w: ByteWriter, start: number, end: number): void {
  w.buf.copyWithin(start, end, w.pos);
  w.pos -= end - start;
}

export function emitGlobalGet(w: ByteWriter): void {
  w.u8(0x23);
  w.u8(FUEL_GLOBAL);
}

export function emitGlobalSet(w: ByteWriter): void {
  w.u8(0x24);
  w.u8(FUEL_GLOBAL);
}

export function emitLocal(w: ByteWriter, op: number, index: number): void {
  w.u8(op);
  w.u32(index);
}

/** counter -= <patched constant>; returns the position of the 5-byte constant. */
export function emitCharge(w: ByteWriter, cl: number): number {
  w.ensure(16);
  emitCounterGet(w, cl);
  w.u8(0x42); // i64.const
  const at = w.pos;
  w.pos += 5;
  w.u8(0x7d); // i64.sub
  if (cl >= 0) emitLocal(w, 0x21, cl);
  else {
    w.u8(0x24);
    w.u8(FUEL_GLOBAL);
  }
  return at;
}

/** Pushes the counter: the local copy or passed counter `cl`, or the global when `cl < 0`. */
export function emitCounterGet(w: ByteWriter, cl: number): void {
  if (cl >= 0) emitLocal(w, 0x20, cl);
  else emitGlobalGet(w);
}

/** i64 on the stack < 0 → i32 (the test every check branches on). */
export function emitIsNegative(w: ByteWriter): void {
  w.u8(0x42);
  w.u8(0x00);
  w.u8(0x53); // i64.lt_s
}

/** if (counter < 0) exhausted(); with a local counter, the global is synced around the call. */
export function emitCheck(w: ByteWriter, cl: number): void {
  emitCounterGet(w, cl);
  emitIsNegative(w);
  w.u8(0x04);
  w.u8(0x40); // if (no result)
  if (cl >= 0) emitSync(w, cl);
  w.u8(0x10);
  w.u8(EXHAUSTED_FUNC);
  if (cl >= 0) emitReload(w, cl);
  w.u8(0x0b);
}

/**
 * The function entry check, written right after the entry charge: when the counter is
 * negative, hand the arguments (and a passed counter) to the function's entry trampoline
 * (`writeEntryTrampoline`) and return what it returns. The slow path ends in `return`, so no
 * value of the function is live across its call and V8 keeps the fast path free of spills,
 * which an inline `call exhausted` (values live after it) does not. With a local counter the
 * charge ends in `local.tee`, so the counter is already on the stack.
 */
export function emitEntryCheck(w: ByteWriter, cl: number, passing: boolean, paramCount: number, trampoline: number): void {
  if (cl < 0) emitGlobalGet(w);
  emitIsNegative(w);
  w.u8(0x04);
  w.u8(0x40); // if (no result)
  if (cl >= 0 && !passing) emitSync(w, cl);
  for (let i = 0; i < paramCount; i++) emitLocal(w, 0x20, i);
  if (passing) emitLocal(w, 0x20, cl);
  w.u8(0x10);
  w.u32(trampoline);
  w.u8(0x0f); // return
  w.u8(0x0b);
}

/** The function whose entry check found the counter negative, and what its entry charged. */
export interface EntryTrampoline {
  /** Defined function index (before the fuel import shifts function indices by one). */
  definedIndex: number;
  /** The function's index in the output module. */
  functionIndex: number;
  paramCount: number;
  /** The function takes the counter as its last parameter (and returns it last). */
  passing: boolean;
  /** The entry segment's charge, given back before the function is entered again (which charges it again). */
  entryCost: number;
}

/**
 * A trampoline body (with its size prefix): `exhausted` (refills, suspends or traps), give back
 * the entry charge, then call the function again with the same arguments and return its results.
 * Fuel numbers are the same as with an inline check.
 */
export function writeEntryTrampoline(w: ByteWriter, t: EntryTrampoline): void {
  const mark = w.beginSized();
  w.u8(0); // no locals
  if (t.passing) emitSync(w, t.paramCount); // the negative counter arrives as the last argument
  w.u8(0x10);
  w.u8(EXHAUSTED_FUNC);
  if (!t.passing) {
    emitRefilledPlus(w, t.entryCost);
    emitGlobalSet(w);
  }
  for (let i = 0; i < t.paramCount; i++) emitLocal(w, 0x20, i);
  if (t.passing) emitRefilledPlus(w, t.entryCost);
  w.u8(0x10);
  w.u32(t.functionIndex);
  w.u8(0x0b);
  w.endSized(mark);
}

/**
 * Pushes the global counter (`exhausted` may have refilled it) plus `charge`: a charge given back
 * before the code that made it runs again and makes it again, so fuel numbers do not change.
 */
export function emitRefilledPlus(w: ByteWriter, charge: number): void {
  emitGlobalGet(w);
  w.u8(0x42);
  w.sleb(charge);
  w.u8(0x7c); // i64.add
}

/** global = local (before the counter leaves this frame). */
export function emitSync(w: ByteWriter, cl: number): void {
  emitLocal(w, 0x20, cl);
  w.u8(0x24);
  w.u8(FUEL_GLOBAL);
}

/** local = global (after a call, which may have spent or refilled fuel). */
export function emitReload(w: ByteWriter, cl: number): void {
  emitGlobalGet(w);
  emitLocal(w, 0x21, cl);
}

/** Charges `length >> shift` for the i32 length on top of the stack, then checks. */
export function emitDynamicCharge(w: ByteWriter, cl: number, scratch: number, shift: number): void {
  emitLocal(w, 0x22, scratch); // local.tee keeps the length for the operation
  emitCounterGet(w, cl);
  emitLocal(w, 0x20, scratch);
  w.u8(0xad); // i64.extend_i32_u
  w.u8(0x42);
  w.u8(shift);
  w.u8(0x88); // i64.shr_u
  w.u8(0x7d); // i64.sub
  if (cl >= 0) emitLocal(w, 0x21, cl);
  else {
    w.u8(0x24);
    w.u8(FUEL_GLOBAL);
  }
  emitCheck(w, cl);
}
