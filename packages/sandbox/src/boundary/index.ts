/**
 * Guest-boundary hardening: everything that crosses from a guest into the host
 * is checked here — strings are decoded fatally and capped, lists are capped and
 * bounds-checked — by rewriting jco's glue once at load time (harden.ts) to call
 * the hooks an instance runs with (hooks.ts).
 */
export { hardenGlue, type HardenReport } from './harden.ts';
export {
  createBoundaryHooks,
  DEFAULT_MAX_LIST_LENGTH,
  DEFAULT_MAX_STRING_BYTES,
  type BoundaryHooks,
  type GuestDecoder,
  type BoundaryHooksOptions,
  type BoundaryLimits,
} from './hooks.ts';
export { parseJsonSafely } from './json.ts';
