/**
 * Out-of-line loop checks. A call inside a loop makes V8 keep the loop's
 * values in stack slots (they must survive the call), so a loop whose header
 * check calls `exhausted` inline costs a few stores per iteration even though
 * the call never happens. A loop without parameters is therefore wrapped:
 *
 *   block <loop's type>   ;; exit
 *     loop                ;; retry
 *       block             ;; slow path
 *         loop <type>     ;; the original loop; header: charge, then br_if 1 when counter < 0
 *           …
 *         end
 *         br 2            ;; leave with the loop's results
 *       end
 *       call exhausted; counter += header charge   ;; the retry charges it again
 *       br 0
 *     end
 *     unreachable
 *   end
 *
 * so the loop body holds no call. Fuel numbers do not change. Branches from
 * inside the loop to labels outside it cross three more labels and are
 * renumbered by the rewriter (`writeRenumberedLabels`).
 */
import type { ByteWriter, WasmModule } from '../wasm/index.ts';
import { emitCounterGet, emitGlobalSet, emitIsNegative, emitLocal, emitRefilledPlus, emitSync, EXHAUSTED_FUNC } from './emit.ts';

/**
 * The loop header check of a loop wrapped by `emitLoopWrappers`: a branch to the out-of-line
 * slow path when the counter is negative. Nothing in the loop calls, so V8 need not spill.
 */
export function emitLoopCheck(w: ByteWriter, cl: number): void {
  emitCounterGet(w, cl);
  emitIsNegative(w);
  w.u8(0x0d);
  w.u8(0x01); // br_if to the slow-path block just outside the loop
}

/**
 * Opens the three labels around a loop with block type `blockType` (bytes `[from, to)` of
 * `src`): `block <type>` (the exit) `loop` (the retry) `block` (the slow path).
 */
export function emitLoopWrappers(w: ByteWriter, src: Uint8Array, from: number, to: number): void {
  w.u8(0x02);
  w.copy(src, from, to);
  w.u8(0x03);
  w.u8(0x40);
  w.u8(0x02);
  w.u8(0x40);
}

/**
 * After the wrapped loop's `end`: leave with its results; the slow path calls `exhausted`,
 * gives back the header's charge (the retry charges it again) and enters the loop anew.
 */
export function emitLoopSlowPath(w: ByteWriter, cl: number, headerCost: number): void {
  w.u8(0x0c);
  w.u8(0x02); // br to the exit block, with the loop's results
  w.u8(0x0b); // end of the slow-path block
  if (cl >= 0) emitSync(w, cl);
  w.u8(0x10);
  w.u8(EXHAUSTED_FUNC);
  emitRefilledPlus(w, headerCost);
  if (cl >= 0) emitLocal(w, 0x21, cl);
  else emitGlobalSet(w);
  w.u8(0x0c);
  w.u8(0x00); // br to the retry loop
  w.u8(0x0b); // end of the retry loop
  w.u8(0x00); // unreachable: the exit block's results come only from the branch above
  w.u8(0x0b); // end of the exit block
}

/** Whether the block type at `src[p]` takes no parameters (the shorthands never do). */
export function blockTakesNoParams(m: WasmModule, src: Uint8Array, p: number): boolean {
  const first = src[p];
  if (first < 0x80 && (first & 0x40) !== 0) return true; // 0x40 (empty) or a value type
  let index = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    const byte = src[p++];
    index += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) break;
  }
  return index < m.types.length && m.types[index].params.length === 0;
}

/**
 * Writes a branch (opcode at `at`) with each label moved past the three labels of every
 * wrapped loop between the branch and its target: `wraps[level]` counts the wrapped loops
 * at levels 0..level. Out-of-range labels stay out of range. The caller validates the
 * immediates afterwards (readImmediates), so a corrupt count here only writes garbage that
 * is then refused.
 */
// Positional parameters: an options object would be allocated for most branches inside loops.
export function writeRenumberedLabels(w: ByteWriter, src: Uint8Array, at: number, end: number, depth: number, wraps: number[]): void {
  const op = src[at];
  w.u8(op);
  let p = at + 1;
  let n = 1;
  const inner = wraps[depth - 1];
  // i = -1 reads br_table's count; no closure, as this runs for most branches inside loops.
  for (let i = op === 0x0e ? -1 : 0; i < n && p < end; i++) {
    let value = 0;
    for (let shift = 0; p < end; shift += 7) {
      const byte = src[p++];
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0 || shift > 28) break;
    }
    if (i < 0) {
      n = value + 1;
      w.u32(value);
      continue;
    }
    const target = depth - 1 - value;
    w.u32(value + 3 * (inner - (target >= 0 ? wraps[target] : 0)));
  }
}
