/**
 * NodeHost: durable agents on one machine. It binds a `Runtime` to an
 * embedded SQLite database (SqliteStore) — agent records, journals, approval
 * requests, components, workspaces — and a disk compile cache, so any process
 * opening the same database can pick the agents up where the last one left
 * them: after a normal exit, a SIGKILL, or on another day.
 *
 * Process model. The database is the machine; the process holding its lease
 * (lease.ts) drives it: it recovers every agent from the store (`recover`:
 * replay from the journal) and runs them until nothing may run — all done, or
 * waiting for an approval, a resume or more budget — then gives the lease
 * back and exits. An operator command (`approve`, `resume`, …) from another
 * process either takes the lease and drives the agents itself, or, when a live
 * process is driving them, is queued for that process, which applies it
 * between slices.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CapabilityManager, PolicyEngine, Runtime, signerFromKeyPair, type AuditSigner, type Budget, type Implementations, type RuntimeOptions } from '../../../core/src/index.ts';
import { AgentStore, type AgentRecord } from '../../../core/src/durable/index.ts';
import { decodeJson, encodeJson, listAll, type Store } from '../../../core/src/store/index.ts';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { CachingEngine } from '../compile-cache/index.ts';
import { SqliteStore } from '../store/index.ts';
import { fetchHttp } from './http.ts';
import { Lease, type ControlCommand, type LeaseHolder } from './lease.ts';
import { StoreKv } from './store-kv.ts';
import { DEFAULT_POLICY, entitle, LOCAL_TENANT, registerCapabilities } from './world.ts';

export interface NodeHostOptions {
  /** The database file (created with its folder if missing). */
  dbPath: string;
  /** See SqliteStore: 'full' (default) survives power loss, 'normal' process crashes. */
  synchronous?: 'full' | 'normal';
  /**
   * A policy document, kept in the database for later processes; default the one kept there,
   * else DEFAULT_POLICY (everything but http.fetch).
   */
  policy?: unknown;
  /** Compile cache folder; default `compile-cache/` beside the database. */
  cacheDirectory?: string;
  /** Overrides of the host's implementations (default: fetch for http, the database for kv). */
  implementations?: Implementations;
  /** Runtime tuning passed through (scheduler, checkEvery, toolFuel, …). */
  runtime?: Pick<RuntimeOptions, 'scheduler' | 'checkEvery' | 'toolFuel' | 'maxMemoryBytes' | 'concurrency' | 'clock' | 'approvalTimeoutMs'>;
  /** Called after every slice the host runs (progress output, tests). */
  onSlice?: (report: { id: string; outcome: string; status: string }) => void;
}

export interface StartRequest {
  /** The agent's component (agent world, or a tool run as an agent). */
  component: Uint8Array;
  /** Its type name (entitlements, policy rules, status); default `agent`. */
  type?: string;
  goal: string;
  budget?: Partial<Budget>;
  priority?: number;
}

/** What an operator command did: applied here, or queued for the live process driving the agents. */
export type CommandOutcome = { applied: true } | { applied: false; queuedFor: LeaseHolder };

const SIGNER_KEY = 'host/signer';
const POLICY_KEY = 'host/policy';
const TOOLS_PREFIX = 'host/tools/';

export class NodeHost {
  readonly store: SqliteStore;
  readonly runtime: Runtime;
  readonly agents: AgentStore;
  readonly signer: AuditSigner;
  readonly #capabilities: CapabilityManager;
  readonly #lease: Lease;
  readonly #onSlice: NodeHostOptions['onSlice'];
  readonly #entitled = new Set<string>();
  /** Tools registered with the runtime, by name → SHA-256. */
  readonly #tools = new Map<string, string>();
  #recovered = false;

  private constructor(options: { store: SqliteStore; runtime: Runtime; capabilities: CapabilityManager; signer: AuditSigner; onSlice: NodeHostOptions['onSlice'] }) {
    this.store = options.store;
    this.runtime = options.runtime;
    this.agents = new AgentStore(options.store);
    this.signer = options.signer;
    this.#capabilities = options.capabilities;
    this.#lease = new Lease(options.store);
    this.#onSlice = options.onSlice;
  }

  /**
   * Opens the database and builds the runtime over it (tools stored there are loaded when the
   * host first drives or recovers agents).
   * @throws AgentOsError 'invalid-argument' for a database that cannot be opened; 'invalid-policy'
   *   for a bad policy document.
   */
  static async open(options: NodeHostOptions): Promise<NodeHost> {
    if (options.dbPath !== ':memory:') mkdirSync(dirname(options.dbPath), { recursive: true });
    const store = new SqliteStore({ path: options.dbPath, synchronous: options.synchronous });
    try {
      const cacheDirectory = options.cacheDirectory ?? join(options.dbPath === ':memory:' ? '.agentos' : dirname(options.dbPath), 'compile-cache');
      const capabilities = new CapabilityManager();
      registerCapabilities(capabilities, LOCAL_TENANT);
      const signer = await hostSigner(store);
      const auditFile = options.dbPath === ':memory:' ? undefined : `${options.dbPath}.audit.jsonl`;
      const runtime = new Runtime({
        ...options.runtime,
        engine: new CachingEngine({ directory: cacheDirectory }),
        policy: new PolicyEngine({ policy: await hostPolicy(store, options.policy) }),
        capabilities,
        // Decisions and lifecycle moves, one JSON line each (the audit trail of this host).
        audit: (event) => {
          if (auditFile) appendFileSync(auditFile, `${JSON.stringify({ at: Date.now(), pid: process.pid, ...event })}\n`);
        },
        implementations: { http: fetchHttp(), kv: new StoreKv(store), ...options.implementations },
        durable: { store, signer },
      });
      return new NodeHost({ store, runtime, capabilities, signer, onSlice: options.onSlice });
    } catch (error) {
      store.close();
      throw error;
    }
  }

  /** Public key that signs this host's exports (give it to the importing host). */
  get publicKey(): Uint8Array {
    return this.signer.publicKey;
  }

  /**
   * Registers a tool agents may call, and keeps it in the database for later processes.
   * @throws the runtime's registerTool errors.
   */
  async registerTool(name: string, bytes: Uint8Array): Promise<void> {
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (this.#tools.get(name) === hash) return;
    await this.runtime.registerTool(name, bytes);
    this.#tools.set(name, hash);
    this.#entitle(name);
    const stored = await this.store.get(`${TOOLS_PREFIX}${name}`);
    if (stored && decodeJson<{ hash: string }>(stored.value).hash === hash) return;
    await this.agents.putComponent(bytes, hash);
    await this.store.put(`${TOOLS_PREFIX}${name}`, encodeJson({ hash }));
  }

  /**
   * Starts an agent and drives the database's agents until none may run.
   * @returns the agent's id.
   * @throws AgentOsError 'illegal-state' when another live process drives this database;
   *   the runtime's spawn errors ('invalid-component', 'limit-exceeded', …).
   */
  async start(request: StartRequest): Promise<string> {
    await this.#takeLease();
    const type = request.type ?? 'agent';
    this.#entitle(type);
    const id = await this.runtime.spawn({ component: request.component, type, goal: request.goal, tenant: LOCAL_TENANT, budget: request.budget ?? {}, priority: request.priority });
    await this.drive();
    return id;
  }

  /**
   * Recovers every agent of the database (once per host) and runs them until none may run,
   * applying queued operator commands between slices; then releases the lease.
   * @returns false when another live process drives the database (nothing ran here).
   * @throws the store's errors; recovery failures of single agents are reported in their status.
   */
  async drive(): Promise<boolean> {
    if (!this.#lease.held && (await this.#acquire())) return false;
    for (;;) {
      await this.#recover();
      await this.#applyQueued();
      for (;;) {
        const report = await this.runtime.step();
        if (!report) break;
        this.#onSlice?.(report);
        await this.#applyQueued();
      }
      await this.runtime.flush();
      await this.#lease.release();
      // A command queued just before the release would otherwise wait for the next driver. Take the
      // lease back only if nobody held it since (else our in-memory agents are stale; the new holder applies it).
      if ((await Lease.pending(this.store)).length === 0 || !(await this.#lease.reacquire())) return true;
    }
  }

  /**
   * Applies an operator command: here (taking the lease, recovering the agents, and, for approve
   * and resume, driving them on), or queued for the live process that drives the database.
   * @throws the runtime's errors for the command ('not-found', 'illegal-state', 'policy-denied').
   */
  async command(command: ControlCommand): Promise<CommandOutcome> {
    const holder = await this.#acquire();
    if (holder) {
      await Lease.enqueue(this.store, command);
      // The holder may have released the lease meanwhile; then the command is ours to apply.
      const again = await this.#acquire();
      if (again) return { applied: false, queuedFor: again };
    }
    try {
      await this.#recover();
      await this.#applyQueued();
      await this.#apply(command);
      await this.runtime.flush();
    } catch (error) {
      await this.#lease.release();
      throw error;
    }
    if (command.action === 'approve' || command.action === 'resume') await this.drive();
    else await this.#lease.release();
    return { applied: true };
  }

  /** Stored records of every agent in the database (no recovery needed; safe while another process runs them). */
  async records(): Promise<AgentRecord[]> {
    return this.agents.records();
  }

  /** Pending approval requests of an agent, as stored. */
  async pendingApprovals(agentId: string): Promise<{ id: string; capability?: string; action?: string; status: string; roles?: string[] }[]> {
    const all = await this.agents.approvals<{ id: string; status: string }>(agentId);
    return all.filter((request) => request.status === 'pending');
  }

  /**
   * A signed bundle of the agent (record, journal, approvals, components).
   * @throws AgentOsError 'illegal-state' when another live process drives the database; 'not-found'.
   */
  async exportAgent(id: string): Promise<Uint8Array> {
    await this.#takeLease();
    try {
      await this.#recover();
      return await this.runtime.exportAgent(id);
    } finally {
      await this.#lease.release();
    }
  }

  /**
   * Imports a bundle signed by this host or one of `trustedKeys`, then drives the agents.
   * @throws AgentOsError 'signature-invalid', 'hash-mismatch', 'invalid-argument', 'illegal-state'.
   */
  async importAgent(bundle: Uint8Array, trustedKeys: readonly Uint8Array[] = []): Promise<string> {
    await this.#takeLease();
    await this.#recover();
    let id: string;
    try {
      id = await this.runtime.importAgent(bundle, { trustedKeys: [this.publicKey, ...trustedKeys] });
    } catch (error) {
      await this.#lease.release();
      throw error;
    }
    const record = (await this.agents.getRecord(id))!;
    this.#entitle(record.type);
    await this.drive();
    return id;
  }

  /** Releases the lease (if held) and closes the database. */
  async close(): Promise<void> {
    await this.#lease.release();
    this.store.close();
  }

  /**
   * Takes the lease (undefined) or names the live holder. A host that drove agents, released the
   * lease and finds that another process held it since has stale agents in memory: it refuses.
   * @throws AgentOsError 'illegal-state' in that case.
   */
  async #acquire(): Promise<LeaseHolder | undefined> {
    const holder = await this.#lease.acquire();
    if (!holder && this.#recovered && !this.#lease.resumedOwnRelease) {
      await this.#lease.release();
      throw new AgentOsError('illegal-state', 'Another process ran the agents of this database since this host did; open a new NodeHost to continue from the database.');
    }
    return holder;
  }

  async #takeLease(): Promise<void> {
    const holder = await this.#acquire();
    if (holder) {
      throw new AgentOsError('illegal-state', `Process ${holder.pid} on ${holder.hostname} is running the agents of this database; wait for it to finish, or queue commands (approve, pause, resume, terminate).`, { details: { ...holder } });
    }
  }

  /** Registers the database's tools and agent types, then restores its agents (once per host). */
  async #recover(): Promise<void> {
    if (this.#recovered) return;
    // Tools are loaded only here, so reading commands (status) stay cheap.
    for (const { key } of await listAll(this.store, TOOLS_PREFIX)) {
      const name = key.slice(TOOLS_PREFIX.length);
      const { hash } = decodeJson<{ hash: string }>((await this.store.get(key))!.value, key);
      if (this.#tools.get(name) !== hash) await this.registerTool(name, await this.agents.getComponent(hash));
    }
    for (const record of await this.agents.records()) this.#entitle(record.type);
    await this.runtime.recover();
    this.#recovered = true;
  }

  async #applyQueued(): Promise<void> {
    for (const { key, command } of await Lease.pending(this.store)) {
      try {
        await this.#apply(command);
      } catch {
        // A command that no longer applies (agent ended, already decided) is dropped; its issuer saw it queued.
      }
      await this.runtime.flush();
      await this.store.delete(key);
    }
  }

  async #apply(command: ControlCommand): Promise<void> {
    const { runtime } = this;
    switch (command.action) {
      case 'pause': return runtime.pause(command.agentId);
      case 'resume': return runtime.resume(command.agentId);
      case 'terminate': return runtime.terminate(command.agentId);
      case 'approve': {
        const request = runtime.approvals.get(command.requestId);
        if (request.agentId !== command.agentId) {
          throw new AgentOsError('not-found', `Approval request ${command.requestId} belongs to agent ${request.agentId}, not ${command.agentId}.`);
        }
        runtime.approve(command.requestId, { approver: command.approver, role: command.role, approved: command.approved });
      }
    }
  }

  #entitle(type: string): void {
    if (this.#entitled.has(type)) return;
    entitle(this.#capabilities, LOCAL_TENANT, type);
    this.#entitled.add(type);
  }
}

/** The policy to run under: `given` (then stored for the next processes), else the stored one, else the default. */
async function hostPolicy(store: Store, given: unknown): Promise<unknown> {
  if (given !== undefined) {
    // Validate before storing: a bad document must not replace a good one.
    new PolicyEngine({ policy: given });
    await store.put(POLICY_KEY, encodeJson(given));
    return given;
  }
  const stored = await store.get(POLICY_KEY);
  return stored ? decodeJson(stored.value, POLICY_KEY) : DEFAULT_POLICY;
}

/** The host's Ed25519 signing key, created on first use and kept in the database. */
async function hostSigner(store: Store): Promise<AuditSigner> {
  const stored = await store.get(SIGNER_KEY);
  if (stored) {
    const { privateKey, publicKey } = decodeJson<{ privateKey: JsonWebKey; publicKey: JsonWebKey }>(stored.value, SIGNER_KEY);
    return signerFromKeyPair({
      privateKey: await crypto.subtle.importKey('jwk', privateKey, 'Ed25519', true, ['sign']),
      publicKey: await crypto.subtle.importKey('jwk', publicKey, 'Ed25519', true, ['verify']),
    });
  }
  const pair = (await crypto.subtle.generateKey('Ed25519', true, ['sign', 'verify'])) as CryptoKeyPair;
  const jwk = { privateKey: await crypto.subtle.exportKey('jwk', pair.privateKey), publicKey: await crypto.subtle.exportKey('jwk', pair.publicKey) };
  const result = await store.batch([{ type: 'put', key: SIGNER_KEY, value: encodeJson(jwk) }], { preconditions: [{ key: SIGNER_KEY, version: null }] });
  // Two processes created one at once: use the one that was stored.
  return result.ok ? signerFromKeyPair(pair) : hostSigner(store);
}
