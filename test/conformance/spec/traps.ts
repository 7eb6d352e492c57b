/**
 * Trap classes: which V8 trap messages stand for which trap text of the suite.
 *
 * The suite names a trap by the reference interpreter's text ("out of bounds
 * memory access"); V8 words them its own way and, for a few, folds two spec
 * classes into one message (a null entry and a signature mismatch in
 * `call_indirect` are both "null function or function signature mismatch").
 * The plain world must trap with a message of the expected class; the metered
 * world must then trap with the very same message as the plain world.
 */

const V8_MESSAGES: [specText: string, v8: RegExp][] = [
  ['out of bounds memory access', /^(memory access out of bounds|data segment \d+ is out of bounds\b.*)$/],
  ['out of bounds table access', /^(table index is out of bounds|element segment out of bounds)$/],
  ['undefined element', /^table index is out of bounds$/],
  ['uninitialized element', /^null function or function signature mismatch$/],
  ['indirect call type mismatch', /^null function or function signature mismatch$/],
  ['integer divide by zero', /^(divide|remainder) by zero$/],
  ['integer overflow', /^(divide result unrepresentable|float unrepresentable in integer range)$/],
  ['invalid conversion to integer', /^float unrepresentable in integer range$/],
  ['unreachable', /^unreachable$/],
  ['unaligned atomic', /^operation does not support unaligned accesses$/],
];

/**
 * True when V8's trap `message` belongs to the class the suite names by `specText`.
 * Texts may carry a suffix ("uninitialized element 2"); unknown texts never match,
 * so a new trap kind shows up as a failure until it is added above.
 */
export function trapMatches(specText: string, message: string): boolean {
  const v8 = message.replace(/^WebAssembly\.\w+\(\): /, '');
  return V8_MESSAGES.some(([text, pattern]) => (specText === text || specText.startsWith(`${text} `)) && pattern.test(v8));
}
