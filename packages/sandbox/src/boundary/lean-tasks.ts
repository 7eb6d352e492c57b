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
 * A wrapper is left alone unless it has exactly jco 1.35's sync shape and calls
 * nothing on its task but the stand-in's methods; so another jco version can
 * only make this apply less, never wrongly.
 */

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

/** Where the wrapper that created a task ends at the latest: the next wrapper, or the core instantiations after the last one. */
const WRAPPER_END = /createNewCurrentTask\(|instantiateCore\(/g;
const CORE_INSTANTIATION = /instantiateCore\(/g;
const IMPORTLESS_INSTANTIATION = /instantiateCore\(yield module\d+\)/g;

/**
 * Swaps the task of every provably unobserved sync export wrapper for `$agentos.syncTask(i)`.
 * @returns the rewritten source and how many wrappers changed (0 when the component's core
 *   instances import anything from the glue).
 */
export function leanSyncTasks(source: string): { source: string; count: number } {
  const instantiations = source.match(CORE_INSTANTIATION)?.length ?? 0;
  const importless = source.match(IMPORTLESS_INSTANTIATION)?.length ?? 0;
  if (instantiations === 0 || importless !== instantiations) return { source, count: 0 };
  let count = 0;
  const out = source.replace(SYNC_EXPORT_TASK, (match: string, componentIdx: string, offset: number) => {
    const start = offset + match.length;
    WRAPPER_END.lastIndex = start;
    const end = WRAPPER_END.exec(source)?.index ?? source.length;
    const body = source.slice(start, end);
    // The task must not escape (passed on, or its id kept) and only get the stand-in's calls.
    if (/_wasm_call_currentTaskID|\btask\b(?!\.)/.test(body)) return match;
    for (const [, method] of body.matchAll(/\btask\.(\w+)/g)) {
      if (!SYNC_TASK_METHODS.has(method)) return match;
    }
    count++;
    return `const [task, _wasm_call_currentTaskID] = [$agentos.syncTask(${componentIdx}), 0];`;
  });
  return { source: out, count };
}
