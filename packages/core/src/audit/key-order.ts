/**
 * Key order for canonical JSON (RFC 8785 §3.2.3), cached per object shape.
 *
 * Objects of one shape (the same keys in the same insertion order) are
 * written in the same key order with the same quoted keys, and audit data
 * comes in a few shapes over and over: so the sorted order and the ready-made
 * `{"key":` / `,"key":` prefixes (as text and as UTF-8) are cached per shape.
 * Lookup compares the keys one by one (property names are interned strings,
 * so each comparison is usually a pointer check); the cache is bounded and
 * simply dropped when full, so objects used as maps with ever-new keys cannot
 * grow it without limit.
 */

export interface Shape {
  keys: string[];
  /** order[i] = index in `keys` of the i-th key in canonical order. */
  order: number[];
  /** prefixes[i] = `{"key":` for i = 0, `,"key":` after, for the i-th key in canonical order. */
  prefixes: string[];
  /** `prefixes` as UTF-8. */
  prefixBytes: Uint8Array[];
}

/** Objects with more keys than this are not cached (they are rare, and sorting dominates anyway). */
export const MAX_SHAPE_KEYS = 32;
const MAX_SHAPES = 1024;
/** Shapes by their first key (then searched by the rest). */
const shapes = new Map<string, Shape[]>();
let shapeCount = 0;
const encoder = new TextEncoder();

const EMPTY_SHAPE: Shape = { keys: [], order: [], prefixes: [], prefixBytes: [] };

/**
 * The cached shape of an object with these own enumerable keys (from
 * `Object.keys`, at most MAX_SHAPE_KEYS of them), made on first sight.
 * @throws whatever `quote` throws for a key (a lone surrogate); nothing is cached then.
 */
export function shapeOf(keys: string[], quote: (text: string) => string): Shape {
  if (keys.length === 0) return EMPTY_SHAPE;
  const candidates = shapes.get(keys[0]);
  if (candidates !== undefined) {
    search: for (let c = 0; c < candidates.length; c++) {
      const known = candidates[c].keys;
      if (known.length !== keys.length) continue;
      for (let i = 1; i < keys.length; i++) if (known[i] !== keys[i]) continue search;
      return candidates[c];
    }
  }
  const sorted = sortKeys(keys.slice());
  const prefixes = sorted.map((key, i) => (i === 0 ? '{' : ',') + quote(key) + ':');
  // indexOf is fine: keys are unique, and this runs once per shape.
  const shape: Shape = {
    keys: keys.slice(),
    order: sorted.map((key) => keys.indexOf(key)),
    prefixes,
    prefixBytes: prefixes.map((prefix) => encoder.encode(prefix)),
  };
  if (shapeCount >= MAX_SHAPES) {
    shapes.clear();
    shapeCount = 0;
  }
  const list = shapes.get(keys[0]);
  if (list !== undefined) list.push(shape);
  else shapes.set(keys[0], [shape]);
  shapeCount++;
  return shape;
}

/**
 * Sorts by UTF-16 code units (RFC 8785 §3.2.3), which is what `<` on strings
 * compares. Insertion sort: objects in audit entries have a handful of keys,
 * where it beats `Array.prototype.sort` several times over.
 */
export function sortKeys(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > key) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = key;
  }
  return keys;
}
