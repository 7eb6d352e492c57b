/**
 * Journaled host imports: wraps a process's `agentos:runtime` imports so
 * that every call the guest makes is served from the journal while replaying
 * and journaled when live. The journal sits outside the gate: what is
 * recorded is exactly what the guest was handed, so replay re-runs neither
 * effects nor policy decisions.
 *
 * Durability: one commit per external call. An external call's `started`
 * entry is committed before its effect runs, together with everything queued
 * before it (the outcomes of earlier calls, sync calls' entries); a crash in
 * the effect leaves a trace and recovery retries it with the same idempotency
 * key. Outcomes — of external calls, async reads and sync imports alike — are
 * only queued: they reach the Store with the next external call's commit, or
 * with the commit the runtime makes before anything else leaves the host (the
 * slice end, before its report and the agent record; `runtime.flush()`; a
 * delivery's reply). Why no step the world saw can be lost that way:
 * - Everything outside the host learns of the guest only through an external
 *   call's effect or an acknowledgement (slice report, record, flush, reply),
 *   and each is preceded by a commit of every entry queued so far, in one
 *   atomic batch. So the durable journal always holds, in order, every call
 *   whose outcome anything outside could have depended on.
 * - After a crash, replay hands the guest those outcomes again; it is
 *   deterministic, so it re-derives exactly what it did up to that commit.
 * - Beyond it, nothing was seen: reads are simply re-run (their new answer is
 *   the only one anyone will ever see), and an external call whose outcome was
 *   not committed is still journaled `started` under the same position, so it
 *   is retried with the same idempotency key and the receiver answers from its
 *   record instead of acting twice — the window that exists anyway between an
 *   effect and the commit of its outcome, only wider.
 */
import { AgentOsError, isAgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { HostImports } from '../../../sandbox/src/index.ts';
import type { Effect, Journal, JournalEntry, Replay } from '../journal/index.ts';

/** The call in flight, as host implementations may ask for it (approval ids, idempotency keys). */
export interface CurrentCall {
  seq: number;
  idempotencyKey: string | undefined;
}

export interface JournaledImportsOptions {
  journal: Journal;
  replay: Replay;
  /** Fuel the guest has used (read at each call: the counter is exact while the guest is in a call out). */
  fuelUsed: () => bigint;
  now: () => number;
  /** Functions that may return a Promise, as `<interface>#<camelName>`; the others are synchronous. */
  asyncFunctions: ReadonlySet<string>;
  /** Effect of a function (`<interface>#<camelName>`); default 'read'. */
  effectOf: (name: string) => Effect;
  /** Called for every call served from the journal (usage accounting). */
  onReplayed?: (entry: JournalEntry, value: unknown) => void;
  /** True once the process is being stopped: its last call's outcome is not journaled. */
  stopped: () => boolean;
}

export interface JournaledImports {
  imports: HostImports;
  /** The call in flight, or undefined between calls. */
  current(): CurrentCall | undefined;
}

/** Wraps every function of `imports` (interface → functions) with record/replay. */
export function journalImports(imports: HostImports, options: JournaledImportsOptions): JournaledImports {
  let current: CurrentCall | undefined;
  const wrapped: HostImports = {};
  for (const [iface, members] of Object.entries(imports)) {
    const out: Record<string, unknown> = {};
    for (const [name, member] of Object.entries(members)) {
      if (typeof member !== 'function') {
        out[name] = member;
        continue;
      }
      const fn = member as (...args: unknown[]) => unknown;
      const key = `${iface}#${name}`;
      const effect = options.effectOf(key);
      out[name] = options.asyncFunctions.has(key)
        ? (...args: unknown[]) => asyncCall(iface, name, effect, fn, args)
        : (...args: unknown[]) => syncCall(iface, name, effect, fn, args);
    }
    wrapped[iface] = out;
  }

  function replayed(iface: string, name: string, args: unknown[]) {
    const step = options.replay.next({ interface: iface, function: name, args, fuelAtCall: options.fuelUsed() });
    if (step.kind === 'recorded') {
      options.onReplayed?.(step.entry, step.value);
      if (step.error) throw step.error;
    }
    return step;
  }

  function syncCall(iface: string, name: string, effect: Effect, fn: (...args: unknown[]) => unknown, args: unknown[]): unknown {
    const step = replayed(iface, name, args);
    if (step.kind === 'recorded') return step.value;
    const entry = step.kind === 'retry' ? step.entry : begin(iface, name, effect, args);
    current = { seq: entry.seq, idempotencyKey: entry.idempotencyKey };
    try {
      const value = fn(...args);
      options.journal.complete(entry.seq, { result: value, endedAt: options.now() });
      return value;
    } catch (error) {
      fail(entry, error);
      throw error;
    } finally {
      current = undefined;
    }
  }

  /** Served from the journal synchronously (no suspension); only live calls return a Promise. */
  function asyncCall(iface: string, name: string, effect: Effect, fn: (...args: unknown[]) => unknown, args: unknown[]): unknown {
    const step = replayed(iface, name, args);
    if (step.kind === 'recorded') return step.value;
    return liveCall(step.kind === 'retry' ? step.entry : begin(iface, name, effect, args), fn, args);
  }

  async function liveCall(entry: JournalEntry, fn: (...args: unknown[]) => unknown, args: unknown[]): Promise<unknown> {
    // The trace of an external call (and every outcome queued before it) must be durable before its effect can happen.
    if (entry.effect === 'external') await options.journal.flush();
    current = { seq: entry.seq, idempotencyKey: entry.idempotencyKey };
    let value: unknown;
    try {
      value = await fn(...args);
    } catch (error) {
      current = undefined;
      fail(entry, error);
      throw error;
    }
    current = undefined;
    // Queued, not committed: see the module comment for why the next commit is soon enough.
    options.journal.complete(entry.seq, { result: value, endedAt: options.now() });
    return value;
  }

  function begin(iface: string, name: string, effect: Effect, args: unknown[]): JournalEntry {
    return options.journal.begin({ interface: iface, function: name, args, effect, fuelAtCall: options.fuelUsed(), startedAt: options.now() });
  }

  /** Queues what a call threw into the guest, unless the process is being stopped (then the call stays open). */
  function fail(entry: JournalEntry, error: unknown): void {
    if (options.stopped()) return;
    const known = isAgentOsError(error) ? error : new AgentOsError('internal', error instanceof Error ? error.message : String(error));
    options.journal.complete(entry.seq, { error: { code: known.code, message: known.message }, endedAt: options.now() });
  }

  return { imports: wrapped, current: () => current };
}
