/**
 * Artifacts: named blobs an agent produces (reports, images, datasets), each
 * with a content type and a SHA-256 digest (WebCrypto) computed on write and
 * checked on every read, so a corrupted or swapped blob is caught, not served.
 *
 * An artifact is two keys written in one atomic batch — its metadata (JSON)
 * and its bytes — inside the agent's namespace, counted against its quota.
 * `toA2A` turns one into an A2A Artifact with an inline file part.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { toHex } from '../audit/index.ts';
import type { Artifact as A2AArtifact } from '../bus/index.ts';
import type { Clock } from '../clock/index.ts';
import { decodeJson, encodeJson } from './json.ts';
import type { Namespace, PathOp } from './namespace.ts';
import { checkPath } from './paths.ts';

export interface ArtifactInfo {
  name: string;
  contentType: string;
  size: number;
  /** Lowercase hex SHA-256 of the bytes. */
  sha256: string;
  /** Milliseconds since the epoch, from the workspace clock. */
  createdAt: number;
}

// type/subtype with optional parameters, e.g. "text/markdown; charset=utf-8".
const CONTENT_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}(\s*;\s*[a-z0-9!#$&^_.+-]+=("[^"\r\n]*"|[^\s;"]+))*$/i;

/** SHA-256 of `data` as lowercase hex, via WebCrypto. */
export async function sha256Hex(data: Uint8Array): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>)));
}

function base64(data: Uint8Array): string {
  let binary = '';
  // Chunks keep String.fromCharCode's argument list bounded.
  for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
  return btoa(binary);
}

const meta = (name: string): string => `meta/${name}`;
const dataPath = (name: string): string => `data/${name}`;

export class Artifacts {
  /** Holds `meta/<name>` (JSON record) and `data/<name>` (bytes). */
  readonly #space: Namespace;
  readonly #clock: Clock;

  constructor(options: { space: Namespace; clock: Clock }) {
    this.#space = options.space;
    this.#clock = options.clock;
  }

  /**
   * Stores (or replaces) an artifact and returns its record.
   * @throws AgentOsError 'invalid-argument' for a bad name, content type or data; 'quota-exceeded' with nothing written.
   */
  async put(options: { name: string; contentType: string; data: Uint8Array }): Promise<ArtifactInfo> {
    const { name, contentType, data } = options;
    if (typeof contentType !== 'string' || !CONTENT_TYPE.test(contentType)) {
      throw new AgentOsError('invalid-argument', `Invalid content type ${JSON.stringify(contentType)}: use a media type such as "text/plain".`, { details: { contentType: String(contentType) } });
    }
    if (!(data instanceof Uint8Array)) throw new AgentOsError('invalid-argument', `The data of artifact "${name}" must be a Uint8Array.`);
    checkPath(name); // before hashing, so a bad name costs nothing
    const info: ArtifactInfo = { name, contentType, size: data.byteLength, sha256: await sha256Hex(data), createdAt: this.#clock.now() };
    // Both halves in one atomic batch: a reader never sees metadata without its bytes.
    await this.#write([{ type: 'put', path: meta(name), value: encodeJson(info) }, { type: 'put', path: dataPath(name), value: data }]);
    return info;
  }

  /** The artifact's record, or undefined. @throws AgentOsError 'invalid-argument' for a bad name. */
  async info(name: string): Promise<ArtifactInfo | undefined> {
    checkPath(name);
    const bytes = await this.#space.get(meta(name));
    return bytes === undefined ? undefined : decodeJson<ArtifactInfo>(bytes, name);
  }

  /**
   * The artifact and its bytes, checked against the recorded digest; undefined when absent.
   * @throws AgentOsError 'internal' when the bytes no longer match the digest.
   */
  async get(name: string): Promise<{ info: ArtifactInfo; data: Uint8Array } | undefined> {
    const info = await this.info(name);
    if (info === undefined) return undefined;
    const data = await this.#space.get(dataPath(name));
    const actual = data === undefined ? null : await sha256Hex(data);
    if (data === undefined || actual !== info.sha256) {
      throw new AgentOsError('internal', `Artifact "${name}" is corrupted: its bytes do not match the recorded SHA-256.`, { details: { name, expected: info.sha256, actual } });
    }
    return { info, data };
  }

  /** Every artifact's record, in name order. */
  async list(): Promise<ArtifactInfo[]> {
    const infos: ArtifactInfo[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#space.list({ prefix: 'meta/', cursor });
      for (const entry of page.entries) {
        const bytes = await this.#space.get(entry.path);
        if (bytes) infos.push(decodeJson<ArtifactInfo>(bytes, entry.path));
      }
      cursor = page.cursor;
    } while (cursor !== undefined);
    return infos;
  }

  /** Removes an artifact; true when it existed. */
  async delete(name: string): Promise<boolean> {
    checkPath(name);
    if ((await this.#space.entry(meta(name))) === undefined) return false;
    await this.#write([{ type: 'delete', path: meta(name) }, { type: 'delete', path: dataPath(name) }]);
    return true;
  }

  /**
   * The artifact as an A2A Artifact (one inline file part, digest in metadata); undefined when absent.
   * @throws AgentOsError 'internal' when the bytes no longer match the digest.
   */
  async toA2A(name: string): Promise<A2AArtifact | undefined> {
    const found = await this.get(name);
    if (found === undefined) return undefined;
    const { info, data } = found;
    return {
      artifactId: `sha256:${info.sha256}`,
      name: info.name,
      parts: [{ kind: 'file', file: { name: info.name, mimeType: info.contentType, bytes: base64(data) } }],
      metadata: { sha256: info.sha256, size: info.size, createdAt: info.createdAt },
    };
  }

  async #write(ops: PathOp[]): Promise<void> {
    const result = await this.#space.batch(ops);
    if (!result.ok) throw new AgentOsError('internal', 'An artifact write kept conflicting with writes from outside the ledger.');
  }
}
