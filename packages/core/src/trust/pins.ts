/**
 * TrustStore: decides whether a signed tool may be loaded, and with what.
 *
 * `admit` is the one door: it verifies the signature and the component hash,
 * then compares the manifest with the tool's pin — the publisher key and the
 * approved surface (description, world, schemas, capabilities) recorded for
 * that tool name. The first manifest seen for a name is pinned (trust on first
 * use) unless `firstUse: 'refuse'`. Afterwards a different key is refused
 * ('key-changed') and so is a changed description or schema, or a request for
 * capabilities beyond the approved ones ('manifest-changed': the MCP "rug
 * pull", where a tool rewrites its description after users trusted it),
 * until an operator calls `approve` with the new manifest. New versions with
 * the same key and surface pass without anyone's attention.
 *
 * A manifest only *requests* capabilities: the tool gets the requested ones
 * that the operator's policy (`grants`) allows, never more.
 * Every admission, refusal and approval goes to the audit sink.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { type AuditEvent, canonicalize } from '../audit/index.ts';
import { compileGlobs } from '../policy/index.ts';
import { decodeJson, encodeJson, type Store } from '../store/index.ts';
import type { SignedManifest, ToolManifest } from './manifest.ts';
import { verifyManifest } from './sign.ts';

/** What an operator approved for one tool name. */
export interface Pin {
  name: string;
  keyId: string;
  /** Raw Ed25519 public key, base64url. */
  publicKey: string;
  surface: Surface;
  /** The version whose manifest was approved. */
  version: string;
  approvedAt: number;
  /** 'first-use' for a TOFU pin, else the operator given to `approve`. */
  approvedBy: string;
}

/** The parts of a manifest a user trusts when they trust a tool. */
export interface Surface {
  description: string;
  world: string;
  inputSchema: unknown;
  outputSchema: unknown;
  /** Sorted. */
  capabilities: string[];
}

export type SurfaceField = keyof Surface;

/** Capability ids (or `*` patterns) policy grants, or a function deciding per capability. */
export type Grants = readonly string[] | ((capability: string, manifest: ToolManifest) => boolean);

export interface TrustStoreOptions {
  /** Where pins live (any backend of the core `Store` contract). */
  store: Store;
  /** Key prefix of the pins (default `trust/`). */
  prefix?: string;
  /** What policy grants tools; default nothing (deny by default). */
  grants?: Grants;
  /** 'pin' (default): trust a tool's first manifest; 'refuse': every tool needs `approve` first. */
  firstUse?: 'pin' | 'refuse';
  /** Receives `trust.admit`, `trust.pin`, `trust.refuse` and `trust.approve` events. */
  audit?: (event: AuditEvent) => void;
  /** Clock in ms since the epoch (default `Date.now`). */
  now?: () => number;
}

/** A tool that may be loaded, and the capabilities it may use. */
export interface AdmittedTool {
  manifest: ToolManifest;
  capabilities: { requested: string[]; granted: string[]; refused: string[] };
  /** True when this admission pinned the tool (first use). */
  pinned: boolean;
}

export class TrustStore {
  readonly #store: Store;
  readonly #prefix: string;
  readonly #grant: (capability: string, manifest: ToolManifest) => boolean;
  readonly #firstUse: 'pin' | 'refuse';
  readonly #audit: (event: AuditEvent) => void;
  readonly #now: () => number;

  constructor(options: TrustStoreOptions) {
    this.#store = options.store;
    this.#prefix = options.prefix ?? 'trust/';
    const grants = options.grants ?? [];
    if (typeof grants === 'function') this.#grant = grants;
    else {
      const matches = grants.length === 0 ? () => false : compileGlobs(grants);
      this.#grant = (capability) => matches(capability);
    }
    this.#firstUse = options.firstUse ?? 'pin';
    this.#audit = options.audit ?? (() => {});
    this.#now = options.now ?? Date.now;
  }

  /**
   * Verifies a tool and checks it against its pin (pinning it on first use).
   * @throws {AgentOsError} 'signature-invalid' / 'hash-mismatch' from verification;
   *   'key-changed' when another key is pinned for the name; 'manifest-changed' when the
   *   surface differs from the approved one (details.changed lists the fields);
   *   'not-found' for an unpinned tool under `firstUse: 'refuse'`.
   */
  async admit(signed: SignedManifest, component: Uint8Array): Promise<AdmittedTool> {
    const { manifest } = signed;
    try {
      await verifyManifest(signed, { component });
      let pinned = false;
      let pin = await this.pin(manifest.name);
      if (pin === undefined) {
        if (this.#firstUse === 'refuse') {
          throw new AgentOsError('not-found', `Tool ${manifest.name} has not been approved; an operator must approve its manifest first.`, { details: { name: manifest.name } });
        }
        ({ pin, written: pinned } = await this.#write(signed, 'first-use', null));
      }
      checkAgainstPin(manifest, pin);
      const requested = [...manifest.capabilities].sort();
      const granted = requested.filter((c) => this.#grant(c, manifest));
      const refused = requested.filter((c) => !granted.includes(c));
      this.#audit({
        kind: 'trust.admit',
        data: { name: manifest.name, version: manifest.version, keyId: manifest.publisher.keyId, sha256: manifest.component.sha256, granted, refused, pinned },
      });
      return { manifest, capabilities: { requested, granted, refused }, pinned };
    } catch (error) {
      const code = error instanceof AgentOsError ? error.code : 'internal';
      this.#audit({ kind: 'trust.refuse', data: { name: manifest.name, version: manifest.version, keyId: manifest.publisher.keyId, code } });
      throw error;
    }
  }

  /**
   * An operator's approval: pins this manifest's key and surface for its tool
   * name, replacing the previous pin. The manifest is verified first, so only a
   * correctly signed manifest can be approved.
   * @throws {AgentOsError} 'invalid-argument' for an empty `by`; 'signature-invalid' /
   *   'hash-mismatch' from verification (the component is checked when given).
   */
  async approve(signed: SignedManifest, options: { by: string; component?: Uint8Array }): Promise<Pin> {
    if (typeof options.by !== 'string' || options.by.trim() === '' || options.by === 'first-use') {
      throw new AgentOsError('invalid-argument', 'An approval names the operator who gave it (by).');
    }
    await verifyManifest(signed, { component: options.component });
    const previous = await this.pin(signed.manifest.name);
    const { pin } = await this.#write(signed, options.by, undefined);
    this.#audit({
      kind: 'trust.approve',
      data: {
        name: pin.name, version: pin.version, keyId: pin.keyId, by: pin.approvedBy,
        previousKeyId: previous?.keyId ?? null, changed: previous ? changedFields(signed.manifest, previous) : [],
      },
    });
    return pin;
  }

  /** The pin of a tool name, or undefined. */
  async pin(name: string): Promise<Pin | undefined> {
    const entry = await this.#store.get(this.#key(name));
    return entry === undefined ? undefined : decodeJson<Pin>(entry.value, this.#key(name));
  }

  /** Forgets a tool's pin (the next manifest is a first use again). True when one existed. */
  async forget(name: string): Promise<boolean> {
    const removed = await this.#store.delete(this.#key(name));
    if (removed) this.#audit({ kind: 'trust.forget', data: { name } });
    return removed;
  }

  /**
   * Writes a pin. `expected` null = only if none exists (first use); when another
   * writer got there first, that pin is returned and judged instead.
   */
  async #write(signed: SignedManifest, by: string, expected: null | undefined): Promise<{ pin: Pin; written: boolean }> {
    const { manifest } = signed;
    const pin: Pin = {
      name: manifest.name, keyId: manifest.publisher.keyId, publicKey: manifest.publisher.publicKey,
      surface: surfaceOf(manifest), version: manifest.version, approvedAt: this.#now(), approvedBy: by,
    };
    const key = this.#key(manifest.name);
    const result = await this.#store.batch([{ type: 'put', key, value: encodeJson(pin) }], {
      preconditions: expected === null ? [{ key, version: null }] : [],
    });
    if (!result.ok) {
      const winner = await this.pin(manifest.name);
      if (winner === undefined) throw new AgentOsError('internal', `The pin of ${manifest.name} changed while it was written; retry.`);
      return { pin: winner, written: false };
    }
    if (by === 'first-use') this.#audit({ kind: 'trust.pin', data: { name: pin.name, version: pin.version, keyId: pin.keyId } });
    return { pin, written: true };
  }

  #key(name: string): string {
    return `${this.#prefix}pins/${name}`;
  }
}

/** The surface of a manifest, in the form pins keep. */
export function surfaceOf(manifest: ToolManifest): Surface {
  const { description, world, inputSchema, outputSchema } = manifest;
  return { description, world, inputSchema, outputSchema, capabilities: [...manifest.capabilities].sort() };
}

/**
 * Which approved fields the manifest changes. Asking for fewer capabilities is
 * not a change that needs approval; asking for any new one is.
 */
export function changedFields(manifest: ToolManifest, pin: Pin): SurfaceField[] {
  const surface = surfaceOf(manifest);
  const changed: SurfaceField[] = [];
  for (const field of ['description', 'world', 'inputSchema', 'outputSchema'] as const) {
    if (canonicalize(surface[field]) !== canonicalize(pin.surface[field])) changed.push(field);
  }
  if (surface.capabilities.some((c) => !pin.surface.capabilities.includes(c))) changed.push('capabilities');
  return changed;
}

function checkAgainstPin(manifest: ToolManifest, pin: Pin): void {
  const who = `${manifest.name}@${manifest.version}`;
  if (manifest.publisher.keyId !== pin.keyId || manifest.publisher.publicKey !== pin.publicKey) {
    throw new AgentOsError('key-changed', `${who} is signed by key ${manifest.publisher.keyId}, but ${manifest.name} is pinned to key ${pin.keyId} (approved by ${pin.approvedBy}); an operator must approve the new key before it loads.`, {
      details: { name: manifest.name, version: manifest.version, pinnedKeyId: pin.keyId, offeredKeyId: manifest.publisher.keyId },
    });
  }
  const changed = changedFields(manifest, pin);
  if (changed.length > 0) {
    throw new AgentOsError('manifest-changed', `${who} changes its ${changed.join(', ')} from the approved ${manifest.name}@${pin.version}; an operator must approve the new manifest before it loads.`, {
      details: { name: manifest.name, version: manifest.version, approvedVersion: pin.version, changed },
    });
  }
}
