/**
 * Test support for the audit folder (not a test, and not part of the public
 * surface): a seeded generator of awkward JSON-ish values for the canonical
 * JSON writers' differential tests.
 */

/** A seeded generator of awkward JSON-ish values: escapes, non-ASCII, surrogates, undefined members, toJSON, shapes seen twice. */
export function generator(seed: number): (depth: number) => unknown {
  let state = seed;
  const next = (n: number) => {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    return state % n;
  };
  const chars = ['a', 'Z', '0', ' ', '"', '\\', '\n', '\u0001', '\u007f', 'é', '\u0800', '€', '\ufb33', '\ud83d\ude00', '\ud800', '\udc00', '/'];
  const text = () => Array.from({ length: next(6) }, () => chars[next(chars.length)]).join('');
  const numbers = [0, -0, 1, -1.5, 1e21, 1e-7, 333333333.33333329, 2 ** 53, 5e-324, NaN, Infinity, 1_717_588_800_000];
  const value = (depth: number): unknown => {
    switch (next(depth > 3 ? 5 : 9)) {
      case 0: return text();
      case 1: return numbers[next(numbers.length)];
      case 2: return next(2) === 0;
      case 3: return null;
      case 4: return next(4) === 0 ? undefined : next(1000);
      case 5: return Array.from({ length: next(4) }, () => value(depth + 1));
      case 6: {
        if (next(3) === 0) return new Date(next(1e12));
        const inner = value(depth + 1);
        return { toJSON: () => inner };
      }
      default: {
        const object: Record<string, unknown> = {};
        const keys = ['b', 'a', 'tenant', 'ruleId', text(), '1', '10', 'é'];
        for (let i = next(6); i > 0; i--) object[keys[next(keys.length)]] = value(depth + 1);
        return object;
      }
    }
  };
  return value;
}
