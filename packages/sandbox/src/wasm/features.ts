/**
 * WebAssembly features as bits, so the decoder can collect "what this module
 * uses" without allocating, and a table from bit to the feature's name.
 */

export const FEATURE_SIMD = 1 << 0;
export const FEATURE_RELAXED_SIMD = 1 << 1;
export const FEATURE_THREADS = 1 << 2;
export const FEATURE_BULK_MEMORY = 1 << 3;
export const FEATURE_SATURATING = 1 << 4;
export const FEATURE_SIGN_EXTENSION = 1 << 5;
export const FEATURE_REFERENCE_TYPES = 1 << 6;
export const FEATURE_MULTI_VALUE = 1 << 7;
export const FEATURE_TAIL_CALL = 1 << 8;
export const FEATURE_EXCEPTIONS = 1 << 9;
export const FEATURE_EXTENDED_CONST = 1 << 10;
export const FEATURE_MULTI_MEMORY = 1 << 11;
export const FEATURE_FUNCTION_REFERENCES = 1 << 12;

const NAMES: [number, string][] = [
  [FEATURE_SIMD, 'simd'],
  [FEATURE_RELAXED_SIMD, 'relaxed-simd'],
  [FEATURE_THREADS, 'threads'],
  [FEATURE_BULK_MEMORY, 'bulk-memory'],
  [FEATURE_SATURATING, 'saturating-float-to-int'],
  [FEATURE_SIGN_EXTENSION, 'sign-extension'],
  [FEATURE_REFERENCE_TYPES, 'reference-types'],
  [FEATURE_MULTI_VALUE, 'multi-value'],
  [FEATURE_TAIL_CALL, 'tail-call'],
  [FEATURE_EXCEPTIONS, 'exceptions'],
  [FEATURE_EXTENDED_CONST, 'extended-const'],
  [FEATURE_MULTI_MEMORY, 'multi-memory'],
  [FEATURE_FUNCTION_REFERENCES, 'function-references'],
];

/** Feature names for a bit set, in a stable order. */
export function featureNames(bits: number): string[] {
  const out: string[] = [];
  for (const [bit, name] of NAMES) if (bits & bit) out.push(name);
  return out;
}
