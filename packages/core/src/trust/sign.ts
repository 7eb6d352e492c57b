/**
 * Signing and verifying tool manifests. A verified manifest proves three
 * things: the publisher key in it signed exactly these fields, that key's id
 * is the one the manifest names, and (given the component) the component is
 * byte for byte the one that was signed. Whether that publisher is the right
 * one for the tool is the pin store's question (pins.ts), not this one's.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { type AuditSigner, keyIdOf } from '../audit/index.ts';
import { sha256Hex } from '../store/index.ts';
import { fromBase64Url, toBase64Url } from './encoding.ts';
import { type ManifestFields, MANIFEST_FORMAT, manifestFieldsSchema, type SignedManifest, signingPayload, type ToolManifest } from './manifest.ts';

export interface SignManifestOptions {
  /** What the publisher declares (validated again here). */
  fields: ManifestFields;
  /** The component bytes the manifest vouches for. */
  component: Uint8Array;
  signer: AuditSigner;
}

/**
 * Signs a manifest for `component` with the publisher's key.
 * @throws {AgentOsError} 'invalid-argument' when the fields are not a valid manifest.
 */
export async function signManifest(options: SignManifestOptions): Promise<SignedManifest> {
  const fields = manifestFieldsSchema.safeParse(options.fields);
  if (!fields.success) {
    throw new AgentOsError('invalid-argument', `Invalid manifest fields: ${fields.error.issues.map((i) => `/${i.path.join('/')} ${i.message}`).join('; ')}.`);
  }
  const manifest: ToolManifest = {
    ...fields.data,
    component: { sha256: await sha256Hex(options.component), size: options.component.byteLength },
    publisher: { keyId: options.signer.keyId, publicKey: toBase64Url(options.signer.publicKey) },
  };
  const signature = await options.signer.sign(signingPayload(manifest));
  return { format: MANIFEST_FORMAT, manifest, signature: toBase64Url(signature) };
}

export interface VerifyManifestOptions {
  /** The component bytes; when given, their size and SHA-256 must match the manifest. */
  component?: Uint8Array;
  /** The raw public key the caller expects the publisher to hold (e.g. `agentos verify --key`). */
  publicKey?: Uint8Array;
}

/** A manifest whose signature (and, when checked, component hash) holds. */
export interface VerifiedManifest {
  manifest: ToolManifest;
  /** Whether the component bytes were checked against the manifest. */
  componentChecked: boolean;
}

/**
 * Checks a signed manifest's signature, and the component's hash when given.
 * @throws {AgentOsError} 'signature-invalid' when the publisher key or signature is malformed,
 *   the key id does not belong to the key, the key is not `options.publicKey`, or the
 *   signature does not verify (details.reason says which); 'hash-mismatch' when the
 *   component's size or SHA-256 differs from the manifest's.
 */
export async function verifyManifest(signed: SignedManifest, options: VerifyManifestOptions = {}): Promise<VerifiedManifest> {
  const { manifest } = signed;
  const who = `${manifest.name}@${manifest.version}`;
  const refuse = (reason: string, message: string): AgentOsError =>
    new AgentOsError('signature-invalid', `The manifest of ${who} ${message}; do not load it.`, {
      details: { name: manifest.name, version: manifest.version, keyId: manifest.publisher.keyId, reason },
    });
  const publicKey = fromBase64Url(manifest.publisher.publicKey, 32);
  if (!publicKey) throw refuse('malformed-key', 'names a malformed publisher key');
  if (keyIdOf(publicKey) !== manifest.publisher.keyId) throw refuse('key-id', 'names a key id that is not its public key\'s');
  if (options.publicKey && !sameBytes(options.publicKey, publicKey)) {
    throw refuse('unexpected-key', `is signed by key ${manifest.publisher.keyId}, not by the expected key ${keyIdOf(options.publicKey)}`);
  }
  const signature = fromBase64Url(signed.signature, 64);
  if (!signature) throw refuse('malformed-signature', 'carries a malformed signature');
  let valid = false;
  try {
    const key = await crypto.subtle.importKey('raw', publicKey as Uint8Array<ArrayBuffer>, 'Ed25519', false, ['verify']);
    valid = await crypto.subtle.verify('Ed25519', key, signature as Uint8Array<ArrayBuffer>, signingPayload(manifest) as Uint8Array<ArrayBuffer>);
  } catch {
    valid = false; // a key WebCrypto refuses (e.g. a small-order point) verifies nothing
  }
  if (!valid) throw refuse('bad-signature', `does not match its signature from key ${manifest.publisher.keyId}`);
  if (options.component) await checkComponent(manifest, options.component);
  return { manifest, componentChecked: options.component !== undefined };
}

/**
 * Checks that `component` is the one `manifest` vouches for.
 * @throws {AgentOsError} 'hash-mismatch' otherwise.
 */
export async function checkComponent(manifest: ToolManifest, component: Uint8Array): Promise<void> {
  const sha256 = await sha256Hex(component);
  if (component.byteLength !== manifest.component.size || sha256 !== manifest.component.sha256) {
    throw new AgentOsError('hash-mismatch', `The component is not the one the manifest of ${manifest.name}@${manifest.version} was signed for (SHA-256 ${sha256.slice(0, 16)}…, expected ${manifest.component.sha256.slice(0, 16)}…); do not load it.`, {
      details: { name: manifest.name, version: manifest.version, expected: manifest.component.sha256, actual: sha256, size: component.byteLength },
    });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
