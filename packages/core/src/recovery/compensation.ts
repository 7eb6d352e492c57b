/**
 * Compensation (sagas): undo the effects of a task that failed half-way.
 *
 * Effects outside the agent (an email sent, a row written, a card charged)
 * cannot be rolled back by restoring a checkpoint; each needs its own undo.
 * A `Saga` records one undo per effect as the effect succeeds, and on failure
 * runs them newest first — the reverse of how they were built up. Each undo
 * runs at most once, even if `compensate` is called again or concurrently;
 * an undo that fails is recorded and the others still run, because leaving
 * the remaining effects in place would only make things worse.
 */

import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

export interface CompensationFailure {
  name: string;
  error: unknown;
}

export interface CompensationReport {
  /** Undos that ran to completion, in the order they ran. */
  compensated: string[];
  /** Undos that threw, in the order they ran. */
  failed: CompensationFailure[];
}

interface Entry {
  name: string;
  undo: () => Promise<void> | void;
}

export interface SagaOptions {
  /** Called for each undo that throws (for logs and alerts); the saga goes on either way. */
  onCompensationFailure?: (failure: CompensationFailure) => void;
}

export type SagaState = 'open' | 'committed' | 'compensating' | 'compensated';

export class Saga {
  readonly #entries: Entry[] = [];
  readonly #onFailure: SagaOptions['onCompensationFailure'];
  #state: SagaState = 'open';
  #compensation: Promise<CompensationReport> | undefined;

  constructor(options: SagaOptions = {}) {
    this.#onFailure = options.onCompensationFailure;
  }

  /** 'open' (taking effects), 'committed', 'compensating' or 'compensated'. */
  get state(): SagaState {
    return this.#state;
  }

  /** Undos registered and not yet run. */
  get pending(): number {
    return this.#entries.length;
  }

  /**
   * Registers `undo` for an effect that has already happened.
   * @throws AgentOsError 'illegal-state' once the saga is committed or compensating.
   */
  register(name: string, undo: () => Promise<void> | void): void {
    this.#checkOpen(name);
    this.#entries.push({ name, undo });
  }

  /**
   * Runs `effect` and, if it succeeds, registers `undo(result)` for it. A
   * failed effect registers nothing (there is nothing to undo). If the saga
   * was compensated while the effect ran, the effect is undone at once: it
   * landed after everything else was rolled back.
   * @throws what `effect` throws; AgentOsError 'illegal-state' when the saga is
   *   not open (before the effect, or after it, once undone).
   */
  async step<T>(name: string, effect: () => Promise<T>, undo: (result: T) => Promise<void> | void): Promise<T> {
    this.#checkOpen(name);
    const result = await effect();
    if (this.#state === 'compensating' || this.#state === 'compensated') {
      await undo(result);
      this.#checkOpen(name);
    }
    this.register(name, () => undo(result));
    return result;
  }

  /** The task succeeded: forget the undos. @throws AgentOsError 'illegal-state' once compensation started. */
  commit(): void {
    if (this.#state !== 'open' && this.#state !== 'committed') {
      throw new AgentOsError('illegal-state', `Cannot commit a saga that is ${this.#state}.`, { details: { state: this.#state } });
    }
    this.#entries.length = 0;
    this.#state = 'committed';
  }

  /**
   * Runs every pending undo, newest first, each at most once. Later calls
   * return the same report. Never throws; failures are in the report.
   */
  compensate(): Promise<CompensationReport> {
    if (this.#compensation) return this.#compensation;
    if (this.#state === 'committed') return (this.#compensation = Promise.resolve({ compensated: [], failed: [] }));
    this.#state = 'compensating';
    this.#compensation = this.#runUndos();
    return this.#compensation;
  }

  /**
   * Runs `body` with this saga; if it throws, compensates and rethrows the
   * original error, else commits.
   * @throws what `body` throws (after compensation); 'illegal-state' when the saga is not open.
   */
  async run<T>(body: (saga: Saga) => Promise<T>): Promise<T> {
    this.#checkOpen('run');
    let result: T;
    try {
      result = await body(this);
    } catch (error) {
      await this.compensate();
      throw error;
    }
    this.commit();
    return result;
  }

  async #runUndos(): Promise<CompensationReport> {
    const report: CompensationReport = { compensated: [], failed: [] };
    while (this.#entries.length > 0) {
      // Removed before it runs: an undo that throws or re-enters is never run twice.
      const entry = this.#entries.pop() as Entry;
      try {
        await entry.undo();
        report.compensated.push(entry.name);
      } catch (error) {
        const failure = { name: entry.name, error };
        report.failed.push(failure);
        try {
          this.#onFailure?.(failure);
        } catch {
          // A broken listener must not stop the remaining undos.
        }
      }
    }
    this.#state = 'compensated';
    return report;
  }

  #checkOpen(what: string): void {
    if (this.#state !== 'open') {
      throw new AgentOsError('illegal-state', `The saga is ${this.#state}; cannot add '${what}'. Start a new Saga for new work.`, {
        details: { state: this.#state, step: what },
      });
    }
  }
}
