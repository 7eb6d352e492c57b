/**
 * Request/response bookkeeping: the promises of requests waiting for a reply,
 * each with its own timeout on the bus clock (so a `VirtualClock` decides when
 * a request times out in tests). Plus the small helpers the bus shares.
 */
import { AgentOsError, isAgentOsError, type AgentOsErrorJSON } from '../../../sandbox/src/errors/index.ts';
import type { Clock } from '../clock/index.ts';
import type { ReplyEnvelope } from './envelope.ts';

export interface RequestOptions {
  /** How long to wait for the reply. Default: the bus's `requestTimeoutMs`. */
  timeoutMs?: number;
}

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  deadline: number;
  timeoutMs: number;
  onTimeout: () => void;
}

/**
 * Waiting requests, and one timer for all of them: a deadline queue in due
 * order and a single sleeper for its head, so a request costs no timer of its
 * own (a reply just removes the entry; its queue slot is skipped when due).
 */
export class Requests {
  readonly #waiting = new Map<number, Waiting>();
  readonly #deadlines: { at: number; seq: number }[] = [];
  readonly #clock: Clock;
  readonly #defaultTimeoutMs: number;
  #sleeper: { until: number; abort: AbortController } | undefined;
  #closed = false;

  constructor(options: { clock: Clock; defaultTimeoutMs: number }) {
    this.#clock = options.clock;
    this.#defaultTimeoutMs = options.defaultTimeoutMs;
  }

  /**
   * Waits for the reply to request `seq` (of this bus). Rejects with 'timeout'
   * after the timeout; `onTimeout` lets the bus stop redelivering the request.
   */
  wait(seq: number, options: RequestOptions, onTimeout: () => void): Promise<unknown> {
    const timeoutMs = options.timeoutMs ?? this.#defaultTimeoutMs;
    if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
      onTimeout();
      return Promise.reject(new AgentOsError('invalid-argument', `timeoutMs must be a finite number > 0, got ${timeoutMs}.`, { details: { timeoutMs } }));
    }
    return new Promise((resolve, reject) => {
      const deadline = this.#clock.now() + timeoutMs;
      this.#waiting.set(seq, { resolve, reject, deadline, timeoutMs, onTimeout });
      this.#schedule(deadline, seq);
    });
  }

  /** Settles the request a reply answers; replies to unknown or expired requests are ignored. */
  settle(reply: ReplyEnvelope): void {
    const waiting = this.#take(reply.seq);
    if (!waiting) return;
    if (reply.error !== undefined) waiting.reject(AgentOsError.fromJSON(reply.error));
    else waiting.resolve(reply.body);
  }

  /** Rejects one waiting request (e.g. it was dead-lettered). */
  fail(seq: number, error: unknown): void {
    this.#take(seq)?.reject(error);
  }

  /** Rejects every waiting request and stops the timer. */
  close(error: unknown): void {
    this.#closed = true;
    this.#sleeper?.abort.abort();
    for (const seq of [...this.#waiting.keys()]) this.fail(seq, error);
  }

  #take(seq: number): Waiting | undefined {
    const waiting = this.#waiting.get(seq);
    if (waiting === undefined) return undefined;
    this.#waiting.delete(seq);
    if (this.#waiting.size === 0) {
      // Nothing left to time out: drop the timer so it does not keep the host (or a test) waiting.
      this.#deadlines.length = 0;
      this.#sleeper?.abort.abort();
    }
    return waiting;
  }

  #schedule(at: number, seq: number): void {
    const queue = this.#deadlines;
    // Requests mostly share the default timeout, so the new deadline is usually last.
    let i = queue.length;
    while (i > 0 && queue[i - 1].at > at) i--;
    queue.splice(i, 0, { at, seq });
    if (this.#sleeper === undefined) void this.#run();
    else if (at < this.#sleeper.until) this.#sleeper.abort.abort(); // wake early; #run re-arms
  }

  async #run(): Promise<void> {
    while (this.#deadlines.length > 0 && !this.#closed) {
      const until = this.#deadlines[0].at;
      const sleeper = { until, abort: new AbortController() };
      this.#sleeper = sleeper;
      try {
        await this.#clock.sleep(Math.max(0, until - this.#clock.now()), sleeper.abort.signal);
      } catch {
        // Aborted: an earlier deadline arrived, or the bus closed.
      }
      this.#sleeper = undefined;
      const now = this.#clock.now();
      while (this.#deadlines.length > 0 && this.#deadlines[0].at <= now) {
        const { at, seq } = this.#deadlines.shift() as { at: number; seq: number };
        const waiting = this.#waiting.get(seq);
        if (waiting === undefined || waiting.deadline !== at) continue; // answered already
        this.#waiting.delete(seq);
        waiting.onTimeout();
        waiting.reject(new AgentOsError('timeout', `No reply to request ${seq} within ${waiting.timeoutMs} ms.`, { details: { seq, timeoutMs: waiting.timeoutMs } }));
      }
    }
  }
}

const AGENT_ID = /^[^\s\u0000-\u001f\u007f]{1,256}$/;

/** @throws AgentOsError 'invalid-argument' unless `agent` is 1–256 characters without whitespace or control characters. */
export function checkAgentId(agent: string): void {
  if (typeof agent !== 'string' || !AGENT_ID.test(agent)) {
    throw new AgentOsError('invalid-argument', `Invalid agent id ${JSON.stringify(agent)}: use 1-256 characters without whitespace or control characters.`, { details: { agent: String(agent) } });
  }
}

/** An error in a form that survives any transport; non-agentos errors become 'internal'. */
export function errorJson(error: unknown): AgentOsErrorJSON {
  if (isAgentOsError(error)) return (error as AgentOsError).toJSON();
  const message = error instanceof Error ? error.message : String(error);
  return { name: 'AgentOsError', code: 'internal', message: `The handler failed: ${message}` };
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}
