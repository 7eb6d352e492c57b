/**
 * The rewriter's segment bookkeeping for one body (rewrite-code.ts): the open
 * segment, the entry segment and its check, the header charge of a wrapped
 * loop, and the if/else charge fold. One object per code section, reset for
 * each body, and helpers taking it: closures over the same state would be
 * allocated again for every body.
 */
import type { ByteWriter } from '../wasm/index.ts';
import { closeSegment, emitCharge, type OpenSegment } from './emit.ts';

export interface SegmentState {
  /** The output of the body being written, and its counter (emit.ts `cl`). */
  w: ByteWriter;
  cl: number;
  /** The open segment (updated in place). */
  seg: OpenSegment;
  /** Still the entry segment, whose entry check [entryCheck, entryCheckEnd) sits after its charge. */
  entrySegmentOpen: boolean;
  entryCheck: number;
  entryCheckEnd: number;
  /** The charge's `local.tee` byte feeding the entry check (a local counter), or -1. */
  teeAt: number;
  /** What the entry segment charged, once closed. */
  entryCost: number;
  /** The entry check must stay (a loop or call, or it went with a zero-cost entry segment). */
  needsEntryCheck: boolean;
  /** Level of the wrapped loop whose header segment is open, or -1; its cost goes to headerCosts[level]. */
  headerLevel: number;
  headerCosts: number[];
  /**
   * If/else charge folding: the segment before an `if` (`pre`) and the then-arm's segment
   * (`thenSeg`) stay open (unpatched) until the else-arm's cost is known; then the cheaper arm's
   * cost moves into the segment before the `if`, which dominates both arms. Only arms without
   * nested blocks qualify. `foldDepth` is the depth inside the pending if/else, or -1.
   */
  foldDepth: number;
  pre: OpenSegment;
  preCost: number;
  preIsEntry: boolean;
  thenSeg: OpenSegment;
  /** -1 until the `else`. */
  thenCost: number;
}

export function newSegmentState(w: ByteWriter): SegmentState {
  return {
    w, cl: -1, seg: { start: 0, constant: 0, end: 0 }, entrySegmentOpen: true, entryCheck: 0, entryCheckEnd: 0, teeAt: -1,
    entryCost: 0, needsEntryCheck: false, headerLevel: -1, headerCosts: [], foldDepth: -1,
    pre: { start: 0, constant: 0, end: 0 }, preCost: 0, preIsEntry: false, thenSeg: { start: 0, constant: 0, end: 0 }, thenCost: -1,
  };
}

/** Resets `s` for a body written to `w` with counter `cl` (headerCosts entries are written before they are read). */
export function resetSegmentState(s: SegmentState, w: ByteWriter, cl: number): void {
  s.w = w;
  s.cl = cl;
  s.entrySegmentOpen = true;
  s.entryCheck = 0;
  s.entryCheckEnd = 0;
  s.teeAt = -1;
  s.entryCost = 0;
  s.needsEntryCheck = false;
  s.headerLevel = -1;
  s.foldDepth = -1;
  s.preCost = 0;
  s.preIsEntry = false;
  s.thenCost = -1;
}

/** The entry segment closed with `total`, moving what follows its charge back by `shrunk`: so does the entry check. */
function entryClosed(s: SegmentState, total: number, shrunk: number): void {
  if (total === 0) s.needsEntryCheck = true; // the check went with the charge: nothing left to drop
  s.entryCheck -= shrunk;
  s.entryCheckEnd -= shrunk;
  s.teeAt -= shrunk;
  s.entryCost = total;
}

/** Closes the open segment, which cost `spent` (a loop header's cost is kept for its slow path). */
export function closeOpenSegment(s: SegmentState, spent: number): void {
  const shrunk = closeSegment(s.w, s.seg, spent);
  if (s.headerLevel >= 0) s.headerCosts[s.headerLevel] = spent, s.headerLevel = -1;
  if (s.entrySegmentOpen) {
    entryClosed(s, spent, shrunk);
    s.entrySegmentOpen = false;
  }
}

/** Closes the segment before a pending `if`; when it is the entry segment, its check moves with it. */
export function closePre(s: SegmentState, total: number): number {
  const shrunk = closeSegment(s.w, s.pre, total);
  if (s.preIsEntry) entryClosed(s, total, shrunk);
  return shrunk;
}

/** Gives up a pending fold (a nested block in an arm): the pending segments close with their own costs. */
export function abortFold(s: SegmentState): void {
  let moved = 0;
  if (s.thenCost >= 0) moved += closeSegment(s.w, s.thenSeg, s.thenCost);
  moved += closePre(s, s.preCost);
  s.seg.start -= moved;
  s.seg.constant -= moved;
  s.seg.end -= moved;
  s.foldDepth = -1;
}

/** Starts the next segment at the current output position, with a charge to patch when it closes. */
export function openSegment(s: SegmentState): void {
  const w = s.w;
  s.seg.start = w.pos;
  s.seg.constant = emitCharge(w, s.cl);
  s.seg.end = w.pos;
}
