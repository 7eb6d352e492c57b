/**
 * Content addresses for build outputs: a SHA-256 over every input that can
 * change the output, so a cache entry is reused exactly when nothing changed.
 */
import { sha256Hex } from '../engine/hash.ts';

/** One input of a content key: its role (for framing) and its content. */
export interface KeyPart {
  /** What the part is (`source`, `wit:log.wit`, `componentize-qjs`), so moving bytes between parts changes the key. */
  label: string;
  content: string | Uint8Array;
}

/**
 * Hashes `parts` into a lowercase hex SHA-256. Each part is framed by its
 * label and length, so no two different part lists share a key by concatenation.
 * Uses WebCrypto, available on every host we run on.
 */
export async function contentKey(parts: readonly KeyPart[]): Promise<string> {
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (const part of parts) {
    const content = typeof part.content === 'string' ? encoder.encode(part.content) : part.content;
    chunks.push(encoder.encode(`${part.label}\0${content.length}\0`), content);
  }
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const joined = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    joined.set(chunk, at);
    at += chunk.length;
  }
  return sha256Hex(joined);
}
