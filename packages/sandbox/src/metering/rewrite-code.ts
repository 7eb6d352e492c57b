/**
 * Streams the code section through the fuel rewriter in one pass per body.
 *
 * Each straight-line segment (from a block entry point to the next) is charged
 * at its start with a placeholder constant that is patched once the segment's
 * cost is known; zero-cost segments are cut out again. Checks (counter < 0 →
 * call `exhausted`) sit at function entry (dropped in leaves without loops or
 * calls), loop headers and after the run-time charge of bulk operations.
 * Calls, `ref.func` and `global.*` indices shift by the injected imports. With
 * the 'auto' placement a body is written again with a local counter when its
 * first loop shows up. No objects are allocated per instruction.
 */
import { AgentOsError } from '../errors/index.ts';
import {
  bodyReader, ByteWriter, malformed, opcodes as O, readImmediates, readPrefixed, writeValType, type ScanState,
  type WasmModule,
} from '../wasm/index.ts';
import {
  closeSegment, dropRange, emitCharge, emitCheck, emitDynamicCharge, emitGlobalGet, emitLocal, emitReload, emitSync,
  type OpenSegment,
} from './emit.ts';
import {
  exitsFunction, FAST, FAST_LOCAL, FAST_MEMARG, FAST_SKIP_LEB, isBulk, mayUseBulk, unknown,
} from './code-facts.ts';
import { MEMORY_BYTES_PER_FUEL_LOG2, prefixedWeight, SINGLE_WEIGHT, TABLE_ELEMENTS_PER_FUEL_LOG2 } from './cost.ts';

/** Where the fuel counter lives while a function runs (see `InstrumentOptions.counter`, bench/metering/counter-placement). */
export type CounterPlacement = 'global' | 'local' | 'auto';

export interface CodeRewrite {
  module: WasmModule;
  /** Function and global counts of the original module (indices at or past them are invalid). */
  functionCount: number;
  globalCount: number;
  maxLocalsPerFunction: number;
  counter: CounterPlacement;
}

/**
 * Writes the metered code section payload (count + bodies) into `w`.
 * @throws AgentOsError 'invalid-component' for malformed bodies or out-of-range indices,
 *   'unsupported-feature' for unknown opcodes, 'limit-exceeded' for too many locals.
 */
export function writeMeteredCode(w: ByteWriter, job: CodeRewrite, state: ScanState): void {
  const m = job.module;
  w.u32(m.code.length);
  for (let i = 0; i < m.code.length; i++) {
    const fn = m.code[i];
    let localCount = m.types[m.functions[i]].params.length;
    for (const g of fn.locals) localCount += g.count;
    if (localCount > job.maxLocalsPerFunction) {
      throw new AgentOsError('limit-exceeded', `function ${i} declares ${localCount} locals; the limit is ${job.maxLocalsPerFunction}`, {
        details: { function: i, locals: localCount, limit: job.maxLocalsPerFunction },
      });
    }
    const bulk = mayUseBulk(fn.body);
    // 'auto' starts with the global and restarts the body with a local counter at its first loop;
    // a local counter restarts with the global at the first exception handler.
    let useLocal = job.counter === 'local';
    let restartOnLoop = job.counter === 'auto';
    for (;;) {
      const counterLocal = useLocal ? localCount : -1;
      const scratch = bulk ? localCount + (useLocal ? 1 : 0) : -1;
      const mark = w.beginSized();
      w.u32(fn.locals.length + (useLocal ? 1 : 0) + (scratch >= 0 ? 1 : 0));
      for (const g of fn.locals) {
        w.u32(g.count);
        writeValType(w, g.type);
      }
      if (useLocal) w.u8(1), w.u8(0x7e);
      if (scratch >= 0) w.u8(1), w.u8(0x7f);
      const outcome = rewriteBody(w, { job, fnIndex: i, localCount, counterLocal, scratch, state, restartOnLoop });
      if (outcome === DONE) {
        w.endSized(mark);
        break;
      }
      w.pos = mark;
      useLocal = outcome === RESTART_LOCAL;
      restartOnLoop = false;
    }
  }
}

const DONE = 0;
/** The body has a loop: write it again with a local counter ('auto'). */
const RESTART_LOCAL = 1;
/** The body has an exception handler: write it again with the global counter. */
const RESTART_GLOBAL = 2;

interface BodyJob {
  job: CodeRewrite;
  fnIndex: number;
  localCount: number;
  /** Index of the i64 local holding the counter, or -1 when the global is used directly. */
  counterLocal: number;
  /** Index of the i32 scratch local for bulk lengths, or -1. */
  scratch: number;
  state: ScanState;
  /** Give up and return RESTART_LOCAL at the first loop ('auto' placement, first attempt). */
  restartOnLoop: boolean;
}

/** Writes one body; returns DONE, or asks for a rewrite with the other counter placement. */
function rewriteBody(w: ByteWriter, b: BodyJob): number {
  const r = bodyReader(b.job.module.code[b.fnIndex]);
  const src = r.bytes;
  const state = b.state;
  const { functionCount, globalCount } = b.job;
  const cl = b.counterLocal;
  const SINGLE = O.SINGLE;
  let copyFrom = r.pos;
  let depth = 1;
  let cost = 0;
  let dead = false;
  if (cl >= 0) {
    emitGlobalGet(w);
    emitLocal(w, 0x21, cl);
  }
  // The open segment (one object per body, updated in place).
  const seg: OpenSegment = { start: w.pos, constant: 0, end: 0 };
  seg.constant = emitCharge(w, cl);
  // The entry check, dropped again at the end for a leaf without loops or calls:
  // its cost is bounded by its size and the caller's next check catches it.
  let entryCheck = w.pos;
  emitCheck(w, cl);
  let entryCheckEnd = w.pos;
  seg.end = w.pos;
  let entrySegmentOpen = true;
  let needsEntryCheck = false;
  let handlers = false;

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
    if (fast !== 0 && (op !== 0x0d || cl < 0)) {
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
        if (op === 0x07 || op === 0x18) readImmediates(r, imm, state);
        if (op === 0x0b || op === 0x18) depth--;
        if (op !== 0x0b && op !== 0x05) state.features |= O.SINGLE_FEATURE[op];
        if (depth === 0 && cl >= 0) {
          // Falling off the end returns: hand the counter back first.
          w.copy(src, copyFrom, at);
          copyFrom = at;
          emitSync(w, cl);
        }
        w.copy(src, copyFrom, r.pos);
        copyFrom = r.pos;
        const shrunk = closeSegment(w, seg, cost);
        if (entrySegmentOpen) {
          if (cost === 0) needsEntryCheck = true; // the check went with the charge: nothing left to drop
          entryCheck -= shrunk;
          entryCheckEnd -= shrunk;
          entrySegmentOpen = false;
        }
        if (depth === 0) {
          if (r.pos !== r.end) malformed('operators remaining after the end of the function', r.pos);
          w.copy(src, copyFrom, r.pos);
          if (!needsEntryCheck) dropRange(w, entryCheck, entryCheckEnd);
          state.features |= features;
          return DONE;
        }
        seg.start = w.pos;
        seg.constant = emitCharge(w, cl);
        seg.end = w.pos;
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
        readImmediates(r, imm, state);
        state.features |= O.SINGLE_FEATURE[op];
        if (!dead) cost += SINGLE_WEIGHT[op];
        depth++;
        if (op === 0x03 || op === 0x04) {
          w.copy(src, copyFrom, r.pos);
          copyFrom = r.pos;
          const shrunk = closeSegment(w, seg, cost);
          if (entrySegmentOpen) {
            if (cost === 0) needsEntryCheck = true;
            entryCheck -= shrunk;
            entryCheckEnd -= shrunk;
            entrySegmentOpen = false;
          }
          if (op === 0x03) needsEntryCheck = true;
          seg.start = w.pos;
          seg.constant = emitCharge(w, cl);
          if (op === 0x03) emitCheck(w, cl);
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
        if (cl >= 0 && op !== 0xd2) emitSync(w, cl);
        w.u8(op);
        w.u32(index + 1);
        if (cl >= 0 && op === 0x10) emitReload(w, cl);
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
        if (cl >= 0 && (op === 0x0f || exitsFunction(r, op, depth))) {
          w.copy(src, copyFrom, at);
          copyFrom = at;
          emitSync(w, cl);
        }
        if (imm !== O.IMM_NONE) readImmediates(r, imm, state);
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
