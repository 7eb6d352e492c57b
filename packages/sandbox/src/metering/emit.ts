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
 * Ends a segment: writes its cost into the charge as a minimal signed LEB, or cuts the charge
 * out when the segment cost nothing. The charge reserved one byte, which fits costs below 64
 * (most segments), so usually nothing moves; a larger cost moves the segment's bytes forward
 * to widen it. Returns how many bytes the segment's code moved back (negative: forward).
 */
export function closeSegment(w: ByteWriter, seg: OpenSegment, cost: number): number {
  if (cost === 0) {
    dropRange(w, seg.start, seg.end);
    return seg.end - seg.start;
  }
  const at = seg.constant;
  if (cost < 64) {
    w.buf[at] = cost;
    return 0;
  }
  let width = 1;
  for (let v = cost >> 6; v !== 0; v >>= 7) width++; // signed LEB: room for the sign bit
  const grow = width - 1;
  w.ensure(grow);
  const buf = w.buf;
  buf.copyWithin(at + width, at + 1, w.pos);
  w.pos += grow;
  let v = cost;
  for (let i = 0; i < grow; i++) {
    buf[at + i] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[at + grow] = v & 0x7f;
  return -grow;
}

/** Removes already written bytes [start, end) from the output. */
export function dropRange(w: ByteWriter, start: number, end: number): void {
  const buf = w.buf;
  const pos = w.pos;
  // Mostly a zero-cost segment before an `end` or two: a builtin call costs more than the loop.
  if (pos - end < 16) for (let i = end, o = start; i < pos; ) buf[o++] = buf[i++];
  else buf.copyWithin(start, end, pos);
  w.pos = pos - (end - start);
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

/** counter -= <patched constant>; returns the position of the constant's one reserved byte (`closeSegment`). */
export function emitCharge(w: ByteWriter, cl: number): number {
  w.ensure(16);
  // Stored straight into the buffer: one charge per segment, the most frequent insertion.
  const buf = w.buf;
  const p = w.pos;
  if (cl < 0) {
    buf[p] = 0x23; // global.get
    buf[p + 1] = FUEL_GLOBAL;
    buf[p + 2] = 0x42; // i64.const, its value at p + 3
    buf[p + 4] = 0x7d; // i64.sub
    buf[p + 5] = 0x24; // global.set
    buf[p + 6] = FUEL_GLOBAL;
    w.pos = p + 7;
    return p + 3;
  }
  emitLocal(w, 0x20, cl);
  w.u8(0x42); // i64.const
  const at = w.pos;
  w.pos += 1;
  w.u8(0x7d); // i64.sub
  emitLocal(w, 0x21, cl);
  return at;
}

/**
 * `call function` (its index in the output) with the counter around it: handed over as the
 * last argument and taken back as the last result when the callee takes it (`passTo`), else,
 * with a local counter, synced to the global before the call and reloaded after it.
 * Stored straight into the buffer: calls are the most frequent instruction the rewriter changes.
 */
export function emitCall(w: ByteWriter, functionIndex: number, cl: number, passTo: boolean): void {
  w.ensure(32);
  const buf = w.buf;
  let p = w.pos;
  if (cl >= 0) {
    buf[p++] = 0x20; // local.get
    p = putU32(buf, p, cl);
    if (!passTo) {
      buf[p++] = 0x24; // global.set
      buf[p++] = FUEL_GLOBAL;
    }
  } else if (passTo) {
    buf[p++] = 0x23; // global.get
    buf[p++] = FUEL_GLOBAL;
  }
  buf[p++] = 0x10;
  p = putU32(buf, p, functionIndex);
  if (cl >= 0) {
    if (!passTo) {
      buf[p++] = 0x23; // global.get
      buf[p++] = FUEL_GLOBAL;
    }
    buf[p++] = 0x21; // local.set
    p = putU32(buf, p, cl);
  } else if (passTo) {
    buf[p++] = 0x24; // global.set
    buf[p++] = FUEL_GLOBAL;
  }
  w.pos = p;
}

/** Stores `value` as an unsigned LEB128 at `p` (room already ensured); returns the position after it. */
function putU32(buf: Uint8Array, p: number, value: number): number {
  let v = value >>> 0;
  while (v >= 0x80) {
    buf[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[p++] = v;
  return p;
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
  pushParams(w, paramCount);
  if (passing) emitLocal(w, 0x20, cl);
  w.u8(0x10);
  w.u32(trampoline);
  w.u8(0x0f); // return
  w.u8(0x0b);
}

/** `local.get 0 … local.get (n-1)`: every body's entry check and trampoline, stored straight into the buffer. */
function pushParams(w: ByteWriter, n: number): void {
  w.ensure(6 * n);
  const buf = w.buf;
  let p = w.pos;
  for (let i = 0; i < n; i++) {
    buf[p++] = 0x20;
    p = putU32(buf, p, i);
  }
  w.pos = p;
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
  const mark = w.beginSized(1); // a trampoline is short: one byte for its size, as a rule
  w.u8(0); // no locals
  if (t.passing) emitSync(w, t.paramCount); // the negative counter arrives as the last argument
  w.u8(0x10);
  w.u8(EXHAUSTED_FUNC);
  if (!t.passing) {
    emitRefilledPlus(w, t.entryCost);
    emitGlobalSet(w);
  }
  pushParams(w, t.paramCount);
  if (t.passing) emitRefilledPlus(w, t.entryCost);
  w.u8(0x10);
  w.u32(t.functionIndex);
  w.u8(0x0b);
  w.endSized(mark, 1);
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
