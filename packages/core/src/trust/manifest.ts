/**
 * The tool manifest: what a publisher vouches for about one tool version —
 * name, version, description, world, input/output JSON Schemas, the
 * capabilities it asks for, the SHA-256 of its component, and the publisher's
 * key — and the signed file that carries it (`agentos-tool-manifest/1`):
 *
 *   { "format": "agentos-tool-manifest/1", "manifest": {…}, "signature": "<base64url Ed25519>" }
 *
 * The signature covers `"agentos-tool-manifest/1\n" || JCS(manifest)` (RFC 8785),
 * so it does not depend on how the file is laid out. The file itself must be
 * in its one canonical layout (keys sorted, two-space indent, final newline):
 * a signed file is never edited by hand, and refusing any other layout means
 * that every altered byte is caught, not only those that change a value.
 */
import { z } from 'zod';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { canonicalize } from '../audit/index.ts';
import { tryParseVersion } from '../semver/index.ts';

export const MANIFEST_FORMAT = 'agentos-tool-manifest/1';
const SIGNING_CONTEXT = `${MANIFEST_FORMAT}\n`;
/** Larger manifest files are refused before parsing. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

const jsonSchema = z.union([z.boolean(), z.record(z.string(), z.json())], { error: 'a JSON Schema is an object or a boolean' });

/** The fields a publisher describes; the signer adds `component` and `publisher`. */
export const manifestFieldsSchema = z.strictObject({
  /** Tool name, kebab-case (`word-count`): the identity keys are pinned to. */
  name: z.string().max(64).regex(/^[a-z][a-z0-9-]*$/, 'kebab-case: lower-case letters, digits and -'),
  version: z.string().max(256).refine((v) => tryParseVersion(v) !== undefined, 'a semantic version such as 1.2.3'),
  /** What a model reads to decide when to call the tool. */
  description: z.string().min(1).max(16 * 1024),
  /** The WIT world it implements, e.g. `agentos:runtime/tool@0.1.0`. */
  world: z.string().min(1).max(256),
  inputSchema: jsonSchema,
  outputSchema: jsonSchema,
  /** Capability ids it asks for (`kv.get`, `http.fetch`); policy decides what it gets. */
  capabilities: z.array(z.string().max(256).regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, 'letters, digits and . _ : / @ - only'))
    .max(256)
    .refine((ids) => new Set(ids).size === ids.length, 'capabilities must not repeat'),
});

export const manifestSchema = manifestFieldsSchema.extend({
  component: z.strictObject({
    /** Lower-case hex SHA-256 of the component bytes. */
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'lower-case hex SHA-256'),
    size: z.int().nonnegative(),
  }),
  publisher: z.strictObject({
    /** First 16 hex digits of SHA-256(raw public key), as in the audit log. */
    keyId: z.string().regex(/^[0-9a-f]{16}$/, '16 lower-case hex digits'),
    /** Raw 32-byte Ed25519 public key, unpadded base64url. */
    publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'a base64url Ed25519 public key'),
  }),
});

export const signedManifestSchema = z.strictObject({
  format: z.literal(MANIFEST_FORMAT),
  manifest: manifestSchema,
  /** Unpadded base64url Ed25519 signature of {@link signingPayload}. */
  signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'a base64url Ed25519 signature'),
});

export type ManifestFields = z.output<typeof manifestFieldsSchema>;
export type ToolManifest = z.output<typeof manifestSchema>;
export type SignedManifest = z.output<typeof signedManifestSchema>;

/** The exact bytes a manifest signature covers. */
export function signingPayload(manifest: ToolManifest): Uint8Array {
  return new TextEncoder().encode(SIGNING_CONTEXT + canonicalize(manifest));
}

/** The canonical file text of a signed manifest. */
export function encodeManifestFile(signed: SignedManifest): string {
  return `${JSON.stringify(JSON.parse(canonicalize(signed)), null, 2)}\n`;
}

/**
 * Parses a signed manifest file. Does not check the signature (see `verifyManifest`).
 * @throws {AgentOsError} 'invalid-argument' when it is larger than 1 MiB, not UTF-8 JSON,
 *   or not a manifest (details.issues lists what is wrong); 'signature-invalid' when it is
 *   a manifest but not in its canonical layout, i.e. it was edited after signing.
 */
export function parseManifestFile(file: Uint8Array | string): SignedManifest {
  const size = typeof file === 'string' ? file.length : file.byteLength;
  if (size > MAX_MANIFEST_BYTES) {
    throw new AgentOsError('invalid-argument', `A tool manifest is at most ${MAX_MANIFEST_BYTES} bytes; this one has ${size}.`, { details: { size } });
  }
  let value: unknown;
  let text: string;
  try {
    text = typeof file === 'string' ? file : new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(file);
    value = JSON.parse(text);
  } catch (cause) {
    throw new AgentOsError('invalid-argument', 'The tool manifest is not UTF-8 JSON; re-create it with `agentos sign`.', { cause });
  }
  const signed = parseManifestValue(value);
  if (encodeManifestFile(signed) !== text) {
    throw new AgentOsError('signature-invalid', `The manifest of ${signed.manifest.name}@${signed.manifest.version} was edited after signing (it is not in the layout \`agentos sign\` writes); re-sign it.`, {
      details: { name: signed.manifest.name, version: signed.manifest.version, reason: 'layout' },
    });
  }
  return signed;
}

/**
 * Validates an already parsed signed manifest (e.g. from a registry record).
 * @throws {AgentOsError} 'invalid-argument' with details.issues.
 */
export function parseManifestValue(value: unknown): SignedManifest {
  return parseOrThrow(signedManifestSchema, value, 'tool manifest');
}

/**
 * Validates the publisher's fields (a `--manifest` file for `agentos sign`).
 * @throws {AgentOsError} 'invalid-argument' with details.issues.
 */
export function parseManifestFields(value: unknown): ManifestFields {
  return parseOrThrow(manifestFieldsSchema, value, 'manifest fields');
}

/**
 * Validates some of the publisher's fields (a `--manifest` file that leaves the rest to `describe()`).
 * A signed manifest file is accepted too: its fields are taken (to re-sign a tool).
 * @throws {AgentOsError} 'invalid-argument' with details.issues.
 */
export function parsePartialManifestFields(value: unknown): Partial<ManifestFields> {
  if (typeof value === 'object' && value !== null && (value as { format?: unknown }).format === MANIFEST_FORMAT) {
    const { component: _c, publisher: _p, ...fields } = parseManifestValue(value).manifest;
    return fields;
  }
  return parseOrThrow(manifestFieldsSchema.partial(), value, 'manifest fields');
}

function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 20).map((i) => ({ path: i.path.map((p) => `/${String(p)}`).join(''), message: i.message }));
  throw new AgentOsError('invalid-argument', `Invalid ${what}: ${issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}.`, {
    details: { issues },
  });
}
