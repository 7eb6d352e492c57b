/**
 * Rewrites of jco's glue that remove per-instance work without changing what
 * the glue does, applied by `hardenGlue` before hoisting. Each applies only
 * where the glue has exactly the shape it relies on and is skipped otherwise
 * (never half-applied), so another jco version can make instantiation slower
 * again, never wrong.
 *
 * - `CURRENT_TASK_MAY_BLOCK` is a `WebAssembly.Global` that jco 1.35's glue
 *   only ever reads and writes as `.value` from JS. A Global costs an
 *   ArrayBuffer (~1 µs to make, plus GC work) per instance; a plain `{ value }`
 *   cell does the same job when no core module imports it, which holds when
 *   every use of the name is a `.value` access.
 * - `Promise.all([module0, …]).catch(() => {})` only marks the core modules'
 *   promises as handled (a failed `getCoreModule` would otherwise leave the
 *   others unhandled); the engine hands over compiled modules, so it builds a
 *   Promise per module for nothing. The replacement handles promises the same
 *   way and skips everything else.
 */

export interface LightenReport {
  /** Rewrites applied, by name (0 where the glue did not have the shape). */
  applied: Record<string, number>;
}

const MAY_BLOCK_DECLARATION = /const CURRENT_TASK_MAY_BLOCK\s?= globalThis\.WebAssembly \? new globalThis\.WebAssembly\.Global\(\{ value: 'i32', mutable: true \}, 0\) : false;/g;
const MAY_BLOCK_USE = /\bCURRENT_TASK_MAY_BLOCK\b(?!\s*\.value\b)/g;
const MODULES_HANDLED = /Promise\.all\(\[((?:module\d+, )*module\d+)\]\)\.catch\(\(\) => \{\}\);/g;

/** Names of the rewrites, as `HardenReport.applied` lists them. */
export const LIGHTEN_RULES = {
  mayBlock: 'current-task may-block flag as a plain cell (never reaches wasm)',
  modules: 'core modules marked handled without a Promise each',
} as const;

/** Applies the rewrites above where they fit; returns the source and what applied. */
export function lightenGlue(source: string): { source: string; report: LightenReport } {
  let out = source;
  const applied: Record<string, number> = {};
  const declarations = out.match(MAY_BLOCK_DECLARATION)?.length ?? 0;
  // Every mention other than the declaration must be a `.value` access.
  const escapes = (out.replace(MAY_BLOCK_DECLARATION, '').match(MAY_BLOCK_USE)?.length ?? 0) > 0;
  if (declarations === 1 && !escapes) {
    out = out.replace(MAY_BLOCK_DECLARATION, 'const CURRENT_TASK_MAY_BLOCK = { value: 0 };');
    applied[LIGHTEN_RULES.mayBlock] = 1;
  } else {
    applied[LIGHTEN_RULES.mayBlock] = 0;
  }
  let handled = 0;
  out = out.replace(MODULES_HANDLED, (_, list: string) => {
    handled++;
    return `for (const m of [${list}]) if (m instanceof Promise) m.catch(() => {});`;
  });
  applied[LIGHTEN_RULES.modules] = handled;
  return { source: out, report: { applied } };
}
