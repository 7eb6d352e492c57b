/**
 * Byte encodings for signed documents, decoded strictly: only the one
 * canonical text of each byte string is accepted. A lenient base64 decoder
 * ignores the unused low bits of the last character, so two different texts
 * would carry the same signature or key, and an edited manifest could still
 * verify; here every altered character is a refusal.
 */

/** Unpadded base64url (RFC 4648 §5). */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes canonical unpadded base64url of exactly `length` bytes; undefined for anything else. */
export function fromBase64Url(text: string, length: number): Uint8Array | undefined {
  if (typeof text !== 'string' || text.length !== Math.ceil((length * 4) / 3) || !/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  let binary: string;
  try {
    binary = atob(text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '='));
  } catch {
    return undefined;
  }
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  // Re-encoding catches non-zero unused bits in the last character.
  return bytes.length === length && toBase64Url(bytes) === text ? bytes : undefined;
}

/** Lower-case hex (the audit log's encoder). */
export { toHex } from '../audit/index.ts';
