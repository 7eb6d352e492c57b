/**
 * Where durable agents live in a `Store`: each agent's record (what the
 * process manager knew of it), its journal, its approval requests, and the
 * components agents run, by SHA-256. Key layout in CONTRACTS.md
 * ("Journal / durable agents").
 *
 * Writes that cannot be awaited where they arise (an operator's pause, a
 * transition seen by a sink) are queued in order on one chain; `flush`
 * resolves once everything queued so far is durable.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { Budget, ProcessStatus, SuspendReason } from '../process/index.ts';
import { decodeJson, encodeJson, listAll, type Store } from '../store/index.ts';
import { Journal, sha256Hex } from '../journal/index.ts';

export const AGENT_FORMAT = 'agentos-agent/1';

/** A budget as JSON holds it: `null` for an unlimited dimension (JSON has no Infinity). */
export type StoredBudget = { [K in keyof Budget]: number | null };

/** The durable record of one agent: enough to rebuild its process after a restart. */
export interface AgentRecord {
  format: typeof AGENT_FORMAT;
  id: string;
  type: string;
  entry: 'run' | 'invoke';
  /** SHA-256 (hex) of the component it runs; the bytes are under `components/<hash>`. */
  componentHash: string;
  goal: string;
  tenant: string;
  priority: number;
  workspaceId: string;
  budget: StoredBudget;
  status: ProcessStatus;
  suspendReason: SuspendReason | null;
  /** How the export call ended, once it did. */
  result: { ok: boolean; value?: unknown; code?: string; error?: string } | null;
  createdAt: number;
  updatedAt: number;
}

const recordKey = (id: string) => `agents/${id}/record`;
const approvalsPrefix = (id: string) => `agents/${id}/approvals/`;
const componentKey = (hash: string) => `components/${hash}`;

export function toStoredBudget(budget: Readonly<Budget>): StoredBudget {
  const out = {} as StoredBudget;
  for (const [k, v] of Object.entries(budget) as [keyof Budget, number][]) out[k] = Number.isFinite(v) ? v : null;
  return out;
}

export function fromStoredBudget(budget: StoredBudget): Budget {
  const out = {} as Budget;
  for (const [k, v] of Object.entries(budget) as [keyof Budget, number | null][]) out[k] = v === null ? Infinity : v;
  return out;
}

export class AgentStore {
  readonly store: Store;
  #chain: Promise<void> = Promise.resolve();
  #failure: unknown;

  constructor(store: Store) {
    this.store = store;
  }

  /** Queues a write after every write queued before it. */
  enqueue(write: () => Promise<unknown>): void {
    this.#chain = this.#chain.then(write).then(() => {}, (error) => {
      this.#failure ??= error;
    });
  }

  /**
   * Resolves once every queued write is durable.
   * @throws the first error a queued write met since the last flush (the Store's errors).
   */
  async flush(): Promise<void> {
    await this.#chain;
    const failure = this.#failure;
    this.#failure = undefined;
    if (failure !== undefined) throw failure;
  }

  async putRecord(record: AgentRecord): Promise<void> {
    await this.store.put(recordKey(record.id), encodeJson(record));
  }

  async getRecord(id: string): Promise<AgentRecord | undefined> {
    const found = await this.store.get(recordKey(id));
    return found && checkRecord(decodeJson<AgentRecord>(found.value, recordKey(id)));
  }

  /** Every agent record in the store, by id. @throws AgentOsError 'invalid-argument' for a damaged record. */
  async records(): Promise<AgentRecord[]> {
    const keys = (await listAll(this.store, 'agents/')).filter((k) => k.key.endsWith('/record') && k.key.split('/').length === 3);
    const out: AgentRecord[] = [];
    for (const { key } of keys) {
      const found = await this.store.get(key);
      if (found) out.push(checkRecord(decodeJson<AgentRecord>(found.value, key)));
    }
    return out;
  }

  async putApproval(agentId: string, request: { id: string }): Promise<void> {
    await this.store.put(`${approvalsPrefix(agentId)}${request.id}`, encodeJson(request));
  }

  async approvals<T>(agentId: string): Promise<T[]> {
    const out: T[] = [];
    for (const { key } of await listAll(this.store, approvalsPrefix(agentId))) {
      const found = await this.store.get(key);
      if (found) out.push(decodeJson<T>(found.value, key));
    }
    return out;
  }

  /** Keeps a component's bytes under their SHA-256 (once); returns the hash. */
  async putComponent(bytes: Uint8Array, hash?: string): Promise<string> {
    const digest = hash ?? sha256Hex(bytes);
    if (!(await this.store.get(componentKey(digest)))) await this.store.put(componentKey(digest), bytes);
    return digest;
  }

  /** @throws AgentOsError 'not-found' when no component has this hash; 'hash-mismatch' when the stored bytes are damaged. */
  async getComponent(hash: string): Promise<Uint8Array> {
    const found = await this.store.get(componentKey(hash));
    if (!found) throw new AgentOsError('not-found', `No component with SHA-256 ${hash} is stored; register or import it first.`, { details: { hash } });
    if (sha256Hex(found.value) !== hash) throw new AgentOsError('hash-mismatch', `The stored component ${hash} does not match its hash.`, { details: { hash } });
    return found.value;
  }

  /** Keeps the agent's latest snapshot (snapshot.ts format), replacing the one before. */
  async putSnapshot(agentId: string, bytes: Uint8Array): Promise<void> {
    await this.store.put(snapshotKey(agentId), bytes);
  }

  async getSnapshot(agentId: string): Promise<Uint8Array | undefined> {
    return (await this.store.get(snapshotKey(agentId)))?.value;
  }

  /** Drops the agent's snapshot (one that no longer fits its component: replay starts from the journal's beginning). */
  async deleteSnapshot(agentId: string): Promise<void> {
    await this.store.delete(snapshotKey(agentId));
  }

  openJournal(agentId: string): Promise<Journal> {
    return Journal.open(this.store, agentId);
  }
}

export function snapshotKey(agentId: string): string {
  return `agents/${agentId}/snapshot`;
}

function checkRecord(record: AgentRecord): AgentRecord {
  if (record?.format !== AGENT_FORMAT || typeof record.id !== 'string') {
    throw new AgentOsError('invalid-argument', `Not an agent record of format ${AGENT_FORMAT}.`, { details: { format: String(record?.format) } });
  }
  return record;
}
