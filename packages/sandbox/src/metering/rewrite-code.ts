/**
 * Writes one function body through the fuel rewriter, in one streaming pass
 * (metered-code.ts picks each body's counter placement and restarts it;
 * segments.ts keeps the segment bookkeeping).
 *
 * Each straight-line segment (from a block entry point to the next) is charged
 * at its start with a placeholder constant that is patched once the segment's
 * cost is known; zero-cost segments are cut out again. Checks (counter < 0 →
 * call `exhausted`) sit at function entry (dropped in leaves without loops or
 * calls), loop headers and after the run-time charge of bulk operations.
 * Calls, `ref.func` and `global.*` indices shift by the injected imports. With
 * the 'auto' placement, internal functions get the counter passed in and out
 * (counter-passing.ts), and other bodies are written again with a local counter
 * when their first loop shows up. Loop header checks branch to an out-of-line
 * slow path (loop-wrap.ts); entry checks call a per-function trampoline and
 * return (emit.ts `emitEntryCheck`). The cheaper arm of a simple if/else is
 * charged in the segment before the `if` (`foldDepth`). No objects are
 * allocated per instruction.
 */
import {
  bodyReader, ByteWriter, malformed, opcodes as O, readImmediates, readPrefixed, writeValType, type ScanState,
} from '../wasm/index.ts';
import {
  closeSegment, dropRange, emitCall, emitCharge, emitCheck, emitDynamicCharge, emitEntryCheck, emitGlobalGet, emitLocal,
  emitReload, emitSync, type EntryTrampoline,
} from './emit.ts';
import {
  blockTakesNoParams, emitLoopCheck, emitLoopSlowPath, emitLoopWrappers, writeRenumberedLabels,
} from './loop-wrap.ts';
import {
  deepestLabel, exitsFunction, FAST_INFO, FAST_LOCAL, FAST_MEMARG, FAST_SKIP_LEB, isBulk, unknown,
} from './code-facts.ts';
import { MEMORY_BYTES_PER_FUEL_LOG2, prefixedWeight, SINGLE_WEIGHT, TABLE_ELEMENTS_PER_FUEL_LOG2 } from './cost.ts';
import { isPassed } from './counter-passing.ts';
import { abortFold, closeOpenSegment, closePre, openSegment, resetSegmentState, type SegmentState } from './segments.ts';

import type { CodeRewrite, PlanConflicts } from './metered-code.ts';

export const DONE = 0;
/** The body has a loop: write it again with a local counter ('auto'). */
export const RESTART_LOCAL = 1;
/** The body has an exception handler: write it again with the global counter. */
export const RESTART_GLOBAL = 2;
/** An exception-handling label would cross a wrapped loop: write the body again without wrapping loops. */
export const RESTART_UNWRAPPED = 3;

export interface BodyJob {
  job: CodeRewrite;
  fnIndex: number;
  paramCount: number;
  localCount: number;
  /** Index of the i64 local holding the counter, or -1 when the global is used directly. */
  counterLocal: number;
  /** Index of the i32 scratch local for bulk lengths, or -1. */
  scratch: number;
  state: ScanState;
  /** Give up and return RESTART_LOCAL at the first loop ('auto' placement, first attempt). */
  restartOnLoop: boolean;
  /**
   * The counter arrives as the last parameter (`counterLocal`) and leaves as the last result; the
   * body is wrapped in a block so branches to the function label and `return` keep their arity.
   */
  passing: boolean;
  conflicts: PlanConflicts;
  /**
   * Give loops without parameters an out-of-line slow path (emit.ts `emitLoopWrappers`): three
   * labels around the loop, so branches from inside it to labels outside it are renumbered.
   */
  wrapLoops: boolean;
  /** The entry trampolines of the bodies written so far; a kept entry check adds one. */
  trampolines: EntryTrampoline[];
  /** Segment bookkeeping, one object reused for every body (segments.ts). */
  segments: SegmentState;
}

/** Writes one body; returns DONE, or asks for a rewrite with the other counter placement. */
export function rewriteBody(w: ByteWriter, b: BodyJob): number {
  const r = bodyReader(b.job.module.code[b.fnIndex]);
  const src = r.bytes;
  const state = b.state;
  const { functionCount, globalCount } = b.job;
  const cl = b.counterLocal;
  const plan = b.job.plan;
  const passing = b.passing;
  // Local indices from here up move by one (the passed counter sits before the declared locals).
  const shiftFrom = passing ? cl : 0x7fffffff;
  const SINGLE = O.SINGLE;
  let copyFrom = r.pos;
  let depth = 1;
  let cost = 0;
  let dead = false;
  if (passing) {
    w.u8(0x02);
    const blockType = plan.bodyBlockType[b.fnIndex];
    if (blockType === -1) w.u8(0x40);
    else if (blockType === -2) writeValType(w, b.job.module.types[b.job.module.functions[b.fnIndex]].results[0]);
    else w.u32(blockType);
  } else if (cl >= 0) {
    emitGlobalGet(w);
    emitLocal(w, 0x21, cl);
  }
  // The segment bookkeeping (segments.ts): one object for the whole code section.
  const s = b.segments;
  resetSegmentState(s, w, cl);
  s.seg.start = w.pos;
  s.seg.constant = emitCharge(w, cl);
  // With a local counter the charge's `local.set` becomes a `local.tee` feeding the check
  // (two bytes less: V8's inliner budgets by size); it is a `local.set` again if the check goes.
  if (cl >= 0) {
    s.teeAt = w.pos - 2;
    for (let v = cl >>> 7; v !== 0; v >>>= 7) s.teeAt--;
    w.buf[s.teeAt] = 0x22;
  }
  // The entry check, dropped again at the end for a leaf without loops or calls:
  // its cost is bounded by its size and the caller's next check catches it.
  s.entryCheck = w.pos;
  const trampoline = b.job.functionCount + 1 + b.trampolines.length;
  emitEntryCheck(w, cl, passing, b.paramCount, trampoline);
  s.entryCheckEnd = w.pos;
  s.seg.end = w.pos;
  let handlers = false;
  // wraps[level] = wrapped loops at nesting levels 0..level (level 0 is the function's own label).
  const wraps: number[] = [0];
  let wrapped = 0; // wraps[depth - 1]: > 0 inside a wrapped loop, where branch labels need renumbering

  // The position lives in a local on the fast path; the slow path goes through `r`.
  let p = r.pos;
  const end = r.end;
  const localCount = b.localCount;
  const INFO = FAST_INFO; // in a local: read for every instruction
  const localLimit = Math.min(localCount, shiftFrom); // one compare for both checks on a local index
  let features = 0;
  for (;;) {
    const at = p;
    if (at >= end) malformed('unexpected end of function body', at);
    const op = src[at];
    const info = INFO[op];
    const fast = info & 7;
    // Fast paths for the bulk of real code: plain operators, constants, loads/stores, locals.
    // br_if stays on the fast path unless it may leave a frame with a local copy, must be checked
    // against the extra label of a passed counter, or needs renumbering past wrapped loops.
    if (fast !== 0 && (op !== 0x0d || ((cl < 0 || passing) && src[at + 1] < depth && src[at + 1] < 0x80 &&
        (wrapped === 0 || wraps[depth - 1 - src[at + 1]] === wrapped)))) {
      p = at + 1;
      // Most frequent class first.
      if (fast === FAST_LOCAL) {
        let index = src[p];
        if (index < 0x80) p++;
        else if (src[p + 1] < 0x80) {
          // Two bytes hold no invalid u32: no need for the strict reader.
          index = (index & 0x7f) | (src[p + 1] << 7);
          p += 2;
        } else {
          r.pos = p;
          index = r.u32();
          p = r.pos;
        }
        if (index >= localLimit) {
          if (index >= localCount) malformed(`local index ${index} out of range`, at + 1);
          // A declared local moves up past the passed counter (most local accesses of a passed function).
          w.copyThenOp(src, copyFrom, at, op, index + 1);
          copyFrom = p;
        }
      } else if (fast === FAST_SKIP_LEB) {
        // Constants of up to 4 bytes (addresses in linear memory are often 4), inline: no s32 or
        // s64 of that length is invalid. Past the body `src` reads undefined, which fails every
        // test, and the strict reader reports it.
        if (src[p] < 0x80) p++;
        else if (src[p + 1] < 0x80) p += 2;
        else if (src[p + 2] < 0x80) p += 3;
        else if (src[p + 3] < 0x80) p += 4;
        else {
          r.pos = p;
          readImmediates(r, SINGLE[op], state);
          p = r.pos;
        }
      } else if (fast === FAST_MEMARG) {
        if (src[p] < 0x40 && src[p + 1] < 0x80) p += 2;
        // An offset of 2-4 bytes after an alignment readMemarg accepts (below 32: no memory index).
        else if (src[p] < 32 && src[p + 2] < 0x80) p += 3;
        else if (src[p] < 32 && src[p + 3] < 0x80) p += 4;
        else if (src[p] < 32 && src[p + 4] < 0x80) p += 5;
        else {
          r.pos = p;
          readImmediates(r, SINGLE[op], state);
          p = r.pos;
        }
      }
      if (!dead) cost += (info >> 3) & 31;
      features |= info >> 8;
      continue;
    }
    if (op === 0x0b && depth >= 2 && s.foldDepth < 0 && s.headerLevel < 0 && !s.entrySegmentOpen && cost < 64 &&
        wraps[depth - 1] === wraps[depth - 2]) {
      // The common `end` (of a block or an unwrapped loop, no fold pending, an ordinary segment
      // closing with a one-byte cost): what the general case below does, with fewer calls, which
      // matter in this big loop (V8 saves its many live values around each).
      depth--;
      wrapped = wraps[depth - 1];
      p = at + 1;
      w.copy(src, copyFrom, p);
      copyFrom = p;
      if (cost === 0) dropRange(w, s.seg.start, s.seg.end);
      else w.buf[s.seg.constant] = cost;
      s.seg.start = w.pos;
      s.seg.constant = emitCharge(w, cl);
      s.seg.end = w.pos;
      cost = 0;
      dead = false;
      continue;
    }
    r.pos = at + 1;
    const imm = SINGLE[op];
    switch (op) {
      case 0x0b: // end
      case 0x05: // else
      case 0x19: // catch_all
      case 0x07: // catch
      case 0x18: // delegate
        if (op !== 0x0b && op !== 0x05 && wrapped > 0) return RESTART_UNWRAPPED;
        if (op === 0x07 || op === 0x18) readImmediates(r, imm, state);
        const closesWrapped = op === 0x0b && depth >= 2 && wraps[depth - 1] > wraps[depth - 2];
        if (op === 0x0b || op === 0x18) {
          depth--;
          wrapped = depth > 0 ? wraps[depth - 1] : 0; // entries past depth are stale until reopened
        }
        if (op !== 0x0b && op !== 0x05) state.features |= O.SINGLE_FEATURE[op];
        if (depth === 0 && cl >= 0 && !passing) {
          // Falling off the end returns: hand the counter back first.
          w.copy(src, copyFrom, at);
          copyFrom = at;
          emitSync(w, cl);
        }
        w.copy(src, copyFrom, r.pos);
        copyFrom = r.pos;
        if (s.foldDepth >= 0 && ((op === 0x05 && s.foldDepth === depth) || (op === 0x0b && s.foldDepth === depth + 1))) {
          if (op === 0x05) {
            // The then-arm ends: keep its charge open until the else-arm's cost is known.
            s.thenSeg.start = s.seg.start, s.thenSeg.constant = s.seg.constant, s.thenSeg.end = s.seg.end;
            s.thenCost = cost;
          } else {
            // Later segments first, so the positions of the earlier ones stay valid.
            const fold = s.thenCost >= 0 ? Math.min(s.thenCost, cost) : 0;
            closeSegment(w, s.seg, cost - fold);
            if (s.thenCost >= 0) closeSegment(w, s.thenSeg, s.thenCost - fold);
            closePre(s, s.preCost + fold);
            s.foldDepth = -1;
          }
          openSegment(s);
          cost = 0;
          dead = false;
          p = r.pos;
          continue;
        }
        closeOpenSegment(s, cost);
        if (closesWrapped) emitLoopSlowPath(w, cl, s.headerCosts[depth]);
        if (depth === 0) {
          if (r.pos !== r.end) malformed('operators remaining after the end of the function', r.pos);
          w.copy(src, copyFrom, r.pos);
          if (!s.needsEntryCheck) {
            dropRange(w, s.entryCheck, s.entryCheckEnd);
            if (cl >= 0) w.buf[s.teeAt] = 0x21;
          } else if (s.entryCost > 0) {
            // The check stayed (a zero-cost entry segment took its check with it): its trampoline is due.
            b.trampolines.push({
              definedIndex: b.fnIndex, functionIndex: plan.imported + b.fnIndex + 1, paramCount: b.paramCount, passing, entryCost: s.entryCost,
            });
          }
          if (passing) {
            // The original `end` closed the wrapping block: hand the counter back as the last result.
            emitLocal(w, 0x20, cl);
            w.u8(0x0b);
          }
          state.features |= features;
          return DONE;
        }
        openSegment(s);
        cost = 0;
        dead = false;
        p = r.pos;
        continue;
      case 0x02: // block
      case 0x06: // try
      case 0x1f: // try_table
      case 0x03: // loop
      case 0x04: // if
        // Handlers cannot reload a local copy cheaply: functions with them use the global.
        if (cl >= 0 && (op === 0x06 || op === 0x1f)) return RESTART_GLOBAL;
        if (op === 0x06 || op === 0x1f) handlers = true;
        if (op === 0x03 && b.restartOnLoop && !handlers) return RESTART_LOCAL;
        if ((op === 0x06 || op === 0x1f) && wrapped > 0) return RESTART_UNWRAPPED;
        if (s.foldDepth >= 0) abortFold(s);
        if (imm === O.IMM_BLOCK && src[r.pos] === 0x40) r.pos++; // the empty block type, by far the most common
        else readImmediates(r, imm, state);
        state.features |= O.SINGLE_FEATURE[op];
        if (!dead) cost += SINGLE_WEIGHT[op];
        // Loops with parameters keep the inline check: re-entering them would need their inputs.
        const wrap = op === 0x03 && b.wrapLoops && !handlers && blockTakesNoParams(b.job.module, src, at + 1);
        if (wrap) {
          w.copy(src, copyFrom, at);
          copyFrom = at;
          emitLoopWrappers(w, src, at + 1, r.pos);
        }
        wraps[depth] = wraps[depth - 1] + (wrap ? 1 : 0);
        wrapped = wraps[depth];
        depth++;
        if (op === 0x04 && !dead && s.headerLevel < 0) {
          // Defer the charge before the `if` (see foldDepth).
          w.copy(src, copyFrom, r.pos);
          copyFrom = r.pos;
          s.pre.start = s.seg.start, s.pre.constant = s.seg.constant, s.pre.end = s.seg.end;
          s.preCost = cost;
          s.preIsEntry = s.entrySegmentOpen;
          s.entrySegmentOpen = false;
          s.thenCost = -1;
          s.foldDepth = depth;
          openSegment(s);
          cost = 0;
          p = r.pos;
          continue;
        }
        if (op === 0x03 || op === 0x04) {
          w.copy(src, copyFrom, r.pos);
          copyFrom = r.pos;
          closeOpenSegment(s, cost);
          if (op === 0x03) s.needsEntryCheck = true;
          s.seg.start = w.pos;
          s.seg.constant = emitCharge(w, cl);
          if (wrap) {
            emitLoopCheck(w, cl);
            s.headerLevel = depth - 1;
          } else if (op === 0x03) emitCheck(w, cl);
          s.seg.end = w.pos;
          cost = 0;
          dead = false;
        }
        p = r.pos;
        continue;
      case 0x10: // call
      case 0x12: // return_call
      case 0xd2: {
        // ref.func
        if (op !== 0xd2) s.needsEntryCheck = true;
        w.copy(src, copyFrom, at);
        const index = r.u32();
        if (index >= functionCount) malformed(`function index ${index} out of range`, at + 1);
        if (op === 0x10) emitCall(w, index + 1, cl, isPassed(plan, index));
        else {
          // A passed counter cannot survive a tail call, nor a call through a reference.
          if (isPassed(plan, index)) {
            b.conflicts.drop[index - plan.imported] = 1;
            b.conflicts.any = true;
          }
          if (op === 0x12) b.conflicts.tailCalls = true;
          if (cl >= 0 && op !== 0xd2) emitSync(w, cl);
          w.u8(op);
          w.u32(index + 1);
        }
        copyFrom = r.pos;
        state.features |= O.SINGLE_FEATURE[op];
        if (!dead) cost += SINGLE_WEIGHT[op];
        if (op === 0x12) dead = true;
        p = r.pos;
        continue;
      }
      case 0x11: // call_indirect
      case 0x13: // return_call_indirect
      case 0x14: // call_ref
      case 0x15: {
        // return_call_ref
        s.needsEntryCheck = true;
        if (op === 0x13 || op === 0x15) b.conflicts.tailCalls = true;
        if (cl >= 0) {
          w.copy(src, copyFrom, at);
          copyFrom = at;
          emitSync(w, cl);
        }
        readImmediates(r, imm, state);
        state.features |= O.SINGLE_FEATURE[op];
        if (!dead) cost += SINGLE_WEIGHT[op];
        if (op === 0x13 || op === 0x15) dead = true;
        else if (cl >= 0) {
          w.copy(src, copyFrom, r.pos);
          copyFrom = r.pos;
          emitReload(w, cl);
        }
        p = r.pos;
        continue;
      }
      case 0x23: // global.get
      case 0x24: {
        // global.set
        const index = r.u32();
        if (index >= globalCount) malformed(`global index ${index} out of range`, at + 1);
        w.copyThenOp(src, copyFrom, at, op, index + 1);
        copyFrom = r.pos;
        if (!dead) cost += 1;
        p = r.pos;
        continue;
      }
      case 0x0f: // return
      case 0x00: // unreachable
      case 0x0a: // throw_ref
      case 0x08: // throw
      case 0x09: // rethrow
      case 0x0c: // br
      case 0x0d: // br_if
      case 0xd4: // br_on_null
      case 0xd6: // br_on_non_null
      case 0x0e: {
        // br_table
        // The wrapping block adds a label: a label one past the function's must stay invalid.
        if (passing) {
          // br and br_if with a one-byte label read inline: most branches.
          const label = (op === 0x0c || op === 0x0d) && src[at + 1] < 0x80 ? src[at + 1] : deepestLabel(r, op);
          if (label >= depth) malformed('unknown label', at + 1);
        }
        // (Whether the branch leaves the frame matters only with a counter in a local.)
        if (cl >= 0 && (passing ? op === 0x08 || op === 0x09 || op === 0x0a : op === 0x0f || exitsFunction(r, op, depth))) {
          // Throws (and, with a copy of our own, returns) hand the counter to the global first.
          w.copy(src, copyFrom, at);
          copyFrom = at;
          emitSync(w, cl);
        }
        const relabel = wrapped > 0 && (op === 0x0c || op === 0x0d || op === 0x0e || op === 0xd4 || op === 0xd6);
        if (relabel) {
          w.copy(src, copyFrom, at);
          writeRenumberedLabels(w, src, at, end, depth, wraps);
        } else if (wrapped > 0 && op === 0x09) return RESTART_UNWRAPPED;
        if (passing && op === 0x0f) {
          // `return` becomes a branch out of the wrapping block, which appends the counter.
          w.copy(src, copyFrom, at);
          w.u8(0x0c);
          w.u32(depth - 1 + 3 * wrapped);
          copyFrom = at + 1;
        }
        if (imm === O.IMM_LABEL && src[r.pos] < 0x80) r.pos++; // a one-byte label: nothing to check
        else if (imm !== O.IMM_NONE) readImmediates(r, imm, state);
        if (relabel) copyFrom = r.pos;
        state.features |= O.SINGLE_FEATURE[op];
        if (!dead) cost += SINGLE_WEIGHT[op];
        if (op === 0x0c || op === 0x0e || op === 0x0f || op === 0x00 || op === 0x08 || op === 0x09 || op === 0x0a) dead = true;
        p = r.pos;
        continue;
      }
      case 0xfc:
      case 0xfd:
      case 0xfe: {
        const key = readPrefixed(r, op, at, state);
        if (isBulk(key)) {
          // Bulk op: charge by its length operand before it runs.
          if (b.scratch < 0) malformed('bulk operation not found by the s.pre-scan', at);
          if ((key === 0xfc0008 || key === 0xfc0009) && b.job.module.dataCount === undefined) {
            malformed('data count section required', at);
          }
          w.copy(src, copyFrom, at);
          copyFrom = at;
          const shift = key >= 0xfc000c ? TABLE_ELEMENTS_PER_FUEL_LOG2 : MEMORY_BYTES_PER_FUEL_LOG2;
          emitDynamicCharge(w, cl, b.scratch, shift);
        } else if (key === 0xfc0009 && b.job.module.dataCount === undefined) {
          malformed('data count section required', at);
        }
        if (!dead) cost += prefixedWeight(key);
        p = r.pos;
        continue;
      }
      default: {
        if (imm === O.IMM_UNKNOWN) throw unknown(op, at);
        readImmediates(r, imm, state);
        state.features |= O.SINGLE_FEATURE[op];
        if (!dead) cost += SINGLE_WEIGHT[op];
      }
    }
    p = r.pos;
  }
}

