/**
 * Publisher keys: Ed25519 key pairs that sign tool manifests, kept in a key
 * file (`agentos keygen -o key.json`), format `agentos-key/1`:
 *
 *   {
 *     "format": "agentos-key/1",
 *     "kid": "<16 hex: first 8 bytes of SHA-256(raw public key)>",
 *     "publicKey":  { "kty": "OKP", "crv": "Ed25519", "x": "<base64url>", "kid": "…" },
 *     "privateKey": { "kty": "OKP", "crv": "Ed25519", "x": "<base64url>", "d": "<base64url>", "kid": "…" }
 *   }
 *
 * Both halves are standard JWKs (RFC 8037), so other tools can import them;
 * the kid is the same key id the audit log uses. The file holds a secret:
 * keep it out of the repository (the CLI writes it with mode 0600). Publish
 * only `publicKey` (or the kid and `x`), e.g. for `agentos verify --key`.
 */
import { z } from 'zod';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { type AuditSigner, keyIdOf, parsePublicKey } from '../audit/index.ts';
import { fromBase64Url, toBase64Url } from './encoding.ts';

export const KEY_FORMAT = 'agentos-key/1';

const b64 = z.string().regex(/^[A-Za-z0-9_-]{43}$/, '32 bytes of base64url');
const kid = z.string().regex(/^[0-9a-f]{16}$/, '16 lower-case hex digits');
const publicJwk = z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: b64, kid: kid.optional() });

export const keyFileSchema = z.strictObject({
  format: z.literal(KEY_FORMAT),
  kid,
  publicKey: publicJwk,
  privateKey: publicJwk.extend({ d: b64 }),
});

export type KeyFile = z.output<typeof keyFileSchema>;

/** Generates a fresh publisher key pair as a key file. */
export async function generateKeyFile(): Promise<KeyFile> {
  const pair = (await crypto.subtle.generateKey('Ed25519', true, ['sign', 'verify'])) as CryptoKeyPair;
  const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
  const raw = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const id = keyIdOf(raw);
  return {
    format: KEY_FORMAT,
    kid: id,
    publicKey: { kty: 'OKP', crv: 'Ed25519', x: toBase64Url(raw), kid: id },
    privateKey: { kty: 'OKP', crv: 'Ed25519', x: toBase64Url(raw), d: jwk.d as string, kid: id },
  };
}

/**
 * Parses and checks a key file: both halves name the same public key and the
 * kid is that key's id.
 * @throws {AgentOsError} 'invalid-argument' when it is not an `agentos-key/1` file or is inconsistent.
 */
export function parseKeyFile(text: string): KeyFile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new AgentOsError('invalid-argument', 'The key file is not JSON; create one with `agentos keygen -o key.json`.', { cause });
  }
  const result = keyFileSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `/${i.path.join('/')} ${i.message}`);
    throw new AgentOsError('invalid-argument', `Not an ${KEY_FORMAT} key file: ${issues.join('; ')}.`, { details: { issues } });
  }
  const file = result.data;
  const raw = fromBase64Url(file.publicKey.x, 32);
  if (!raw || file.privateKey.x !== file.publicKey.x || keyIdOf(raw) !== file.kid || fromBase64Url(file.privateKey.d, 32) === undefined) {
    throw new AgentOsError('invalid-argument', 'The key file is inconsistent: its kid, public key and private key do not belong together.', { details: { kid: file.kid } });
  }
  return file;
}

/**
 * A signer for the key file's private key.
 * @throws {AgentOsError} 'invalid-argument' when WebCrypto refuses the key, or the
 *   private key does not match the public key (checked by a test signature).
 */
export async function signerFromKeyFile(file: KeyFile): Promise<AuditSigner> {
  const publicKey = fromBase64Url(file.publicKey.x, 32)!;
  let privateKey: CryptoKey;
  let verifyKey: CryptoKey;
  try {
    privateKey = await crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: file.privateKey.x, d: file.privateKey.d }, 'Ed25519', false, ['sign']);
    verifyKey = await crypto.subtle.importKey('raw', publicKey as Uint8Array<ArrayBuffer>, 'Ed25519', false, ['verify']);
  } catch (cause) {
    throw new AgentOsError('invalid-argument', 'The key file does not hold a usable Ed25519 key.', { cause, details: { kid: file.kid } });
  }
  const probe = new TextEncoder().encode('agentos-key-check');
  const signature = await crypto.subtle.sign('Ed25519', privateKey, probe);
  if (!(await crypto.subtle.verify('Ed25519', verifyKey, signature, probe))) {
    throw new AgentOsError('invalid-argument', 'The key file is inconsistent: its private key does not match its public key.', { details: { kid: file.kid } });
  }
  return {
    keyId: file.kid,
    publicKey,
    async sign(message) {
      return new Uint8Array(await crypto.subtle.sign('Ed25519', privateKey, message as Uint8Array<ArrayBuffer>));
    },
  };
}

/**
 * Reads a publisher's public key given as a key file (only its public half is
 * used), an Ed25519 JWK, or the raw 32 bytes in base64url, base64 or hex.
 * @throws {AgentOsError} 'invalid-argument' when the text is none of these.
 */
export function readPublicKey(text: string): Uint8Array {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const value = JSON.parse(trimmed) as { format?: unknown; publicKey?: unknown };
      if (value.format === KEY_FORMAT) return fromBase64Url(parseKeyFile(trimmed).publicKey.x, 32)!;
    } catch (cause) {
      if (cause instanceof AgentOsError) throw cause;
    }
  }
  return parsePublicKey(trimmed);
}
