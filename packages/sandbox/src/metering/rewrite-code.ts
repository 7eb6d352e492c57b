/**
 * Streams the code section through the fuel rewriter in one pass per body.
 *
 * Each straight-line segment (from a block entry point to the next) is charged
 * at its start with a placeholder constant that is patched once the segment's
 * cost is known; zero-cost segments are cut out again. Checks (counter < 0 →
 * call `exhausted`) sit at function entry, loop headers and after the run-time
 * charge of bulk operations. Calls, `ref.func` and `global.*` indices shift by
 * the injected imports. No objects are allocated per instruction.
 */
import { AgentOsError } from '../errors/index.ts';
import {
  bodyReader, ByteWriter, malformed, opcodes as O, readImmediates, readPrefixed, writeValType, type ScanState,
  type WasmModule,
} from '../wasm/index.ts';
import { MEMORY_BYTES_PER_FUEL_LOG2, prefixedWeight, SINGLE_WEIGHT, TABLE_ELEMENTS_PER_FUEL_LOG2 } from './cost.ts';

/** Where the fuel counter lives while a function runs (see bench/metering/counter-placement). */
export type CounterPlacement = 'global' | 'local';

export interface CodeRewrite {
  module: WasmModule;
  /** Function and global counts of the original module (indices at or past them are invalid). */
  functionCount: number;
  globalCount: number;
  maxLocalsPerFunction: number;
  counter: CounterPlacement;
}

// Indices of the injected imports (they come first).
const FUEL_GLOBAL = 0;
const EXHAUSTED_FUNC = 0;

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
    const useLocal = job.counter === 'local' && !usesExceptions(fn.body);
    const counterLocal = useLocal ? localCount : -1;
    const scratch = mayUseBulk(fn.body) ? localCount + (useLocal ? 1 : 0) : -1;
    const mark = w.beginSized();
    w.u32(fn.locals.length + (useLocal ? 1 : 0) + (scratch >= 0 ? 1 : 0));
    for (const g of fn.locals) {
      w.u32(g.count);
      writeValType(w, g.type);
    }
    if (useLocal) w.u8(1), w.u8(0x7e);
    if (scratch >= 0) w.u8(1), w.u8(0x7f);
    rewriteBody(w, { job, fnIndex: i, localCount, counterLocal, scratch, state });
    w.endSized(mark);
  }
}

/** A cheap, conservative look for 0xFC 8..17 (bulk ops): a false hit only adds an unused local. */
function mayUseBulk(body: Uint8Array): boolean {
  for (let p = body.indexOf(0xfc); p >= 0 && p + 1 < body.length; p = body.indexOf(0xfc, p + 1)) {
    const sub = body[p + 1];
    if (sub >= 8 && sub <= 17) return true;
  }
  return false;
}

/** Functions with handlers keep the counter in the global: a handler entry cannot reload a local copy cheaply. */
function usesExceptions(body: Uint8Array): boolean {
  return body.indexOf(0x06) >= 0 || body.indexOf(0x1f) >= 0 || body.indexOf(0x18) >= 0;
}

interface BodyJob {
  job: CodeRewrite;
  fnIndex: number;
  localCount: number;
  /** Index of the i64 local holding the counter, or -1 when the global is used directly. */
  counterLocal: number;
  /** Index of the i32 scratch local for bulk lengths, or -1. */
  scratch: number;
  state: ScanState;
}

function rewriteBody(w: ByteWriter, b: BodyJob): void {
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
  // The open segment: its inserted code spans [region, regionEnd) and its constant sits at `patch`.
  if (cl >= 0) {
    emitGlobalGet(w);
    emitLocal(w, 0x21, cl);
  }
  let region = w.pos;
  let patch = emitCharge(w, cl);
  emitCheck(w, cl);
  let regionEnd = w.pos;

  for (;;) {
    const at = r.pos;
    if (at >= r.end) malformed('unexpected end of function body', at);
    const op = src[at];
    r.pos = at + 1;
    const imm = SINGLE[op];
    // Fast paths for the bulk of real code: plain operators, constants, loads/stores, locals.
    const fast = FAST[op];
    if (fast !== 0 && (op !== 0x0d || cl < 0)) {
      if (fast === FAST_SKIP_LEB) {
        if (src[at + 1] < 0x80) r.pos = at + 2;
        else readImmediates(r, imm, state);
      } else if (fast === FAST_MEMARG) {
        if (src[at + 1] < 0x40 && src[at + 2] < 0x80) r.pos = at + 3;
        else readImmediates(r, imm, state);
      } else if (fast === FAST_LOCAL) {
        const index = src[at + 1] < 0x80 ? src[r.pos++] : r.u32();
        if (index >= b.localCount) malformed(`local index ${index} out of range`, at + 1);
      }
      if (!dead) cost += SINGLE_WEIGHT[op];
      state.features |= O.SINGLE_FEATURE[op];
      continue;
    }
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
        closeSegment(w, cost, patch, region, regionEnd);
        if (depth === 0) {
          if (r.pos !== r.end) malformed('operators remaining after the end of the function', r.pos);
          w.copy(src, copyFrom, r.pos);
          return;
        }
        region = w.pos;
        patch = emitCharge(w, cl);
        regionEnd = w.pos;
        cost = 0;
        dead = false;
        continue;
      case 0x02: // block
      case 0x06: // try
      case 0x1f: // try_table
      case 0x03: // loop
      case 0x04: // if
        readImmediates(r, imm, state);
        state.features |= O.SINGLE_FEATURE[op];
        if (!dead) cost += SINGLE_WEIGHT[op];
        depth++;
        if (op === 0x03 || op === 0x04) {
          w.copy(src, copyFrom, r.pos);
          copyFrom = r.pos;
          closeSegment(w, cost, patch, region, regionEnd);
          region = w.pos;
          patch = emitCharge(w, cl);
          if (op === 0x03) emitCheck(w, cl);
          regionEnd = w.pos;
          cost = 0;
          dead = false;
        }
        continue;
      case 0x10: // call
      case 0x12: // return_call
      case 0xd2: {
        // ref.func
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
        continue;
      }
      case 0x11: // call_indirect
      case 0x13: // return_call_indirect
      case 0x14: // call_ref
      case 0x15: {
        // return_call_ref
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
        continue;
      }
      case 0x0f: // return
      case 0x00: // unreachable
      case 0x0a: // throw_ref
      case 0x08: // throw
      case 0x09: // rethrow
      case 0x0c: // br
      case 0x0d: // br_if
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
        if (op !== 0x0d) dead = true;
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
        continue;
      }
      default: {
        if (imm === O.IMM_UNKNOWN) throw unknown(op, at);
        readImmediates(r, imm, state);
        state.features |= O.SINGLE_FEATURE[op];
        if (!dead) cost += SINGLE_WEIGHT[op];
      }
    }
  }
}

// Fast-path classes of single-byte opcodes (0 = handled by the switch).
const FAST_PLAIN = 1; // no immediates, no effect on control flow
const FAST_SKIP_LEB = 2; // one LEB immediate to copy (i32.const, br_if)
const FAST_MEMARG = 3; // loads and stores
const FAST_LOCAL = 4; // local.get/set/tee: locals we add must not make an invalid index valid
const FAST = new Uint8Array(256);
for (let op = 0; op < 256; op++) {
  const imm = O.SINGLE[op];
  if (imm === O.IMM_NONE) FAST[op] = FAST_PLAIN;
  else if (imm === O.IMM_MEMARG) FAST[op] = FAST_MEMARG;
}
for (const op of [0x00, 0x05, 0x0b, 0x0f, 0x19, 0x0a]) FAST[op] = 0; // control: see the switch
FAST[0x41] = FAST_SKIP_LEB; // i32.const
FAST[0x0d] = FAST_SKIP_LEB; // br_if
FAST[0x20] = FAST[0x21] = FAST[0x22] = FAST_LOCAL;

/** memory.init/copy/fill and table.init/copy/fill: the ops whose work grows with a length operand. */
function isBulk(key: number): boolean {
  return key === 0xfc0008 || key === 0xfc000a || key === 0xfc000b || key === 0xfc000c || key === 0xfc000e || key === 0xfc0011;
}

function unknown(op: number, at: number): AgentOsError {
  const hex = O.opcodeHex(op);
  return new AgentOsError('unsupported-feature', `unknown or unsupported opcode ${hex} at byte ${at}`, {
    details: { opcode: hex, offset: at },
  });
}

/** Whether a branch at the reader (opcode already read) may target the function's own label. */
function exitsFunction(r: { bytes: Uint8Array; pos: number }, op: number, depth: number): boolean {
  if (op !== 0x0c && op !== 0x0d && op !== 0x0e) return op !== 0x00; // throws leave the frame too
  // Peek the labels without moving the reader.
  let p = r.pos;
  const read = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = r.bytes[p++];
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0 || shift > 28) return result;
      shift += 7;
    }
  };
  const n = op === 0x0e ? read() + 1 : 1;
  for (let i = 0; i < n; i++) if (read() === depth - 1) return true;
  return false;
}

function closeSegment(w: ByteWriter, cost: number, patch: number, region: number, regionEnd: number): void {
  if (cost === 0) {
    const gap = regionEnd - region;
    w.buf.copyWithin(region, regionEnd, w.pos);
    w.pos -= gap;
    return;
  }
  const buf = w.buf;
  buf[patch] = (cost & 0x7f) | 0x80;
  buf[patch + 1] = ((cost >>> 7) & 0x7f) | 0x80;
  buf[patch + 2] = ((cost >>> 14) & 0x7f) | 0x80;
  buf[patch + 3] = ((cost >>> 21) & 0x7f) | 0x80;
  buf[patch + 4] = (cost >>> 28) & 0x07;
}

function emitGlobalGet(w: ByteWriter): void {
  w.u8(0x23);
  w.u8(FUEL_GLOBAL);
}

function emitLocal(w: ByteWriter, op: number, index: number): void {
  w.u8(op);
  w.u32(index);
}

/** counter -= <patched constant>; returns the position of the 5-byte constant. */
function emitCharge(w: ByteWriter, cl: number): number {
  w.ensure(16);
  if (cl >= 0) emitLocal(w, 0x20, cl);
  else emitGlobalGet(w);
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

/** if (counter < 0) exhausted(); with a local counter, the global is synced around the call. */
function emitCheck(w: ByteWriter, cl: number): void {
  if (cl >= 0) emitLocal(w, 0x20, cl);
  else emitGlobalGet(w);
  w.u8(0x42);
  w.u8(0x00);
  w.u8(0x53); // i64.lt_s
  w.u8(0x04);
  w.u8(0x40); // if (no result)
  if (cl >= 0) emitSync(w, cl);
  w.u8(0x10);
  w.u8(EXHAUSTED_FUNC);
  if (cl >= 0) emitReload(w, cl);
  w.u8(0x0b);
}

/** global = local (before the counter leaves this frame). */
function emitSync(w: ByteWriter, cl: number): void {
  emitLocal(w, 0x20, cl);
  w.u8(0x24);
  w.u8(FUEL_GLOBAL);
}

/** local = global (after a call, which may have spent or refilled fuel). */
function emitReload(w: ByteWriter, cl: number): void {
  emitGlobalGet(w);
  emitLocal(w, 0x21, cl);
}

/** Charges `length >> shift` for the i32 length on top of the stack, then checks. */
function emitDynamicCharge(w: ByteWriter, cl: number, scratch: number, shift: number): void {
  emitLocal(w, 0x22, scratch); // local.tee keeps the length for the operation
  if (cl >= 0) emitLocal(w, 0x20, cl);
  else emitGlobalGet(w);
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
