/**
 * Ed25519 checkpoint signing through WebCrypto.
 *
 * A signer is an interface rather than a key so that a host can keep the
 * private key elsewhere (a KMS, a Durable Object, a separate worker); the log
 * only needs `sign`. Key ids are derived from the public key, so a verifier
 * given a trusted key can tell at once whether a checkpoint claims to be from it.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { fromBase64Url, toBase64Url } from './format.ts';
import { sha256, toHex } from './sha256.ts';

export interface AuditSigner {
  /** First 16 hex digits of SHA-256(raw public key). */
  readonly keyId: string;
  /** Raw 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/** The key id of a raw Ed25519 public key. */
export function keyIdOf(publicKey: Uint8Array): string {
  return toHex(sha256(publicKey)).slice(0, 16);
}

/** Makes a signer from a WebCrypto Ed25519 key pair (e.g. one imported from a stored JWK). */
export async function signerFromKeyPair(pair: CryptoKeyPair): Promise<AuditSigner> {
  const publicKey = new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey));
  const privateKey = pair.privateKey;
  return {
    keyId: keyIdOf(publicKey),
    publicKey,
    async sign(message) {
      return new Uint8Array(await crypto.subtle.sign('Ed25519', privateKey, message as Uint8Array<ArrayBuffer>));
    },
  };
}

/**
 * Generates a fresh Ed25519 key pair and its signer. The private key is
 * extractable so the caller can store it (`crypto.subtle.exportKey('jwk', …)`).
 */
export async function generateAuditSigner(): Promise<{ signer: AuditSigner; keyPair: CryptoKeyPair }> {
  const keyPair = (await crypto.subtle.generateKey('Ed25519', true, ['sign', 'verify'])) as CryptoKeyPair;
  return { signer: await signerFromKeyPair(keyPair), keyPair };
}

/**
 * Parses a public key given as text: base64url/base64 or hex of the raw 32
 * bytes, or an Ed25519 JWK (`{"kty":"OKP","crv":"Ed25519","x":…}`).
 * @throws {AgentOsError} 'invalid-argument' when the text is none of these.
 */
export function parsePublicKey(text: string): Uint8Array {
  const trimmed = text.trim();
  let bytes: Uint8Array | undefined;
  try {
    if (trimmed.startsWith('{')) {
      const jwk = JSON.parse(trimmed) as { kty?: string; crv?: string; x?: string };
      if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.x === 'string') bytes = fromBase64Url(jwk.x);
    } else if (/^[0-9a-fA-F]{64}$/.test(trimmed)) {
      bytes = Uint8Array.from(trimmed.match(/../g)!, (h) => parseInt(h, 16));
    } else {
      bytes = fromBase64Url(trimmed);
    }
  } catch {
    bytes = undefined;
  }
  if (!bytes || bytes.length !== 32) {
    throw new AgentOsError(
      'invalid-argument',
      'The public key must be a raw 32-byte Ed25519 key in base64url, base64 or hex, or an Ed25519 JWK.',
    );
  }
  return bytes;
}

/** Encodes a raw public key the way the log header and CLI print it. */
export function formatPublicKey(publicKey: Uint8Array): string {
  return toBase64Url(publicKey);
}

/** Verifies one Ed25519 signature; false (never throws) on any malformed input. */
export async function verifySignature(key: CryptoKey, signature: Uint8Array, message: Uint8Array): Promise<boolean> {
  if (signature.length !== 64) return false;
  try {
    return await crypto.subtle.verify('Ed25519', key, signature as Uint8Array<ArrayBuffer>, message as Uint8Array<ArrayBuffer>);
  } catch {
    return false;
  }
}

/** Imports a raw public key for verification. */
export async function importPublicKey(publicKey: Uint8Array): Promise<CryptoKey> {
  try {
    return await crypto.subtle.importKey('raw', publicKey as Uint8Array<ArrayBuffer>, 'Ed25519', false, ['verify']);
  } catch (cause) {
    throw new AgentOsError('invalid-argument', 'The public key is not a valid Ed25519 key.', { cause });
  }
}
