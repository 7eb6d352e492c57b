/**
 * Sync export calls without jco's task bookkeeping, where nothing can observe it.
 *
 * jco 1.35 wraps every export call in a Component Model task: an `AsyncTask`
 * with ~45 private fields, two Promises and half a dozen closures, pushed on
 * per-instance stacks, an exclusive lock and a borrow scope, then torn down
 * again. For a scalar call that is ~95 % of its cost (~1.6 µs of ~1.7 µs).
 *
 * That state is read only by JS the guest can reach during the call: the
 * trampolines of lowered imports (host functions, resources, borrows, async
 * builtins), which find the current task on those stacks. A component whose
 * core instances get no import object from the glue has none, so during a
 * synchronous (non-JSPI) export call no glue code runs beside the wrapper
 * itself, and no one can enter the instance again. For such a component the
 * wrapper's task becomes `$agentos.syncTask(componentIdx)` (hooks.ts): a stateless stand-in
 * whose methods do what the real task's would for a sync call with no
 * borrows. What remains of the wrapper stays as jco wrote it: the "trapped
 * before" check and the poisoning after a trap, post-return with its
 * `mayLeave` guard, the current-task metadata.
 *
 * A component with imports gets the same for every call that reaches no
 * import: its wrappers get a deferred task (lazy-task.ts) that becomes jco's
 * real task, replayed, the moment the guest calls any JS import. This applies
 * only where the glue hands JS to wasm solely through `instantiateCore`'s
 * imports (no core instance or table of its own) and numbers tasks from
 * `AsyncTask._ID`, which the deferred task relies on.
 *
 * A wrapper is left alone unless it has exactly jco 1.35's sync shape and calls
 * nothing on its task but the stand-in's methods; so another jco version can
 * only make this apply less, never wrongly.
 */

import { tokenizer } from 'acorn';

/** The methods of `$agentos.syncTask(i)`; a wrapper using anything else keeps its real task. */
export const SYNC_TASK_METHODS: ReadonlySet<string> = new Set([
  'setCalleeIsAsync',
  'enterSync',
  'mayBlock',
  'setReturnMemoryIdx',
  'setReturnMemory',
  'id',
  'componentIdx',
  'setErrored',
  'reject',
  'resolve',
  'exit',
  'isResolvedState',
  'isExited',
]);

/** jco 1.35's task creation for a sync export of a sync component (no callback, no JSPI). */
const SYNC_EXPORT_TASK =
  /const \[task, _wasm_call_currentTaskID\] = createNewCurrentTask\(\{\s*componentIdx: (\d+),\s*isAsync: false,\s*isManualAsync: false,\s*preserveFutureResult: false,\s*entryFnName: '[\w$]*',\s*getCallbackFn: \(\) => null,\s*callbackFnName: null,\s*errHandling: 'none',\s*callingWasmExport: true,\s*\}\);/g;

const CORE_INSTANTIATION = /instantiateCore\(/g;
const IMPORTLESS_INSTANTIATION = /instantiateCore\(yield module\d+\)/g;
const HOOKED_INSTANTIATE = /export function instantiate\(getCoreModule, imports, instantiateCore = WebAssembly\.instantiate, \$agentos\) \{/g;

/**
 * What a deferred task (lazy-task.ts) relies on in jco 1.35's glue: task ids come from one
 * counter, `AsyncTask._ID`, as bigints; and wasm reaches JS only through the imports of
 * `instantiateCore`, never through core instances the glue makes itself or tables it fills.
 */
const DEFERRABLE_SHAPE = [/class AsyncTask \{\s*static _ID = 0n;/, /\bAsyncTask\._ID\b/];
const UNGUARDED_JS_PATHS = /WebAssembly\.(Instance|instantiate|Table)\b|\.grow\(|\$imports\.set\(/;

/**
 * Lightens the task of every provably unobserved sync export wrapper: for a component whose
 * core instances import nothing from the glue, the stateless `$agentos.syncTask(i)`; for one
 * with imports, a `$agentos.lazyTask` that creates jco's task only if the guest calls an import
 * (lazy-task.ts), with `instantiateCore` guarded so that every import does.
 * @returns the rewritten source and how many wrappers changed (0 when the glue lacks a shape
 *   either rewrite relies on).
 */
export function leanSyncTasks(source: string): { source: string; count: number } {
  const instantiations = source.match(CORE_INSTANTIATION)?.length ?? 0;
  const importless = source.match(IMPORTLESS_INSTANTIATION)?.length ?? 0;
  if (instantiations === 0) return { source, count: 0 };
  if (importless === instantiations) return rewriteWrappers(source, (idx) => `[$agentos.syncTask(${idx}), 0]`);
  if ((source.match(HOOKED_INSTANTIATE)?.length ?? 0) !== 1 || !DEFERRABLE_SHAPE.every((p) => (source.match(new RegExp(p, 'g'))?.length ?? 0) === 1)) return { source, count: 0 };
  if (UNGUARDED_JS_PATHS.test(source.replace(HOOKED_INSTANTIATE, ''))) return { source, count: 0 };
  const lean = rewriteWrappers(source, (idx, creation) => `$agentos.lazyTask(${idx}, () => AsyncTask._ID + 1n, () => ${creation})`);
  if (lean.count === 0) return lean;
  HOOKED_INSTANTIATE.lastIndex = 0;
  return { source: lean.source.replace(HOOKED_INSTANTIATE, (line) => `${line}\n  instantiateCore = $agentos.guardCore(instantiateCore);`), count: lean.count };
}

/**
 * The end of the function declaration `function name(plain, params) {` around `offset`, found
 * with acorn's tokenizer (so braces in strings, templates or regexps cannot mislead); undefined
 * when the wrapper does not start that way.
 */
function wrapperEnd(source: string, offset: number): number | undefined {
  const fnStart = source.lastIndexOf('function ', offset);
  const head = /^function [\w$]+\([\w$, ]*\) \{/.exec(source.slice(fnStart, offset));
  if (fnStart < 0 || !head) return undefined;
  let depth = 0;
  try {
    for (const token of tokenizer(source.slice(fnStart), { ecmaVersion: 'latest' })) {
      const label = token.type.label;
      if (label === '{' || label === '${') depth++;
      else if (label === '}' && --depth === 0) return token.end + fnStart > offset ? token.end + fnStart : undefined;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function rewriteWrappers(source: string, task: (componentIdx: string, creation: string) => string): { source: string; count: number } {
  let count = 0;
  const out = source.replace(SYNC_EXPORT_TASK, (match: string, componentIdx: string, offset: number) => {
    const start = offset + match.length;
    const end = wrapperEnd(source, offset);
    if (end === undefined) return match;
    const body = source.slice(start, end);
    // The task must not escape (passed on, or its id kept) and only get the stand-in's calls.
    if (/_wasm_call_currentTaskID|\btask\b(?!\.)/.test(body)) return match;
    for (const [, method] of body.matchAll(/\btask\.(\w+)/g)) {
      if (!SYNC_TASK_METHODS.has(method)) return match;
    }
    count++;
    const creation = match.slice(match.indexOf('createNewCurrentTask('), -1);
    return `const [task, _wasm_call_currentTaskID] = ${task(componentIdx, creation)};`;
  });
  return { source: out, count };
}
