/**
 * A verified source transformation of jco's glue that hardens the guest
 * boundary. The glue lifts guest values with a non-fatal `TextDecoder`
 * (invalid UTF-8 silently becomes U+FFFD), allocates host arrays whose length
 * the guest chooses, and copies lists with `ArrayBuffer.slice`, which silently
 * clamps an out-of-bounds pointer to a shorter list. Each rule below swaps such
 * a construct for a call to a hook in `$agentos` (see hooks.ts).
 *
 * The transformation can never silently not apply: every rule states how often
 * its pattern must match, and afterwards the source must not contain any of
 * the unhardened constructs. A jco release that spells the glue differently
 * makes `hardenGlue` throw instead of producing unhardened glue.
 *
 * Strings are lifted with `decoder.decodeAt(buffer, ptr, length, ViewType)`
 * instead of `decoder.decode(new ViewType(buffer, ptr, length))`: the glue's
 * view constructor would otherwise see a guest-chosen length first, and a
 * length past the end of memory would come out as a bare RangeError instead of
 * 'limit-exceeded' (over the cap) or an out-of-bounds trap.
 *
 * Two rules are about speed and host hygiene rather than checks: jco 1.35's
 * `_debugLog` reads `globalThis.process.env.JCO_DEBUG` ~10 times per call (23 %
 * of a scalar call's CPU) and, with that variable set, prints guest values on
 * the host console; and `_utf16AllocateAndEncode` counts code points with
 * `[...str].length` on every string it lowers (30 % of a string call), a
 * figure nothing reads. Both are held to the same discipline. A third writes
 * a lowered UTF-16 string with native copies instead of jco's per code unit
 * loop (~4 µs per KiB on Node 24; see `lowerUtf16` in strings.ts).
 *
 * Sync export calls skip jco's task bookkeeping while nothing can observe it:
 * always for components whose core instances import nothing from the glue,
 * and for the others until the guest calls a JS import, which creates jco's
 * real task on the spot (lean-tasks.ts, lazy-task.ts). Two more rewrites drop per-instance
 * allocations nothing needs (lighten.ts). Last, jco's runtime definitions are hoisted out of `instantiate()` so
 * instances share them (hoist.ts), and the scan runs on that output.
 */
import { AgentOsError } from '../errors/index.ts';
import { hoistGlue, type HoistReport } from './hoist.ts';
import { leanSyncTasks } from './lean-tasks.ts';
import { lightenGlue } from './lighten.ts';

interface Rule {
  name: string;
  pattern: RegExp;
  replace: string;
  /** Inclusive bounds on the number of matches. */
  min: number;
  max: number;
  /** A construct whose presence would make the rewrite wrong (checked before it applies). */
  unless?: { what: string; pattern: RegExp };
}

const RULES: Rule[] = [
  {
    name: 'hooks parameter of instantiate()',
    pattern: /export function instantiate\(getCoreModule, imports, instantiateCore = WebAssembly\.instantiate\) \{/g,
    replace: 'export function instantiate(getCoreModule, imports, instantiateCore = WebAssembly.instantiate, $agentos) {',
    min: 1,
    max: 1,
  },
  {
    name: 'fatal UTF-8 decoder',
    pattern: /const TEXT_DECODER_UTF8 = new TextDecoder\(\);/g,
    replace: 'const TEXT_DECODER_UTF8 = $agentos.utf8Decoder;',
    min: 0,
    max: 1,
  },
  {
    name: 'silent debug log',
    pattern: /const _debugLog = \(\.\.\.args\) => \{\s*if \(!globalThis\?\.process\?\.env\?\.JCO_DEBUG\) \{ return; \}\s*console\.debug\(\.\.\.args\);\s*\};/g,
    replace: 'const _debugLog = () => {};',
    min: 0,
    max: 1,
  },
  {
    name: 'no code point count of a lowered UTF-16 string',
    pattern: /return \{ ptr, len, codepoints: \[\.\.\.str\]\.length \};/g,
    replace: 'return { ptr, len, codepoints: -1 };',
    min: 0,
    max: 1,
    unless: { what: 'a read of the code point count', pattern: /\.codepoints\b|\{[^{}]*\bcodepoints\b[^{}]*\}\s*=/ },
  },
  {
    name: 'native widening of an ASCII string lowered as UTF-16',
    pattern: /while \(i < len\) \{ out\[i\] = str\.charCodeAt\(i\+\+\); \}/g,
    replace: 'i = $agentos.encodeUtf16(str, out);',
    min: 0,
    max: 1,
  },
  {
    name: 'fatal UTF-16 decoder',
    pattern: /const utf16Decoder = new TextDecoder\('utf-16'\);/g,
    replace: 'const utf16Decoder = $agentos.utf16Decoder;',
    min: 0,
    max: 1,
  },
  {
    name: 'fatal UTF-8 decoder of a string transcoding trampoline',
    pattern: /const decoder = new TextDecoder\(\);/g,
    replace: 'const decoder = $agentos.utf8Decoder;',
    min: 0,
    max: Infinity,
  },
  {
    name: 'string lifted through a capped, bounds-checked view',
    pattern: /(TEXT_DECODER_UTF8|utf16Decoder|decoder)\.decode\(new (Uint8Array|Uint16Array|DataView)\(([\w.]+)\.buffer, (\w+), (\w+)\)\)/g,
    replace: '$1.decodeAt($3.buffer, $4, $5, $2)',
    min: 0,
    max: Infinity,
  },
  {
    name: 'list length cap before a lifting loop',
    pattern: /for \((let|var) i = 0; i < (len\d*); i\+\+\) \{/g,
    replace: 'for ($1 i = $agentos.checkListLength($2); i < $2; i++) {',
    min: 0,
    max: Infinity,
  },
  {
    name: 'bounds-checked copy of a typed list',
    pattern: /(\w+)\.buffer\.slice\((\w+), \2 \+ (\w+) \* (\d+)\)/g,
    replace: '$agentos.copyList($1.buffer, $2, $3, $4)',
    min: 0,
    max: Infinity,
  },
  {
    name: 'promising exports that track where the guest may suspend',
    pattern: /WebAssembly\.promising\(/g,
    replace: '$agentos.promising(',
    min: 0,
    max: Infinity,
  },
  {
    name: 'suspending imports that track where the guest may suspend',
    pattern: /new WebAssembly\.Suspending\(/g,
    replace: '$agentos.suspending(',
    min: 0,
    max: Infinity,
  },
];

/** Report key of lean-tasks.ts's rewrite. */
const LEAN_TASKS = 'sync export calls without task bookkeeping (nothing can observe it)';

/** Constructs that must not survive hardening, whatever jco version produced the glue. */
const FORBIDDEN: { what: string; pattern: RegExp }[] = [
  { what: 'a TextDecoder we did not make fatal', pattern: /new TextDecoder\(/ },
  { what: 'an unchecked ArrayBuffer.slice over guest memory', pattern: /\.buffer\.slice\(/ },
  { what: 'a lifting loop without a length cap', pattern: /for \((let|var) i = 0; i < len\d*;/ },
  { what: 'an untracked WebAssembly.promising', pattern: /WebAssembly\.promising\(/ },
  { what: 'an untracked WebAssembly.Suspending', pattern: /WebAssembly\.Suspending\(/ },
  { what: 'a string decoded from a view the size cap never saw', pattern: /\.decode\(new (Uint8Array|Uint16Array|DataView)\(/ },
  { what: 'a debug switch read from the host environment', pattern: /JCO_DEBUG/ },
  { what: 'a code point count by spreading a guest-bound string', pattern: /\[\.\.\.str\]\.length/ },
];

export interface HardenReport {
  /** Matches per rule name. */
  applied: Record<string, number>;
  /** What moved out of `instantiate()` (see hoist.ts). */
  hoist: HoistReport;
}

/**
 * Rewrites jco glue source so every value crossing the guest boundary goes through our checks.
 * @throws AgentOsError('internal') when the glue does not have the shape this version expects
 *   (a rule matched too often or too rarely, or an unhardened construct is left).
 */
export function hardenGlue(source: string): { source: string; report: HardenReport } {
  const applied: Record<string, number> = {};
  let out = source;
  for (const rule of RULES) {
    rule.pattern.lastIndex = 0;
    if (rule.unless && rule.pattern.test(out) && rule.unless.pattern.test(out)) {
      throw new AgentOsError('internal', `Boundary hardening does not fit this jco glue: rule '${rule.name}' cannot apply because the glue contains ${rule.unless.what}. Update boundary/harden.ts for this jco version.`, {
        details: { rule: rule.name },
      });
    }
    let count = 0;
    out = out.replace(rule.pattern, (...match) => {
      count++;
      return rule.replace.replace(/\$(\d)/g, (_, n: string) => String(match[Number(n)]));
    });
    if (count < rule.min || count > rule.max) {
      throw new AgentOsError('internal', `Boundary hardening does not fit this jco glue: rule '${rule.name}' matched ${count} times (expected ${rule.min}..${rule.max}). Update boundary/harden.ts for this jco version.`, {
        details: { rule: rule.name, count },
      });
    }
    applied[rule.name] = count;
  }
  const lean = leanSyncTasks(out);
  out = lean.source;
  applied[LEAN_TASKS] = lean.count;
  const light = lightenGlue(out);
  out = light.source;
  Object.assign(applied, light.report.applied);
  // Hoisting runs on the hardened source, and the scan below sees its output.
  const hoisted = hoistGlue(out);
  out = hoisted.source;
  for (const { what, pattern } of FORBIDDEN) {
    const left = pattern.exec(out);
    if (left) {
      throw new AgentOsError('internal', `Boundary hardening left ${what} in the jco glue (near '${out.slice(left.index, left.index + 80)}'). Update boundary/harden.ts for this jco version.`, {
        details: { what },
      });
    }
  }
  return { source: out, report: { applied, hoist: hoisted.report } };
}
