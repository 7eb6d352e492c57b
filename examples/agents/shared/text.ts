/**
 * Helpers shared by the example agents (bundled into each): QuickJS has no
 * TextEncoder/TextDecoder, and errors from imports arrive as WIT variants.
 */

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array {
  const bytes: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0) as number;
    if (code < 0x80) bytes.push(code);
    else if (code < 0x800) bytes.push(0xc0 | (code >> 6), 0x80 | (code & 63));
    else if (code < 0x10000) bytes.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
    else bytes.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 63), 0x80 | ((code >> 6) & 63), 0x80 | (code & 63));
  }
  return new Uint8Array(bytes);
}

/** `tag: message` (nested variants as `tag(inner)`) for an error an import threw. */
export function describeError(error: unknown): string {
  // componentize-qjs throws an Error whose `payload` is the WIT error value.
  if (error instanceof Error && 'payload' in error) return describeError((error as { payload: unknown }).payload);
  if (typeof error === 'object' && error !== null && 'tag' in error) {
    const { tag, val } = error as { tag: string; val?: unknown };
    if (typeof val === 'object' && val !== null && 'tag' in val) return `${tag}(${describeError(val)})`;
    return val === undefined ? tag : `${tag}: ${String(val)}`;
  }
  return String(error);
}
