/**
 * Blackboards: shared key spaces where agents post and read each other's
 * work. Nobody has access by default; the host grants read and/or write per
 * agent, and an agent only ever holds a view that checks its grant on every
 * call, so a revoke takes effect at once. A blackboard has its own quota.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { Namespace, PathBatchResult, PathListOptions, PathOp, PathPage, PathPrecondition } from './namespace.ts';
import { checkOwnerName } from './paths.ts';
import type { StoreEntry } from './store.ts';

export interface BoardAccess {
  read?: boolean;
  write?: boolean;
}

/** What one agent can do on one blackboard; every call checks the agent's current grant. */
export interface BlackboardView {
  readonly board: string;
  readonly agent: string;
  /** @throws AgentOsError 'capability-denied' without a read grant. */
  get(path: string): Promise<Uint8Array | undefined>;
  /** @throws AgentOsError 'capability-denied' without a read grant. */
  entry(path: string): Promise<StoreEntry | undefined>;
  /** @throws AgentOsError 'capability-denied' without a read grant. */
  list(options?: PathListOptions): Promise<PathPage>;
  /** @throws AgentOsError 'capability-denied' without a write grant; 'quota-exceeded' when the board is full. */
  put(path: string, value: Uint8Array): Promise<number>;
  /** @throws AgentOsError 'capability-denied' without a write grant. */
  delete(path: string): Promise<boolean>;
  /** Preconditions read the board, so a batch needs both grants when it has any. @throws as `put`. */
  batch(ops: readonly PathOp[], options?: { preconditions?: readonly PathPrecondition[] }): Promise<PathBatchResult>;
}

export class Blackboard {
  readonly name: string;
  readonly #space: Namespace;
  readonly #grants = new Map<string, Required<BoardAccess>>();

  constructor(options: { name: string; space: Namespace }) {
    this.name = options.name;
    this.#space = options.space;
  }

  /** Sets `agent`'s access (replacing any earlier grant). @throws AgentOsError 'invalid-argument' for a malformed id. */
  grant(agent: string, access: BoardAccess): void {
    checkOwnerName('agent id', agent);
    this.#grants.set(agent, { read: access.read ?? false, write: access.write ?? false });
  }

  /** Takes all access away from `agent`, effective on its next call. */
  revoke(agent: string): void {
    this.#grants.delete(agent);
  }

  /** The agent's current access. */
  access(agent: string): Required<BoardAccess> {
    return this.#grants.get(agent) ?? { read: false, write: false };
  }

  /** A view for `agent`; holding it grants nothing by itself. @throws AgentOsError 'invalid-argument' for a malformed id. */
  view(agent: string): BlackboardView {
    checkOwnerName('agent id', agent);
    const space = this.#space;
    const need = (what: 'read' | 'write'): void => {
      if (this.access(agent)[what]) return;
      throw new AgentOsError('capability-denied', `Agent "${agent}" has no ${what} grant on blackboard "${this.name}"; the host must grant it.`, {
        details: { agent, board: this.name, access: what },
      });
    };
    return {
      board: this.name,
      agent,
      get: async (path) => (need('read'), space.get(path)),
      entry: async (path) => (need('read'), space.entry(path)),
      list: async (options) => (need('read'), space.list(options)),
      put: async (path, value) => (need('write'), space.put(path, value)),
      delete: async (path) => (need('write'), space.delete(path)),
      batch: async (ops, options) => {
        need('write');
        if (options?.preconditions?.length) need('read');
        return space.batch(ops, options);
      },
    };
  }
}
