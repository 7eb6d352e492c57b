/**
 * The code section through the fuel rewriter: for each body, which counter
 * placement it gets (a passed counter, a local copy, the global) and the
 * restarts when a body turns out to need another one (rewrite-code.ts writes
 * one body). Entry trampolines the bodies call are collected for instrument.ts
 * to append after the module's own functions.
 */
import { AgentOsError } from '../errors/index.ts';
import { type ByteWriter, lebWidth, writeValType, type ScanState, type WasmModule } from '../wasm/index.ts';
import { mayUseBulk } from './code-facts.ts';
import { newSegmentState } from './segments.ts';
import type { PassingPlan } from './counter-passing.ts';
import type { EntryTrampoline } from './emit.ts';
import { type BodyJob, DONE, RESTART_LOCAL, RESTART_UNWRAPPED, rewriteBody } from './rewrite-code.ts';

/** Where the fuel counter lives while a function runs (see `InstrumentOptions.counter`, bench/metering/counter-placement). */
export type CounterPlacement = 'global' | 'local' | 'auto';

export interface CodeRewrite {
  module: WasmModule;
  /** Function and global counts of the original module (indices at or past them are invalid). */
  functionCount: number;
  globalCount: number;
  maxLocalsPerFunction: number;
  counter: CounterPlacement;
  /** Which functions take the counter as a parameter (counter-passing.ts). */
  plan: PassingPlan;
}

/** What the pass found that the plan did not know: functions it must not pass the counter to. */
export interface PlanConflicts {
  /** Per defined function: 1 when it is named by `ref.func` in code or has exception handlers. */
  drop: Uint8Array;
  /** The module makes tail calls: a passed counter cannot survive them. */
  tailCalls: boolean;
  /** Whether any planned function must be dropped. */
  any: boolean;
}

/** What one pass over the code produced besides the bodies. */
export interface MeteredCode {
  conflicts: PlanConflicts;
  /**
   * The entry trampolines the bodies call (emit.ts `writeEntryTrampoline`), in order: the
   * k-th has function index `functionCount + 1 + k` and goes after the module's own functions.
   */
  trampolines: EntryTrampoline[];
}

/**
 * Writes the metered bodies (without the count) into `w`.
 * @throws AgentOsError 'invalid-component' for malformed bodies or out-of-range indices,
 *   'unsupported-feature' for unknown opcodes, 'limit-exceeded' for too many locals.
 */
export function writeMeteredCode(w: ByteWriter, job: CodeRewrite, state: ScanState): MeteredCode {
  const m = job.module;
  const conflicts: PlanConflicts = { drop: new Uint8Array(m.code.length), tailCalls: false, any: false };
  const trampolines: EntryTrampoline[] = [];
  // One job object for every body, updated in place (rewriteBody runs once per body or more).
  const body: BodyJob = {
    job, fnIndex: 0, paramCount: 0, localCount: 0, counterLocal: -1, scratch: -1, state, restartOnLoop: false, passing: false,
    conflicts, wrapLoops: true, trampolines, segments: newSegmentState(w),
  };
  // One function per body: V8 optimizes it as a whole, where a long loop here would run
  // on-stack-replaced code that is dropped again at every call.
  for (let i = 0; i < m.code.length; i++) writeBody(w, body, i);
  if (conflicts.tailCalls && job.plan.passedType.some((t) => t >= 0)) conflicts.any = true;
  return { conflicts, trampolines };
}

/** Writes body `i` (size, locals, code), restarting it with another placement when it asks. */
function writeBody(w: ByteWriter, body: BodyJob, i: number): void {
  const { job, conflicts } = body;
  const m = job.module;
  const fn = m.code[i];
  const paramCount = m.types[m.functions[i]].params.length;
  const locals = fn.locals;
  let localCount = paramCount;
  for (let g = 0; g < locals.length; g++) localCount += locals[g].count;
  if (localCount > job.maxLocalsPerFunction) {
    throw new AgentOsError('limit-exceeded', `function ${i} declares ${localCount} locals; the limit is ${job.maxLocalsPerFunction}`, {
      details: { function: i, locals: localCount, limit: job.maxLocalsPerFunction },
    });
  }
  const bulk = mayUseBulk(fn.body);
  // The metered body is never smaller than the input: reserving the input size's width for
  // its size usually saves moving the body once it is written.
  const reserve = lebWidth(fn.size ?? fn.body.length);
  // 'auto' starts with the global and restarts the body with a local counter at its first loop;
  // a local counter restarts with the global at the first exception handler.
  // A passed counter is the last parameter: the declared locals move up by one.
  let passing = job.plan.passedType[i] >= 0;
  let useLocal = job.counter === 'local';
  let restartOnLoop = job.counter === 'auto' && !passing;
  let wrapLoops = true;
  for (;;) {
    const ownLocal = useLocal && !passing; // a local copy declared by us
    const counterLocal = passing ? paramCount : useLocal ? localCount : -1;
    const scratch = bulk ? localCount + (ownLocal || passing ? 1 : 0) : -1;
    const mark = w.beginSized(reserve);
    w.u32(locals.length + (ownLocal ? 1 : 0) + (scratch >= 0 ? 1 : 0));
    for (let g = 0; g < locals.length; g++) {
      w.u32(locals[g].count);
      writeValType(w, locals[g].type);
    }
    if (ownLocal) w.u8(1), w.u8(0x7e);
    if (scratch >= 0) w.u8(1), w.u8(0x7f);
    body.fnIndex = i;
    body.paramCount = paramCount;
    body.localCount = localCount;
    body.counterLocal = counterLocal;
    body.scratch = scratch;
    body.restartOnLoop = restartOnLoop;
    body.passing = passing;
    body.wrapLoops = wrapLoops;
    const outcome = rewriteBody(w, body);
    if (outcome === DONE) {
      w.endSized(mark, reserve);
      break;
    }
    w.pos = mark;
    if (outcome === RESTART_UNWRAPPED) {
      wrapLoops = false;
      continue;
    }
    if (passing) {
      // Exception handlers would see a stale passed counter: the function keeps its own type.
      conflicts.drop[i] = 1;
      conflicts.any = true;
      passing = false;
    }
    useLocal = outcome === RESTART_LOCAL;
    restartOnLoop = false;
  }
}
