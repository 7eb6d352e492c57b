import { describe, expect, it } from 'vitest';
import { writeCanonical, writeNumber } from './canonical-bytes.ts';
import { canonicalize } from './canonical-json.ts';
import { generator } from './testing.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** What writeValue produces, or the code it throws. */
function written(value: unknown, room = 1 << 16): string {
  const out = new Uint8Array(room);
  try {
    return decoder.decode(out.subarray(0, writeCanonical(value, out, 0)));
  } catch (error) {
    return `error ${(error as { code?: string }).code}`;
  }
}

function expected(value: unknown): string {
  try {
    return canonicalize(value);
  } catch (error) {
    return `error ${(error as { code?: string }).code}`;
  }
}

describe('writeCanonical (canonical JSON as UTF-8 bytes)', () => {
  it('writes exactly the UTF-8 of canonicalize, and refuses the same values, on 10,000 generated values', () => {
    const value = generator(42);
    for (let i = 0; i < 10_000; i++) {
      const v = value(0);
      expect(written(v), `value #${i}`).toBe(expected(v));
    }
  });

  it('writes the RFC 8785 §3.2.2 example exactly', () => {
    const value = { numbers: [333333333.33333329, 1e30, 4.5, 2e-3, 1e-27], string: '\u20ac$\u000f\u000aA\'\u0042\u0022\u005c\\"\/', literals: [null, true, false] };
    expect(written(value)).toBe(canonicalize(value));
  });

  it('counts past the end of a buffer that is too small, so the caller can retry with enough room', () => {
    const value = { tenant: 'acme', note: 'é'.repeat(50), list: [1, 2, 3] };
    const out = new Uint8Array(16);
    const end = writeCanonical(value, out, 4);
    expect(end).toBe(4 + new TextEncoder().encode(canonicalize(value)).length);
  });

  it('writes numbers as String(n) does, at the integer fast path\'s edges and beyond it', () => {
    const samples = [0, -0, 1, 9, 10, 99, 100, 99_999_999, 100_000_000, 100_000_001, 1_717_588_800_123, -1_717_588_800_123,
      2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 2 ** 53, 1e21, 1.5, -0.1, 5e-324, 123456789.5];
    for (let i = 0; i < 2000; i++) samples.push(Math.floor(Math.random() * 10 ** (i % 16)) * (i % 3 === 0 ? -1 : 1));
    const out = new Uint8Array(64);
    for (const n of samples) expect(decoder.decode(out.subarray(0, writeNumber(n, out, 0))), String(n)).toBe(String(n));
  });
});
