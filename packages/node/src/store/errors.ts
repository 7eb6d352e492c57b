/**
 * How SqliteStore reports failures: SQLite's errors as AgentOsErrors (a busy
 * database is a 'timeout'), and the argument checks it shares with MemoryStore.
 */
import { AgentOsError, isAgentOsError } from '../../../sandbox/src/errors/index.ts';
import { MAX_LIST_LIMIT } from '../../../core/src/store/index.ts';

/** SQLite failures as AgentOsErrors: a busy database is a 'timeout', anything else `fallback`. */
export function storeError(error: unknown, action: string, fallback: 'internal' | 'invalid-argument'): AgentOsError {
  if (isAgentOsError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  const sqlite = (error as { errcode?: number; errstr?: string } | undefined) ?? {};
  const details = { sqliteCode: sqlite.errcode ?? null, sqliteError: sqlite.errstr ?? null };
  // SQLITE_BUSY (5) and its extended codes: another process held the lock past the timeout.
  if (sqlite.errcode !== undefined && (sqlite.errcode & 0xff) === 5) {
    return new AgentOsError('timeout', `Could not ${action}: the database is locked by another process (${message}). Retry, or raise busyTimeoutMs.`, { cause: error, details });
  }
  return new AgentOsError(fallback, `Could not ${action}: ${message}.`, { cause: error, details });
}

/** @throws AgentOsError 'invalid-argument' unless `limit` is an integer in 1–1000 (as MemoryStore). */
export function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new AgentOsError('invalid-argument', `A list limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${limit}.`, { details: { limit } });
  }
}

/** @throws AgentOsError 'invalid-argument' unless `value` is a Uint8Array (the same check as MemoryStore's). */
export function checkValue(key: string, value: Uint8Array): void {
  if (!(value instanceof Uint8Array)) {
    throw new AgentOsError('invalid-argument', `The value for "${key}" must be a Uint8Array (use putJson for objects).`, { details: { key } });
  }
}
