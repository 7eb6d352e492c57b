/**
 * Workspaces: each agent's private corner of the store, plus the shared
 * blackboards, all charged to quotas.
 *
 * `Workspaces` is the host-side owner of one store. It hands each agent a
 * `Workspace` bound to its id — the agent names paths, never keys, so it has
 * no way to spell another agent's key — and creates blackboards that agents
 * reach only through views their grants allow.
 */
import { type Clock, realClock } from '../clock/index.ts';
import { Artifacts } from './artifacts.ts';
import { Blackboard } from './blackboard.ts';
import { Namespace, type PathBatchResult, type PathListOptions, type PathOp, type PathPage, type PathPrecondition } from './namespace.ts';
import { agentRoot, boardRoot, checkOwnerName } from './paths.ts';
import { checkQuotaShape, type Quota, QuotaLedger, type Usage } from './quota.ts';
import type { Store, StoreEntry } from './store.ts';

export interface WorkspacesOptions {
  store: Store;
  /** Per-agent quota (files and artifacts together), one for all or chosen per agent. Default: unlimited. */
  quota?: Quota | ((agent: string) => Quota | undefined);
  /** Stamps artifacts. Default: the real clock. */
  clock?: Clock;
}

/** One agent's private files and artifacts. */
export class Workspace {
  readonly agent: string;
  /** Named, content-addressed blobs of this agent. */
  readonly artifacts: Artifacts;
  readonly #files: Namespace;
  readonly #ledger: QuotaLedger;
  readonly #quota: () => Quota | undefined;

  constructor(options: { agent: string; store: Store; ledger: QuotaLedger; quota: () => Quota | undefined; clock: Clock }) {
    this.agent = options.agent;
    this.#ledger = options.ledger;
    this.#quota = options.quota;
    const accountRoot = agentRoot(options.agent);
    const base = { store: options.store, ledger: options.ledger, accountRoot, owner: `Agent "${options.agent}"`, quota: options.quota };
    this.#files = new Namespace({ ...base, root: `${accountRoot}files/` });
    this.artifacts = new Artifacts({ space: new Namespace({ ...base, root: `${accountRoot}artifacts/` }), clock: options.clock });
  }

  /** The bytes at `path`, or undefined. @throws AgentOsError 'invalid-argument' for a malformed path. */
  get(path: string): Promise<Uint8Array | undefined> {
    return this.#files.get(path);
  }

  /** Bytes and version (for compare-and-set) at `path`. @throws AgentOsError 'invalid-argument'. */
  entry(path: string): Promise<StoreEntry | undefined> {
    return this.#files.entry(path);
  }

  /** Writes `value`; returns the new version. @throws AgentOsError 'invalid-argument' | 'quota-exceeded' (nothing written). */
  put(path: string, value: Uint8Array): Promise<number> {
    return this.#files.put(path, value);
  }

  /** Removes `path`; true when it existed. @throws AgentOsError 'invalid-argument'. */
  delete(path: string): Promise<boolean> {
    return this.#files.delete(path);
  }

  /** Paths under `prefix` in order, a page at a time. @throws AgentOsError 'invalid-argument'. */
  list(options?: PathListOptions): Promise<PathPage> {
    return this.#files.list(options);
  }

  /**
   * All-or-nothing puts and deletes, guarded by optional compare-and-set preconditions.
   * @throws AgentOsError 'invalid-argument' | 'quota-exceeded', with nothing written.
   */
  batch(ops: readonly PathOp[], options?: { preconditions?: readonly PathPrecondition[] }): Promise<PathBatchResult> {
    return this.#files.batch(ops, options);
  }

  /** Bytes and keys held (files and artifacts), and the quota they count against. */
  async usage(): Promise<Usage & { quota: Quota | undefined }> {
    return { ...(await this.#ledger.usage(agentRoot(this.agent))), quota: this.#quota() };
  }
}

export class Workspaces {
  readonly #store: Store;
  readonly #ledger: QuotaLedger;
  readonly #quotaFor: (agent: string) => Quota | undefined;
  readonly #clock: Clock;
  readonly #workspaces = new Map<string, Workspace>();
  readonly #boards = new Map<string, Blackboard>();

  /** @throws AgentOsError 'invalid-argument' for a malformed fixed quota. */
  constructor(options: WorkspacesOptions) {
    this.#store = options.store;
    this.#ledger = new QuotaLedger(options.store);
    this.#clock = options.clock ?? realClock;
    const quota = options.quota;
    if (quota !== undefined && typeof quota !== 'function') checkQuotaShape(quota);
    this.#quotaFor = typeof quota === 'function'
      ? (agent) => {
        const chosen = quota(agent);
        if (chosen !== undefined) checkQuotaShape(chosen);
        return chosen;
      }
      : () => quota;
  }

  /** The workspace of `agent` (the same object on every call). @throws AgentOsError 'invalid-argument' for a malformed id. */
  for(agent: string): Workspace {
    let workspace = this.#workspaces.get(agent);
    if (workspace === undefined) {
      checkOwnerName('agent id', agent);
      workspace = new Workspace({ agent, store: this.#store, ledger: this.#ledger, quota: () => this.#quotaFor(agent), clock: this.#clock });
      this.#workspaces.set(agent, workspace);
    }
    return workspace;
  }

  /**
   * The blackboard called `name`, created on first use with `quota` (later calls return it unchanged).
   * @throws AgentOsError 'invalid-argument' for a malformed name or quota.
   */
  blackboard(name: string, options: { quota?: Quota } = {}): Blackboard {
    let board = this.#boards.get(name);
    if (board === undefined) {
      checkOwnerName('board name', name);
      if (options.quota) checkQuotaShape(options.quota);
      const quota = options.quota;
      const root = boardRoot(name);
      board = new Blackboard({ name, space: new Namespace({ store: this.#store, ledger: this.#ledger, accountRoot: root, root, owner: `Blackboard "${name}"`, quota: () => quota }) });
      this.#boards.set(name, board);
    }
    return board;
  }
}
