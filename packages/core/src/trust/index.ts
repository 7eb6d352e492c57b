/**
 * Trust: signed tool manifests and the decision to load a tool.
 *
 * A publisher signs a manifest (name, version, description, world, JSON
 * Schemas, requested capabilities, the component's SHA-256, its key) with an
 * Ed25519 key from a key file (keys.ts documents the format). Loading goes
 * through `TrustStore.admit`: signature and hash verified, the publisher key
 * and the tool's surface pinned on first use and refused when they change
 * until an operator approves, capabilities capped by policy. The registry
 * (registry/) stores and resolves signed tools; the CLI (`agentos keygen`,
 * `sign`, `verify`, `publish`) drives both.
 */
export { fromBase64Url, toBase64Url } from './encoding.ts';
export { generateKeyFile, KEY_FORMAT, type KeyFile, keyFileSchema, parseKeyFile, readPublicKey, signerFromKeyFile } from './keys.ts';
export {
  encodeManifestFile, MANIFEST_FORMAT, type ManifestFields, manifestFieldsSchema, manifestSchema, MAX_MANIFEST_BYTES,
  parseManifestFields, parseManifestFile, parsePartialManifestFields, parseManifestValue, type SignedManifest, signedManifestSchema, signingPayload, type ToolManifest,
} from './manifest.ts';
export { checkComponent, signManifest, type SignManifestOptions, verifyManifest, type VerifiedManifest, type VerifyManifestOptions } from './sign.ts';
export { type AdmittedTool, changedFields, type Grants, type Pin, type Surface, type SurfaceField, surfaceOf, TrustStore, type TrustStoreOptions } from './pins.ts';
export { describeTool, type DescribeToolOptions, WIT_VERSION } from './describe.ts';
