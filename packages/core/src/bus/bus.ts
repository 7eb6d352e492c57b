/**
 * The message bus: direct messages, publish/subscribe and request/response
 * between agents, over any `Transport`.
 *
 * Guarantees:
 *   - Direct messages and requests are at-least-once. The receiver acks each
 *     id once its handler returns (or its promise resolves) and remembers ids
 *     to drop redeliveries; the sender redelivers what is not acked within
 *     `ackTimeoutMs`, up to `maxAttempts` times, then dead-letters it.
 *   - Publish is at-most-once fan-out to matching subscriptions (no acks).
 *   - Every route is checked by `authorize` and the sender's token bucket
 *     before anything is queued; a refusal throws, nothing is sent.
 *
 * Speed: sends are queued and flushed as one batch per microtask (or by
 * `flush()`); acks are batched the same way. Over the in-process loopback a
 * batch's acks arrive before the flush ends, so no timer or promise is made
 * per message.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { type Clock, realClock } from '../clock/index.ts';
import { BUSY, DONE, SeenMessages } from './dedupe.ts';
import { EnvelopeSchema, messageId, type Authorizer, type DataEnvelope, type Envelope, type PublishEnvelope, type ReplyEnvelope, type Route } from './envelope.ts';
import { type RateLimit, RateLimiter } from './rate-limit.ts';
import { checkTopic, SubscriptionTrie } from './topic.ts';
import { LoopbackTransport, type Transport } from './transport.ts';
import { checkAgentId, errorJson, isThenable, type RequestOptions, Requests } from './requests.ts';

/** Handles a direct message or request; for a request, the returned value is the reply. */
export type MessageHandler = (message: Readonly<DataEnvelope>) => unknown;
export type TopicHandler = (message: Readonly<PublishEnvelope>) => unknown;

export interface DeadLetter {
  envelope: DataEnvelope;
  /** 'timeout' when never acked after `maxAttempts`, 'not-found' when no such agent, ... */
  error: AgentOsError;
}

export interface BusOptions {
  /** Default: the in-process loopback. */
  transport?: Transport;
  /** Drives ack timeouts, request timeouts, dedupe windows and rate-limit refills. Default: the real clock. */
  clock?: Clock;
  /** Policy hook on every route. Default: allow all. */
  authorize?: Authorizer;
  /** Token bucket per sending agent, one for all or chosen per agent. Default: unlimited. */
  rateLimit?: RateLimit | ((agent: string) => RateLimit | undefined);
  /** How long to wait for an ack before redelivering. Default 1000 ms. */
  ackTimeoutMs?: number;
  /** Deliveries (first included) before a message is dead-lettered. Default 5. */
  maxAttempts?: number;
  /** How long a receiver remembers ids. Default ackTimeoutMs × (maxAttempts + 1), enough to cover every redelivery. */
  dedupeWindowMs?: number;
  /** Default timeout of `request`. Default 30,000 ms. */
  requestTimeoutMs?: number;
  /** Validate every arriving envelope with `EnvelopeSchema` (for transports from untrusted code). Default false. */
  validateIncoming?: boolean;
  /** This bus's id, the `origin` of its messages; unique among connected buses. Default: a random UUID. */
  id?: string;
  onDeadLetter?: (letter: DeadLetter) => void;
  /** Failures with no caller to throw to: handler errors, transport rejections, invalid envelopes. */
  onError?: (error: unknown) => void;
}

/** An agent's handle on the bus; everything it sends carries its id, so it cannot speak for another agent. */
export interface Endpoint {
  readonly agent: string;
  /** Queues a direct message; returns its id. @throws AgentOsError 'policy-denied' | 'rate-limited'. */
  send(to: string, body: unknown): string;
  /** Sends a request and waits for the reply. Rejects with 'timeout', 'not-found', or the handler's error. */
  request(to: string, body: unknown, options?: RequestOptions): Promise<unknown>;
  /** Publishes to a topic; returns the message id. @throws 'invalid-argument' | 'policy-denied' | 'rate-limited'. */
  publish(topic: string, body: unknown): string;
  /** Subscribes to a pattern (see topic.ts); returns the unsubscribe function. @throws 'invalid-argument' | 'policy-denied'. */
  subscribe(pattern: string, handler: TopicHandler): () => void;
  /** Leaves the bus: later messages to this agent are refused with 'not-found'. */
  detach(): void;
}

export interface BusStats {
  sent: number;
  delivered: number;
  redelivered: number;
  duplicates: number;
  deadLettered: number;
}

export class Bus {
  readonly #transport: Transport;
  readonly #clock: Clock;
  readonly #authorize: Authorizer | undefined;
  readonly #limiter: RateLimiter | undefined;
  readonly #ackTimeoutMs: number;
  readonly #maxAttempts: number;
  readonly #validate: boolean;
  /** This bus's id: the `origin` of every message it sends. */
  readonly id: string;
  readonly #onDeadLetter: (letter: DeadLetter) => void;
  readonly #onError: (error: unknown) => void;
  readonly #requests: Requests;
  readonly #seen: SeenMessages;
  readonly #mailboxes = new Map<string, MessageHandler>();
  readonly #topics = new SubscriptionTrie<{ handler: TopicHandler }>();
  /** Sent data envelopes not yet acked, by seq; the value is the latest attempt. */
  readonly #pending = new Map<number, DataEnvelope>();
  #outbox: Envelope[] = [];
  #sentData: DataEnvelope[] = [];
  /** Seqs to acknowledge (or refuse), by the origin that sent them. */
  #acks = new Map<string, number[]>();
  #nacks = new Map<string, number[]>();
  /** Redelivery checks in due order (the ack timeout is fixed, so appending keeps the order). */
  #retries: { due: number; envelopes: DataEnvelope[] }[] = [];
  #timerRunning = false;
  #scheduled = false;
  #flushing = false;
  #closed = false;
  #seq = 0;
  readonly #abort = new AbortController();
  readonly stats: BusStats = { sent: 0, delivered: 0, redelivered: 0, duplicates: 0, deadLettered: 0 };

  /** @throws AgentOsError 'invalid-argument' when a timeout, attempt count or rate limit is malformed. */
  constructor(options: BusOptions = {}) {
    this.#transport = options.transport ?? new LoopbackTransport();
    this.#clock = options.clock ?? realClock;
    this.#authorize = options.authorize;
    this.#limiter = options.rateLimit ? new RateLimiter(options.rateLimit) : undefined;
    this.#ackTimeoutMs = positive('ackTimeoutMs', options.ackTimeoutMs ?? 1000);
    this.#maxAttempts = positive('maxAttempts', options.maxAttempts ?? 5);
    const windowMs = positive('dedupeWindowMs', options.dedupeWindowMs ?? this.#ackTimeoutMs * (this.#maxAttempts + 1));
    this.#validate = options.validateIncoming ?? false;
    this.id = options.id ?? crypto.randomUUID();
    checkAgentId(this.id);
    this.#onError = options.onError ?? (() => {});
    this.#onDeadLetter = options.onDeadLetter ?? (() => {});
    this.#seen = new SeenMessages({ windowMs, now: this.#clock.now() });
    this.#requests = new Requests({ clock: this.#clock, defaultTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs ?? 30_000) });
    this.#transport.listen((envelopes) => this.#receive(envelopes));
  }

  /**
   * Puts an agent on the bus. `handler` receives its direct messages and requests.
   * @throws AgentOsError 'invalid-argument' for a malformed id or one already attached.
   */
  attach(agent: string, handler: MessageHandler = () => {}): Endpoint {
    checkAgentId(agent);
    if (this.#mailboxes.has(agent)) throw new AgentOsError('invalid-argument', `Agent "${agent}" is already attached to this bus; detach it first.`, { details: { agent } });
    this.#mailboxes.set(agent, handler);
    const subscriptions = new Set<() => void>();
    return {
      agent,
      send: (to, body) => messageId(this.#sendData('direct', agent, to, body)),
      request: (to, body, options) => this.#request(agent, to, body, options),
      publish: (topic, body) => this.#publish(agent, topic, body),
      subscribe: (pattern, topicHandler) => {
        this.#admit('subscribe', agent, pattern);
        const remove = this.#topics.add(pattern, { handler: topicHandler });
        const unsubscribe = () => (subscriptions.delete(unsubscribe), remove());
        subscriptions.add(unsubscribe);
        return unsubscribe;
      },
      detach: () => {
        if (this.#mailboxes.get(agent) !== handler) return;
        this.#mailboxes.delete(agent);
        for (const unsubscribe of [...subscriptions]) unsubscribe();
        this.#limiter?.forget(agent);
      },
    };
  }

  /** Sends everything queued now instead of at the end of the current microtask. */
  flush(): void {
    if (this.#flushing) return; // A handler sending during a flush: the running loop picks it up.
    this.#flushing = true;
    try {
      for (;;) {
        if (this.#acks.size > 0) {
          for (const [origin, seqs] of this.#acks) this.#outbox.push({ kind: 'ack', origin, seqs });
          this.#acks.clear();
        }
        if (this.#nacks.size > 0) {
          const error = errorJson(new AgentOsError('not-found', `No such agent on bus "${this.id}".`));
          for (const [origin, seqs] of this.#nacks) this.#outbox.push({ kind: 'nack', origin, seqs, error });
          this.#nacks.clear();
        }
        if (this.#outbox.length === 0) break;
        const batch = this.#outbox;
        this.#outbox = [];
        try {
          const sent = this.#transport.send(batch);
          if (sent) sent.catch(this.#onError);
        } catch (error) {
          this.#onError(error);
        }
      }
    } finally {
      this.#flushing = false;
    }
    const sent = this.#sentData;
    if (sent.length === 0) return;
    this.#sentData = [];
    const unacked = sent.filter((envelope) => this.#pending.get(envelope.seq) === envelope);
    if (unacked.length > 0) this.#scheduleRetry(unacked);
  }

  /** Stops timers and rejects waiting requests with 'illegal-state'. Queued messages are dropped. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    this.#requests.close(new AgentOsError('illegal-state', 'The bus was closed while the request was waiting for a reply.'));
    this.#transport.close?.();
  }

  /** Messages sent and not yet acknowledged. */
  get unacknowledged(): number {
    return this.#pending.size;
  }

  #admit(kind: Route['kind'], from: string, to: string): void {
    if (this.#closed) throw new AgentOsError('illegal-state', 'The bus is closed.');
    if (this.#authorize !== undefined) {
      const decision = this.#authorize({ kind, from, to });
      if (!decision.allow) {
        throw new AgentOsError('policy-denied', `Policy denied ${kind} from "${from}" to "${to}": ${decision.reason}`, { details: { kind, from, to, reason: decision.reason } });
      }
    }
    if (kind !== 'subscribe' && this.#limiter !== undefined) this.#limiter.take(from, this.#clock.now());
  }

  #sendData(kind: DataEnvelope['kind'], from: string, to: string, body: unknown): DataEnvelope {
    this.#admit(kind, from, to);
    const envelope: DataEnvelope = { kind, origin: this.id, seq: this.#seq++, from, to, body, attempt: 1 };
    this.#pending.set(envelope.seq, envelope);
    this.#sentData.push(envelope);
    this.stats.sent++;
    this.#enqueue(envelope);
    return envelope;
  }

  #request(from: string, to: string, body: unknown, options: RequestOptions = {}): Promise<unknown> {
    let envelope: DataEnvelope;
    try {
      envelope = this.#sendData('request', from, to, body);
    } catch (error) {
      return Promise.reject(error); // A promise-returning call reports every failure the same way.
    }
    return this.#requests.wait(envelope.seq, options, () => this.#pending.delete(envelope.seq));
  }

  #publish(from: string, topic: string, body: unknown): string {
    checkTopic(topic);
    this.#admit('publish', from, topic);
    const envelope: PublishEnvelope = { kind: 'publish', origin: this.id, seq: this.#seq++, from, topic, body };
    this.stats.sent++;
    this.#enqueue(envelope);
    return messageId(envelope);
  }

  #enqueue(envelope: Envelope): void {
    this.#outbox.push(envelope);
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#scheduled || this.#flushing) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      if (!this.#closed) this.flush();
    });
  }

  #receive(envelopes: Envelope[]): void {
    if (this.#closed) return;
    this.#seen.tick(this.#clock.now());
    for (const envelope of envelopes) {
      if (this.#validate && !EnvelopeSchema.safeParse(envelope).success) {
        this.#onError(new AgentOsError('invalid-argument', 'Dropped a malformed envelope from the transport.', { details: { kind: String((envelope as { kind?: unknown })?.kind) } }));
        continue;
      }
      switch (envelope.kind) {
        case 'direct':
        case 'request':
          this.#deliver(envelope);
          break;
        case 'ack':
          if (envelope.origin !== this.id) break;
          for (const seq of envelope.seqs) this.#pending.delete(seq);
          break;
        case 'nack':
          if (envelope.origin !== this.id) break;
          for (const seq of envelope.seqs) {
            const pending = this.#pending.get(seq);
            if (pending) this.#deadLetter(pending, AgentOsError.fromJSON(envelope.error));
          }
          break;
        case 'reply':
          if (envelope.origin === this.id) this.#requests.settle(envelope);
          break;
        case 'publish':
          this.#fanOut(envelope);
          break;
      }
    }
    if (this.#acks.size > 0 || this.#nacks.size > 0) this.#scheduleFlush();
  }

  #deliver(envelope: DataEnvelope): void {
    const handler = this.#mailboxes.get(envelope.to);
    if (handler === undefined) {
      push(this.#nacks, envelope.origin, envelope.seq);
      return;
    }
    const state = this.#seen.get(envelope.origin, envelope.seq);
    if (state !== 0) {
      this.stats.duplicates++;
      if (state === DONE) push(this.#acks, envelope.origin, envelope.seq);
      return;
    }
    let result: unknown;
    try {
      result = handler(envelope);
    } catch (error) {
      this.#handlerFailed(envelope, error);
      return;
    }
    if (isThenable(result)) {
      this.#seen.set(envelope.origin, envelope.seq, BUSY);
      result.then(
        (value) => (this.#completed(envelope, value), this.#scheduleFlush()),
        (error) => (this.#seen.set(envelope.origin, envelope.seq, 0), this.#handlerFailed(envelope, error), this.#scheduleFlush()),
      );
      return;
    }
    this.#completed(envelope, result);
  }

  #completed(envelope: DataEnvelope, value: unknown): void {
    this.#seen.set(envelope.origin, envelope.seq, DONE);
    this.stats.delivered++;
    push(this.#acks, envelope.origin, envelope.seq);
    if (envelope.kind === 'request') this.#outbox.push(reply(envelope, { body: value }));
  }

  /** A direct message's handler failed: no ack, so it is redelivered. A request's failure is its reply. */
  #handlerFailed(envelope: DataEnvelope, error: unknown): void {
    if (envelope.kind === 'request') {
      this.#seen.set(envelope.origin, envelope.seq, DONE);
      push(this.#acks, envelope.origin, envelope.seq);
      this.#outbox.push(reply(envelope, { error: errorJson(error) }));
      return;
    }
    this.#onError(error);
  }

  #fanOut(envelope: PublishEnvelope): void {
    this.#topics.match(envelope.topic, (subscription) => {
      try {
        const result = subscription.handler(envelope);
        if (isThenable(result)) result.then(undefined, this.#onError);
      } catch (error) {
        this.#onError(error);
      }
    });
  }

  #deadLetter(envelope: DataEnvelope, error: AgentOsError): void {
    this.#pending.delete(envelope.seq);
    this.stats.deadLettered++;
    if (envelope.kind === 'request') this.#requests.fail(envelope.seq, error);
    try {
      this.#onDeadLetter({ envelope, error });
    } catch (hookError) {
      this.#onError(hookError);
    }
  }

  #scheduleRetry(envelopes: DataEnvelope[]): void {
    this.#retries.push({ due: this.#clock.now() + this.#ackTimeoutMs, envelopes });
    if (!this.#timerRunning) void this.#runRetries();
  }

  async #runRetries(): Promise<void> {
    this.#timerRunning = true;
    try {
      while (this.#retries.length > 0 && !this.#closed) {
        const wait = this.#retries[0].due - this.#clock.now();
        if (wait > 0) await this.#clock.sleep(wait, this.#abort.signal);
        const now = this.#clock.now();
        while (this.#retries.length > 0 && this.#retries[0].due <= now) {
          for (const envelope of (this.#retries.shift() as { envelopes: DataEnvelope[] }).envelopes) {
            if (this.#pending.get(envelope.seq) === envelope) this.#redeliver(envelope);
          }
        }
        this.flush();
      }
    } catch (error) {
      if (!this.#closed) this.#onError(error);
    } finally {
      this.#timerRunning = false;
    }
  }

  #redeliver(envelope: DataEnvelope): void {
    if (envelope.attempt >= this.#maxAttempts) {
      const id = messageId(envelope);
      const error = new AgentOsError('timeout', `Message ${id} to "${envelope.to}" was not acknowledged after ${envelope.attempt} attempts.`, {
        details: { id, to: envelope.to, attempts: envelope.attempt },
      });
      this.#deadLetter(envelope, error);
      return;
    }
    const next: DataEnvelope = { ...envelope, attempt: envelope.attempt + 1 };
    this.#pending.set(next.seq, next);
    this.#sentData.push(next);
    this.stats.redelivered++;
    this.#outbox.push(next);
  }
}

function push(bySender: Map<string, number[]>, origin: string, seq: number): void {
  const seqs = bySender.get(origin);
  if (seqs === undefined) bySender.set(origin, [seq]);
  else seqs.push(seq);
}

function reply(request: DataEnvelope, outcome: { body?: unknown; error?: ReplyEnvelope['error'] }): ReplyEnvelope {
  const envelope: ReplyEnvelope = { kind: 'reply', origin: request.origin, seq: request.seq, from: request.to, to: request.from };
  if (outcome.error !== undefined) envelope.error = outcome.error;
  else envelope.body = outcome.body;
  return envelope;
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new AgentOsError('invalid-argument', `Bus option ${name} must be a finite number > 0, got ${value}.`, { details: { [name]: value } });
  }
  return value;
}
