/**
 * Quotas: how many bytes and keys an owner (an agent's whole namespace, or a
 * blackboard) may hold, enforced before anything is written.
 *
 * The ledger keeps each owner's key sizes and versions (loaded once by listing
 * the namespace) and serializes the owner's writes, so a write's quota check
 * and the write itself cannot interleave with another write of the same owner.
 * Each write carries compare-and-set guards on the versions it counted with; if
 * something else changed the namespace (another process on a shared backend),
 * the guard fails, the ledger reloads and checks again.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { type BatchOp, type BatchResult, listAll, type Precondition, type Store } from './store.ts';

export interface Quota {
  /** Most value bytes the owner may hold (keys are not counted). */
  maxBytes: number;
  /** Most keys the owner may hold. */
  maxKeys: number;
}

export interface Usage {
  bytes: number;
  keys: number;
}

interface Account extends Usage {
  entries: Map<string, { size: number; version: number }>;
  /** Tail of the owner's write queue. */
  tail: Promise<unknown>;
}

export class QuotaLedger {
  readonly #store: Store;
  readonly #accounts = new Map<string, Promise<Account>>();

  constructor(store: Store) {
    this.#store = store;
  }

  /** Current usage of the namespace under `root`. */
  async usage(root: string): Promise<Usage> {
    const account = await this.#account(root);
    return { bytes: account.bytes, keys: account.keys };
  }

  /**
   * Writes `ops` (keys under `root`) atomically if `preconditions` hold and the result fits `quota`.
   * @throws AgentOsError 'quota-exceeded' before writing anything when the batch would pass the quota.
   */
  async write(options: { root: string; owner: string; quota: Quota | undefined; ops: readonly BatchOp[]; preconditions?: readonly Precondition[] }): Promise<BatchResult> {
    const account = await this.#account(options.root);
    const run = account.tail.then(() => this.#write(account, options));
    account.tail = run.catch(() => {});
    return run;
  }

  async #write(account: Account, options: { root: string; owner: string; quota: Quota | undefined; ops: readonly BatchOp[]; preconditions?: readonly Precondition[] }): Promise<BatchResult> {
    for (let attempt = 0; ; attempt++) {
      for (const { key, version } of options.preconditions ?? []) {
        const actual = account.entries.get(key)?.version ?? null;
        if (actual !== version) return { ok: false, conflict: { key, expected: version, actual } };
      }
      const after = new Map<string, number | null>();
      let bytes = account.bytes;
      let keys = account.keys;
      for (const op of options.ops) {
        const old = after.has(op.key) ? (after.get(op.key) as number | null) : (account.entries.get(op.key)?.size ?? null);
        if (old !== null) {
          bytes -= old;
          keys--;
        }
        const size = op.type === 'put' ? op.value.byteLength : null;
        if (size !== null) {
          bytes += size;
          keys++;
        }
        after.set(op.key, size);
      }
      checkQuota(options.owner, options.quota, account, { bytes, keys });
      const guarded = new Set([...after.keys(), ...(options.preconditions ?? []).map((p) => p.key)]);
      const guards = [...guarded].map((key) => ({ key, version: account.entries.get(key)?.version ?? null }));
      const result = await this.#store.batch(options.ops, { preconditions: guards });
      if (result.ok) {
        for (const [key, size] of after) {
          if (size === null) account.entries.delete(key);
          else account.entries.set(key, { size, version: result.versions[key] });
        }
        account.bytes = bytes;
        account.keys = keys;
        return result;
      }
      // Someone wrote behind the ledger's back: recount and try once more.
      await this.#reload(options.root, account);
      if (attempt === 1) return result;
    }
  }

  #account(root: string): Promise<Account> {
    let account = this.#accounts.get(root);
    if (account === undefined) {
      const fresh: Account = { bytes: 0, keys: 0, entries: new Map(), tail: Promise.resolve() };
      account = this.#reload(root, fresh).then(() => fresh);
      account.catch(() => this.#accounts.delete(root)); // A failed load is retried next time.
      this.#accounts.set(root, account);
    }
    return account;
  }

  async #reload(root: string, account: Account): Promise<void> {
    const listed = await listAll(this.#store, root);
    account.entries = new Map(listed.map((k) => [k.key, { size: k.size, version: k.version }]));
    account.bytes = listed.reduce((sum, k) => sum + k.size, 0);
    account.keys = listed.length;
  }
}

function checkQuota(owner: string, quota: Quota | undefined, before: Usage, after: Usage): void {
  if (quota === undefined) return;
  // A batch that does not grow an over-quota owner (e.g. deletes after a quota cut) is allowed.
  const bytesOver = after.bytes > quota.maxBytes && after.bytes > before.bytes;
  const keysOver = after.keys > quota.maxKeys && after.keys > before.keys;
  if (!bytesOver && !keysOver) return;
  const what = bytesOver ? `${after.bytes} bytes (quota ${quota.maxBytes})` : `${after.keys} keys (quota ${quota.maxKeys})`;
  throw new AgentOsError('quota-exceeded', `${owner} would hold ${what}; nothing was written. Delete something or ask for a larger quota.`, {
    details: { owner, maxBytes: quota.maxBytes, maxKeys: quota.maxKeys, bytes: before.bytes, keys: before.keys, requestedBytes: after.bytes, requestedKeys: after.keys },
  });
}

/** @throws AgentOsError 'invalid-argument' unless both limits are integers >= 0. */
export function checkQuotaShape(quota: Quota): void {
  if (!Number.isSafeInteger(quota.maxBytes) || quota.maxBytes < 0 || !Number.isSafeInteger(quota.maxKeys) || quota.maxKeys < 0) {
    throw new AgentOsError('invalid-argument', 'A quota needs integer maxBytes >= 0 and maxKeys >= 0.', { details: { ...quota } });
  }
}
