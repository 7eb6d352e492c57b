/**
 * Writes one function body through the fuel rewriter, in one streaming pass
 * (metered-code.ts picks each body's counter placement and restarts it).
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
  closeSegment, dropRange, emitCharge, emitCheck, emitDynamicCharge, emitEntryCheck, emitGlobalGet, emitGlobalSet, emitLocal,
  emitReload, emitSync, type EntryTrampoline, type OpenSegment,
} from './emit.ts';
import {
  blockTakesNoParams, emitLoopCheck, emitLoopSlowPath, emitLoopWrappers, writeRenumberedLabels,
} from './loop-wrap.ts';
import {
  deepestLabel, exitsFunction, FAST, FAST_LOCAL, FAST_MEMARG, FAST_SKIP_LEB, isBulk, unknown,
} from './code-facts.ts';
import { MEMORY_BYTES_PER_FUEL_LOG2, prefixedWeight, SINGLE_WEIGHT, TABLE_ELEMENTS_PER_FUEL_LOG2 } from './cost.ts';
import { isPassed } from './counter-passing.ts';

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
  // The open segment (one object per body, updated in place).
  const seg: OpenSegment = { start: w.pos, constant: 0, end: 0 };
  seg.constant = emitCharge(w, cl);
  // With a local counter the charge's `local.set` becomes a `local.tee` feeding the check
  // (two bytes less: V8's inliner budgets by size); it is a `local.set` again if the check goes.
  let teeAt = -1;
  if (cl >= 0) {
    teeAt = w.pos - 2;
    for (let v = cl >>> 7; v !== 0; v >>>= 7) teeAt--;
    w.buf[teeAt] = 0x22;
  }
  // The entry check, dropped again at the end for a leaf without loops or calls:
  // its cost is bounded by its size and the caller's next check catches it.
  let entryCheck = w.pos;
  const trampoline = b.job.functionCount + 1 + b.trampolines.length;
  emitEntryCheck(w, cl, passing, b.paramCount, trampoline);
  let entryCheckEnd = w.pos;
  let entryCost = 0;
  seg.end = w.pos;
  let entrySegmentOpen = true;
  let needsEntryCheck = false;
  let handlers = false;
  // wraps[level] = wrapped loops at nesting levels 0..level (level 0 is the function's own label).
  const wraps: number[] = [0];
  let wrapped = 0; // wraps[depth - 1]: > 0 inside a wrapped loop, where branch labels need renumbering
  const headerCosts: number[] = [];
  let headerLevel = -1; // level of the wrapped loop whose header segment is open
  // If/else charge folding: the segment before an `if` and the then-arm's segment stay open
  // (unpatched) until the else-arm's cost is known; then the cheaper arm's cost moves into the
  // segment before the `if`, which dominates both arms. Only arms without nested blocks qualify.
  let foldDepth = -1; // depth inside the pending if/else, or -1
  const pre: OpenSegment = { start: 0, constant: 0, end: 0 };
  const thenSeg: OpenSegment = { start: 0, constant: 0, end: 0 };
  let preCost = 0;
  let thenCost = -1; // -1 until the `else`
  let preIsEntry = false;

  /** The entry segment closed with `total`, moving what follows its charge back by `shrunk`: so does the entry check. */
  const entryClosed = (total: number, shrunk: number): void => {
    if (total === 0) needsEntryCheck = true; // the check went with the charge: nothing left to drop
    entryCheck -= shrunk;
    entryCheckEnd -= shrunk;
    teeAt -= shrunk;
    entryCost = total;
  };
  /**
   * Closes the open segment, which cost `spent` (a loop header's cost is kept for its slow path).
   * A parameter, not the captured `cost`: a captured variable would live in a context on the hot path.
   */
  const closeOpenSegment = (spent: number): void => {
    const shrunk = closeSegment(w, seg, spent);
    if (headerLevel >= 0) headerCosts[headerLevel] = spent, headerLevel = -1;
    if (entrySegmentOpen) {
      entryClosed(spent, shrunk);
      entrySegmentOpen = false;
    }
  };
  /** Closes the segment before a pending `if`; when it is the entry segment, its check moves with it. */
  const closePre = (total: number): number => {
    const shrunk = closeSegment(w, pre, total);
    if (preIsEntry) entryClosed(total, shrunk);
    return shrunk;
  };
  /** Gives up a pending fold (a nested block in an arm): the pending segments close with their own costs. */
  const abortFold = (): void => {
    let moved = 0;
    if (thenCost >= 0) moved += closeSegment(w, thenSeg, thenCost);
    moved += closePre(preCost);
    seg.start -= moved;
    seg.constant -= moved;
    seg.end -= moved;
    foldDepth = -1;
  };
  /** Starts the next segment at the current output position, with a charge to patch when it closes. */
  const openSegment = (): void => {
    seg.start = w.pos;
    seg.constant = emitCharge(w, cl);
    seg.end = w.pos;
  };

  // The position lives in a local on the fast path; the slow path goes through `r`.
  let p = r.pos;
  const end = r.end;
  const localCount = b.localCount;
  let features = 0;
  for (;;) {
    const at = p;
    if (at >= end) malformed('unexpected end of function body', at);
    const op = src[at];
    const fast = FAST[op];
    // Fast paths for the bulk of real code: plain operators, constants, loads/stores, locals.
    // br_if stays on the fast path unless it may leave a frame with a local copy, must be checked
    // against the extra label of a passed counter, or needs renumbering past wrapped loops.
    if (fast !== 0 && (op !== 0x0d || ((cl < 0 || passing) && src[at + 1] < depth && src[at + 1] < 0x80 &&
        (wrapped === 0 || wraps[depth - 1 - src[at + 1]] === wrapped)))) {
      p = at + 1;
      if (fast === FAST_SKIP_LEB) {
        if (src[p] < 0x80) p++;
        else {
          r.pos = p;
          readImmediates(r, SINGLE[op], state);
          p = r.pos;
        }
      } else if (fast === FAST_MEMARG) {
        if (src[p] < 0x40 && src[p + 1] < 0x80) p += 2;
        else {
          r.pos = p;
          readImmediates(r, SINGLE[op], state);
          p = r.pos;
        }
      } else if (fast === FAST_LOCAL) {
        let index = src[p];
        if (index < 0x80) p++;
        else {
          r.pos = p;
          index = r.u32();
          p = r.pos;
        }
        if (index >= localCount) malformed(`local index ${index} out of range`, at + 1);
        if (index >= shiftFrom) {
          w.copy(src, copyFrom, at);
          w.u8(op);
          w.u32(index + 1);
          copyFrom = p;
        }
      }
      if (!dead) cost += SINGLE_WEIGHT[op];
      features |= O.SINGLE_FEATURE[op];
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
        if (foldDepth >= 0 && ((op === 0x05 && foldDepth === depth) || (op === 0x0b && foldDepth === depth + 1))) {
          if (op === 0x05) {
            // The then-arm ends: keep its charge open until the else-arm's cost is known.
            thenSeg.start = seg.start, thenSeg.constant = seg.constant, thenSeg.end = seg.end;
            thenCost = cost;
          } else {
            // Later segments first, so the positions of the earlier ones stay valid.
            const fold = thenCost >= 0 ? Math.min(thenCost, cost) : 0;
            closeSegment(w, seg, cost - fold);
            if (thenCost >= 0) closeSegment(w, thenSeg, thenCost - fold);
            closePre(preCost + fold);
            foldDepth = -1;
          }
          openSegment();
          cost = 0;
          dead = false;
          p = r.pos;
          continue;
        }
        closeOpenSegment(cost);
        if (closesWrapped) emitLoopSlowPath(w, cl, headerCosts[depth]);
        if (depth === 0) {
          if (r.pos !== r.end) malformed('operators remaining after the end of the function', r.pos);
          w.copy(src, copyFrom, r.pos);
          if (!needsEntryCheck) {
            dropRange(w, entryCheck, entryCheckEnd);
            if (cl >= 0) w.buf[teeAt] = 0x21;
          } else if (entryCost > 0) {
            // The check stayed (a zero-cost entry segment took its check with it): its trampoline is due.
            b.trampolines.push({
              definedIndex: b.fnIndex, functionIndex: plan.imported + b.fnIndex + 1, paramCount: b.paramCount, passing, entryCost,
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
        openSegment();
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
        if (foldDepth >= 0) abortFold();
        readImmediates(r, imm, state);
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
        if (op === 0x04 && !dead && headerLevel < 0) {
          // Defer the charge before the `if` (see foldDepth).
          w.copy(src, copyFrom, r.pos);
          copyFrom = r.pos;
          pre.start = seg.start, pre.constant = seg.constant, pre.end = seg.end;
          preCost = cost;
          preIsEntry = entrySegmentOpen;
          entrySegmentOpen = false;
          thenCost = -1;
          foldDepth = depth;
          openSegment();
          cost = 0;
          p = r.pos;
          continue;
        }
        if (op === 0x03 || op === 0x04) {
          w.copy(src, copyFrom, r.pos);
          copyFrom = r.pos;
          closeOpenSegment(cost);
          if (op === 0x03) needsEntryCheck = true;
          seg.start = w.pos;
          seg.constant = emitCharge(w, cl);
          if (wrap) {
            emitLoopCheck(w, cl);
            headerLevel = depth - 1;
          } else if (op === 0x03) emitCheck(w, cl);
          seg.end = w.pos;
          cost = 0;
          dead = false;
        }
        p = r.pos;
        continue;
      case 0x10: // call
      case 0x12: // return_call
      case 0xd2: {
        // ref.func
        if (op !== 0xd2) needsEntryCheck = true;
        w.copy(src, copyFrom, at);
        const index = r.u32();
        if (index >= functionCount) malformed(`function index ${index} out of range`, at + 1);
        const passTo = op === 0x10 && isPassed(plan, index);
        if (op !== 0x10 && isPassed(plan, index)) {
          b.conflicts.drop[index - plan.imported] = 1;
          b.conflicts.any = true;
        }
        if (op === 0x12) b.conflicts.tailCalls = true;
        if (passTo) {
          if (cl >= 0) emitLocal(w, 0x20, cl);
          else emitGlobalGet(w);
        } else if (cl >= 0 && op !== 0xd2) emitSync(w, cl);
        w.u8(op);
        w.u32(index + 1);
        if (passTo) {
          if (cl >= 0) emitLocal(w, 0x21, cl);
          else emitGlobalSet(w);
        } else if (cl >= 0 && op === 0x10) emitReload(w, cl);
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
        needsEntryCheck = true;
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
        w.copy(src, copyFrom, at);
        const index = r.u32();
        if (index >= globalCount) malformed(`global index ${index} out of range`, at + 1);
        w.u8(op);
        w.u32(index + 1);
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
        if (passing && deepestLabel(r, op) >= depth) malformed('unknown label', at + 1);
        const leaves = passing ? op === 0x08 || op === 0x09 || op === 0x0a : op === 0x0f || exitsFunction(r, op, depth);
        if (cl >= 0 && leaves) {
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
        if (imm !== O.IMM_NONE) readImmediates(r, imm, state);
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
          if (b.scratch < 0) malformed('bulk operation not found by the pre-scan', at);
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

