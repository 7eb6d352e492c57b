/**
 * The core concepts this suite attacks, imported folder by folder (each
 * through its index.ts) so the suite depends on trust, registry, store and
 * audit only.
 */
export { type AuditEvent } from '../../packages/core/src/audit/index.ts';
export { MemoryStore } from '../../packages/core/src/store/index.ts';
export { Registry } from '../../packages/core/src/registry/index.ts';
export {
  encodeManifestFile, generateKeyFile, type KeyFile, type ManifestFields, parseManifestFile, type SignedManifest, signerFromKeyFile,
  signManifest, toBase64Url, TrustStore, verifyManifest,
} from '../../packages/core/src/trust/index.ts';
