/**
 * The spellings of a secret a leak may take. Besides the raw value: JSON
 * string escaping, URL encoding (component, form, every byte, either hex
 * case), hex of the UTF-8 bytes, and base64/base64url — for base64 at all
 * three byte alignments, keeping only the characters that depend on the
 * secret alone, so `Basic base64(user:secret)` and a secret inside a larger
 * encoded blob are found too.
 */

const encoder = new TextEncoder();

/** Below this many characters a value cannot be redacted without hitting ordinary text. */
export const MIN_SECRET_LENGTH = 8;

function binary(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

/** Base64 characters determined only by `bytes` when they start at byte offset `shift` (0–2) of a larger input. */
function base64Core(bytes: Uint8Array, shift: number): string {
  const padded = new Uint8Array(shift + bytes.length);
  padded.set(bytes, shift);
  const encoded = btoa(binary(padded));
  const from = Math.ceil((8 * shift) / 6);
  const to = Math.floor((8 * (shift + bytes.length)) / 6);
  return encoded.slice(from, to);
}

/** Every spelling of `value` to search for, longest first, without duplicates. */
export function secretVariants(value: string): string[] {
  const bytes = encoder.encode(value);
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  const percentAll = Array.from(bytes, (b) => `%${b.toString(16).padStart(2, '0').toUpperCase()}`).join('');
  const component = encodeURIComponent(value);
  const lowerEscapes = (text: string) => text.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
  const variants = [
    value,
    JSON.stringify(value).slice(1, -1),
    component,
    lowerEscapes(component),
    component.replace(/%20/g, '+'),
    percentAll,
    percentAll.toLowerCase(),
    hex,
    hex.toUpperCase(),
  ];
  for (let shift = 0; shift < 3; shift++) {
    const core = base64Core(bytes, shift);
    variants.push(core, core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...new Set(variants)].filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
}
