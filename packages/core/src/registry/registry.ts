/**
 * Registry: signed tools by name and version, kept in any `Store` backend.
 *
 * Layout under the prefix (default `registry/`):
 *   tools/<name>             JSON ToolRecord: owner key, versions with hash, time, yank state
 *   manifests/<name>/<ver>   the signed manifest file, byte for byte as `agentos sign` wrote it
 *   blobs/sha256/<hex>       component bytes, stored once per content
 * A publish writes all three in one atomic batch guarded by the record's
 * version, so concurrent publishers never lose each other's versions.
 *
 * Rules: every publish is verified (signature and component hash); a name
 * belongs to the key that first published it ('key-changed' for others);
 * versions are immutable (re-publishing identical content is a no-op). Yanking
 * hides a version from range resolution but keeps it fetchable by exact
 * version, so a lockfile naming it still reproduces (as in Cargo). `fetch`
 * re-verifies what it reads, so a tampered backend is caught on the way out.
 * Every publish, resolution, fetch and yank goes to the audit sink.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { AuditEvent } from '../audit/index.ts';
import { type BatchOp, decodeJson, encodeJson, listAll, type Store } from '../store/index.ts';
import { encodeManifestFile, parseManifestFile, type SignedManifest, verifyManifest } from '../trust/index.ts';
import { compareVersions, maxSatisfying, parseRange, parseVersion, type SemVer } from '../semver/index.ts';

/** What the registry keeps about one tool name. */
export interface ToolRecord {
  name: string;
  /** The publisher key that owns the name (the first publisher's). */
  owner: { keyId: string; publicKey: string };
  versions: Record<string, VersionRecord>;
}

export interface VersionRecord {
  sha256: string;
  size: number;
  publishedAt: number;
  yanked?: { at: number; reason: string };
}

/** One version as `list` and `resolve` report it. */
export interface VersionInfo extends VersionRecord {
  name: string;
  version: string;
}

/** A fetched tool: verified manifest and component. */
export interface FetchedTool {
  signed: SignedManifest;
  component: Uint8Array;
  info: VersionInfo;
}

export interface RegistryOptions {
  store: Store;
  /** Key prefix (default `registry/`). */
  prefix?: string;
  /** Receives `registry.publish`, `registry.resolve`, `registry.fetch` and `registry.yank` events. */
  audit?: (event: AuditEvent) => void;
  /** Clock in ms since the epoch (default `Date.now`). */
  now?: () => number;
}

const MAX_ATTEMPTS = 5;

export class Registry {
  readonly #store: Store;
  readonly #prefix: string;
  readonly #audit: (event: AuditEvent) => void;
  readonly #now: () => number;

  constructor(options: RegistryOptions) {
    this.#store = options.store;
    this.#prefix = options.prefix ?? 'registry/';
    this.#audit = options.audit ?? (() => {});
    this.#now = options.now ?? Date.now;
  }

  /**
   * Publishes a signed tool.
   * @throws {AgentOsError} 'signature-invalid' / 'hash-mismatch' when it does not verify;
   *   'invalid-argument' for a version that is not SemVer; 'key-changed' when another key owns
   *   the name; 'illegal-state' when the version exists with other content.
   */
  async publish(signed: SignedManifest, component: Uint8Array): Promise<VersionInfo> {
    const { manifest } = signed;
    try {
      await verifyManifest(signed, { component });
      const version = parseVersion(manifest.version);
      const file = new TextEncoder().encode(encodeManifestFile(signed));
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const current = await this.#record(manifest.name);
        const record: ToolRecord = current?.record ?? {
          name: manifest.name, owner: { keyId: manifest.publisher.keyId, publicKey: manifest.publisher.publicKey }, versions: {},
        };
        if (record.owner.publicKey !== manifest.publisher.publicKey) {
          throw new AgentOsError('key-changed', `${manifest.name} belongs to publisher key ${record.owner.keyId}; ${manifest.publisher.keyId} may not publish it.`, {
            details: { name: manifest.name, ownerKeyId: record.owner.keyId, offeredKeyId: manifest.publisher.keyId },
          });
        }
        const existing = record.versions[manifest.version];
        if (existing) {
          const stored = await this.#store.get(this.#manifestKey(manifest.name, manifest.version));
          if (existing.sha256 === manifest.component.sha256 && stored && sameBytes(stored.value, file)) {
            return this.#published(signed, { name: manifest.name, version: manifest.version, ...existing }, false);
          }
          throw immutable(manifest.name, manifest.version);
        }
        const clash = Object.keys(record.versions).find((v) => compareVersions(parseVersion(v), version) === 0);
        if (clash) throw immutable(manifest.name, clash);
        const entry: VersionRecord = { sha256: manifest.component.sha256, size: component.byteLength, publishedAt: this.#now() };
        const next: ToolRecord = { ...record, versions: { ...record.versions, [manifest.version]: entry } };
        const ops: BatchOp[] = [
          { type: 'put', key: this.#blobKey(entry.sha256), value: component },
          { type: 'put', key: this.#manifestKey(manifest.name, manifest.version), value: file },
          { type: 'put', key: this.#toolKey(manifest.name), value: encodeJson(next) },
        ];
        const result = await this.#store.batch(ops, { preconditions: [{ key: this.#toolKey(manifest.name), version: current?.version ?? null }] });
        if (result.ok) return this.#published(signed, { name: manifest.name, version: manifest.version, ...entry }, true);
      }
      throw new AgentOsError('timeout', `Publishing ${manifest.name}@${manifest.version} kept conflicting with other publishes; retry.`);
    } catch (error) {
      this.#audit({ kind: 'registry.publish', data: { name: manifest.name, version: manifest.version, keyId: manifest.publisher.keyId, outcome: codeOf(error) } });
      throw error;
    }
  }

  /** Every tool name with its versions (yanked ones included, marked), in name and version order. */
  async list(): Promise<{ name: string; owner: ToolRecord['owner']; versions: VersionInfo[] }[]> {
    const keys = await listAll(this.#store, `${this.#prefix}tools/`);
    const out = [];
    for (const { key } of keys) {
      const name = key.slice(`${this.#prefix}tools/`.length);
      const found = await this.#record(name);
      if (found) out.push({ name, owner: found.record.owner, versions: sortedVersions(found.record) });
    }
    return out;
  }

  /**
   * The highest version of `name` in `range` (npm syntax, default `*`), skipping yanked versions.
   * @throws {AgentOsError} 'invalid-argument' for a bad range; 'not-found' when the tool or no
   *   matching version exists (details.available lists the resolvable versions).
   */
  async resolve(name: string, range = '*'): Promise<VersionInfo> {
    try {
      checkName(name);
      const parsed = parseRange(range);
      const found = await this.#record(name);
      if (!found) throw new AgentOsError('not-found', `No tool named ${name} in the registry.`, { details: { name } });
      const candidates = sortedVersions(found.record).filter((v) => !v.yanked);
      const parsedVersions = candidates.map((info) => Object.assign(parseVersion(info.version), { info }));
      const best = maxSatisfying(parsedVersions, parsed);
      if (!best) {
        throw new AgentOsError('not-found', `No version of ${name} matches ${range} (yanked versions are skipped); available: ${candidates.map((c) => c.version).join(', ') || 'none'}.`, {
          details: { name, range, available: candidates.map((c) => c.version) },
        });
      }
      this.#audit({ kind: 'registry.resolve', data: { name, range, version: best.info.version, sha256: best.info.sha256, outcome: 'resolved' } });
      return best.info;
    } catch (error) {
      this.#audit({ kind: 'registry.resolve', data: { name, range, version: null, outcome: codeOf(error) } });
      throw error;
    }
  }

  /**
   * One exact version (yanked or not), verified again as it is read.
   * @throws {AgentOsError} 'not-found' when it does not exist; 'signature-invalid' /
   *   'hash-mismatch' when the stored manifest or component was altered.
   */
  async fetch(name: string, version: string): Promise<FetchedTool> {
    try {
      checkName(name);
      parseVersion(version);
      const found = await this.#record(name);
      const entry = found?.record.versions[version];
      if (!found || !entry) throw new AgentOsError('not-found', `No ${name}@${version} in the registry.`, { details: { name, version } });
      const file = await this.#store.get(this.#manifestKey(name, version));
      const blob = await this.#store.get(this.#blobKey(entry.sha256));
      if (!file || !blob) throw new AgentOsError('not-found', `The registry lost the files of ${name}@${version}.`, { details: { name, version } });
      const signed = parseManifestFile(file.value);
      if (signed.manifest.name !== name || signed.manifest.version !== version || signed.manifest.component.sha256 !== entry.sha256 ||
        signed.manifest.publisher.publicKey !== found.record.owner.publicKey) {
        throw new AgentOsError('signature-invalid', `The stored manifest of ${name}@${version} is not the one that was published.`, { details: { name, version, reason: 'record' } });
      }
      await verifyManifest(signed, { component: blob.value });
      this.#audit({ kind: 'registry.fetch', data: { name, version, sha256: entry.sha256, yanked: entry.yanked !== undefined, outcome: 'fetched' } });
      return { signed, component: blob.value, info: { name, version, ...entry } };
    } catch (error) {
      this.#audit({ kind: 'registry.fetch', data: { name, version, outcome: codeOf(error) } });
      throw error;
    }
  }

  /**
   * Yanks a version (or restores it with `yanked: false`). Idempotent.
   * @throws {AgentOsError} 'not-found' when the version does not exist.
   */
  async yank(name: string, version: string, options: { reason?: string; yanked?: boolean } = {}): Promise<VersionInfo> {
    checkName(name);
    const yanked = options.yanked ?? true;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const found = await this.#record(name);
      const entry = found?.record.versions[version];
      if (!found || !entry) throw new AgentOsError('not-found', `No ${name}@${version} in the registry.`, { details: { name, version } });
      const { yanked: _previous, ...rest } = entry;
      const next: VersionRecord = yanked ? { ...rest, yanked: entry.yanked ?? { at: this.#now(), reason: options.reason ?? '' } } : rest;
      const record: ToolRecord = { ...found.record, versions: { ...found.record.versions, [version]: next } };
      const result = await this.#store.batch([{ type: 'put', key: this.#toolKey(name), value: encodeJson(record) }], {
        preconditions: [{ key: this.#toolKey(name), version: found.version }],
      });
      if (result.ok) {
        this.#audit({ kind: 'registry.yank', data: { name, version, yanked, reason: next.yanked?.reason ?? null } });
        return { name, version, ...next };
      }
    }
    throw new AgentOsError('timeout', `Yanking ${name}@${version} kept conflicting with other writes; retry.`);
  }

  #published(signed: SignedManifest, info: VersionInfo, written: boolean): VersionInfo {
    this.#audit({
      kind: 'registry.publish',
      data: { name: info.name, version: info.version, keyId: signed.manifest.publisher.keyId, sha256: info.sha256, outcome: written ? 'published' : 'unchanged' },
    });
    return info;
  }

  async #record(name: string): Promise<{ record: ToolRecord; version: number } | undefined> {
    const entry = await this.#store.get(this.#toolKey(name));
    return entry === undefined ? undefined : { record: decodeJson<ToolRecord>(entry.value, this.#toolKey(name)), version: entry.version };
  }

  #toolKey(name: string): string {
    return `${this.#prefix}tools/${name}`;
  }

  #manifestKey(name: string, version: string): string {
    return `${this.#prefix}manifests/${name}/${version}`;
  }

  #blobKey(sha256: string): string {
    return `${this.#prefix}blobs/sha256/${sha256}`;
  }
}

function sortedVersions(record: ToolRecord): VersionInfo[] {
  const parsed: [SemVer, VersionInfo][] = Object.entries(record.versions).map(([version, entry]) => [parseVersion(version), { name: record.name, version, ...entry }]);
  return parsed.sort((a, b) => compareVersions(a[0], b[0])).map(([, info]) => info);
}

/** @throws {AgentOsError} 'invalid-argument' unless `name` is a kebab-case tool name. */
function checkName(name: string): void {
  if (typeof name !== 'string' || !/^[a-z][a-z0-9-]{0,63}$/.test(name)) {
    throw new AgentOsError('invalid-argument', `'${String(name).slice(0, 80)}' is not a tool name (kebab-case, like word-count).`, { details: { name: String(name).slice(0, 80) } });
  }
}

function immutable(name: string, version: string): AgentOsError {
  return new AgentOsError('illegal-state', `${name}@${version} is already published with other content; versions are immutable, publish a new version.`, {
    details: { name, version },
  });
}

function codeOf(error: unknown): string {
  return error instanceof AgentOsError ? error.code : 'internal';
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
