/**
 * Counter passing: internal functions take the fuel counter as an extra last
 * parameter and hand it back as an extra last result, so a call between them
 * keeps the counter in registers instead of a read-modify-write of the imported
 * global (which is what made call-heavy code cost 2-3x; bench/sandbox/metering-overhead).
 *
 * Only functions the outside world cannot call qualify: not exported, not the
 * start function, not in any element segment (tables, `ref.func` declarations)
 * and not named by a `ref.func` in code. The code rewriter finds the last two
 * kinds of use (and bodies it cannot give a passed counter: exception handlers,
 * tail calls anywhere in the module) while it streams, and then writes the code
 * again without the functions it had to drop. Fuel numbers do not change: the
 * cost model is the same, only where the counter lives while code runs.
 */
import type { FuncType, ValType, WasmModule } from '../wasm/index.ts';

const I64: ValType = 0x7e;

/** Which defined functions get the counter passed, and the types that makes them. */
export interface PassingPlan {
  /** Per defined function: the type index it takes when the counter is passed, or -1 when it is not. */
  passedType: Int32Array;
  /**
   * Per defined function: the block type (as written after `block`) of the block that wraps its body
   * so that branches to the function label and `return` keep their arity; 0x40 for no results.
   */
  bodyBlockType: Int32Array;
  /** Number of imported functions (defined function `i` is function `imported + i`). */
  imported: number;
}

/** A plan with no function passed (counter placement 'global'/'local', or a fallback). */
export function noPassing(m: WasmModule, imported: number): PassingPlan {
  return { passedType: new Int32Array(m.functions.length).fill(-1), bodyBlockType: new Int32Array(m.functions.length), imported };
}

/**
 * Picks the candidates from what the module says outside its code, and appends
 * the types they need (a plan may later drop functions: their types stay unused).
 */
export function planPassing(m: WasmModule, imported: number): PassingPlan {
  const plan = noPassing(m, imported);
  const escapes = new Uint8Array(m.functions.length);
  const escape = (index: number): void => {
    if (index >= imported && index - imported < escapes.length) escapes[index - imported] = 1;
  };
  for (const e of m.exports) if (e.kind === 'func') escape(e.index);
  if (m.start !== undefined) escape(m.start);
  for (const e of m.elements) {
    if (e.functions) for (const f of e.functions) escape(f);
    if (e.exprs) for (const x of e.exprs) for (const f of refFuncs(x)) escape(f);
  }
  for (const g of m.globals) for (const f of refFuncs(g.init)) escape(f);
  for (const t of m.tables) if (t.init) for (const f of refFuncs(t.init)) escape(f);
  const typeFor = new Map<number, number>();
  const blockFor = new Map<number, number>();
  for (let i = 0; i < m.functions.length; i++) {
    if (escapes[i]) continue;
    const t = m.functions[i];
    let passed = typeFor.get(t);
    if (passed === undefined) {
      const original = m.types[t];
      passed = addType(m, { params: [...original.params, I64], results: [...original.results, I64] });
      typeFor.set(t, passed);
      const results = original.results;
      // One result fits the block type shorthand; more need a type [] -> results.
      blockFor.set(t, results.length === 0 ? -1 : results.length === 1 ? -2 : addType(m, { params: [], results: [...results] }));
    }
    plan.passedType[i] = passed;
    plan.bodyBlockType[i] = blockFor.get(t)!;
  }
  return plan;
}

/** Whether defined function `i` has the counter passed in the plan. */
export function isPassed(plan: PassingPlan, functionIndex: number): boolean {
  const i = functionIndex - plan.imported;
  return i >= 0 && plan.passedType[i] >= 0;
}

/** Makes the plan final: passed functions take their new types. */
export function applyPlan(m: WasmModule, plan: PassingPlan): void {
  for (let i = 0; i < m.functions.length; i++) if (plan.passedType[i] >= 0) m.functions[i] = plan.passedType[i];
}

function addType(m: WasmModule, type: FuncType): number {
  m.types.push(type);
  return m.types.length - 1;
}

/** Function indices named by `ref.func` in a constant expression (before renumbering). */
function refFuncs(expr: Uint8Array): number[] {
  const found: number[] = [];
  // Constant expressions are a handful of instructions; `ref.func` (0xd2) takes one u32.
  for (let p = 0; p < expr.length; p++) {
    const op = expr[p];
    if (op === 0xd2) {
      let value = 0;
      let shift = 0;
      for (p++; p < expr.length; p++, shift += 7) {
        value += (expr[p] & 0x7f) * 2 ** shift;
        if ((expr[p] & 0x80) === 0) break;
      }
      found.push(value);
    } else if (op === 0x0b) break;
    else return found.length > 0 ? found : conservative(expr);
  }
  return found;
}

/**
 * A constant expression with other instructions (extended constant expressions): byte-scanning
 * it could misread immediates, so report every index a `0xd2` byte could start. Extra hits only
 * keep a function from being passed the counter, which is always correct.
 */
function conservative(expr: Uint8Array): number[] {
  const found: number[] = [];
  for (let p = expr.indexOf(0xd2); p >= 0; p = expr.indexOf(0xd2, p + 1)) {
    let value = 0;
    let shift = 0;
    for (let q = p + 1; q < expr.length && shift < 35; q++, shift += 7) {
      value += (expr[q] & 0x7f) * 2 ** shift;
      if ((expr[q] & 0x80) === 0) break;
    }
    found.push(value);
  }
  return found;
}
