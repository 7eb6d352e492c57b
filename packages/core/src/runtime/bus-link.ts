/**
 * The guest's `bus` interface backed by the core `Bus` (`RuntimeOptions.bus`):
 * each agent is attached under its process id, so everything it sends
 * carries its own id; payloads are the WIT `json` strings, parsed into the
 * envelope body and serialized back for replies. The runtime's gate decides
 * every call before it gets here (host-imports.ts); the Bus's own authorizer
 * and rate limits apply on top.
 *
 * Messages, publications and requests that reach a runtime agent wait in its
 * inbox (bounded) until the runtime delivers them into the guest's
 * `handle-message` export, which it does only while the guest's instance is
 * not inside a call (delivery.ts). A request's promise — what the Bus waits
 * on for the reply — settles when the delivery answers it (`Delivery.answer`)
 * or refuses it (`Delivery.refuse`, also for every request still waiting when
 * the agent leaves the bus).
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { Bus, DataEnvelope, Endpoint, PublishEnvelope } from '../bus/index.ts';
import type { BusImplementation, CallContext } from './options.ts';

/** A message waiting for its agent: direct (topic undefined), a request (`expectsReply`), or published on a topic. */
export interface InboxMessage {
  id: string;
  from: string;
  topic: string | undefined;
  payload: string;
  /** Set for a request: the sender waits for the reply. */
  expectsReply: boolean;
  /** When the link accepted it (ms since the epoch, by `now`). */
  sentAt: number;
}

/** A message taken from an inbox for delivery, with what settles its request. */
export interface Delivery {
  message: InboxMessage;
  /** Replies to a request (the `some` value of `handle-message`, JSON text; undefined → `null`). No-op for other messages. */
  answer(reply: string | undefined): void;
  /** Fails a request with `error` (the receiver failed or refused it). No-op for other messages. */
  refuse(error: unknown): void;
}

const INBOX_LIMIT = 1000;
const NO_REPLY = (): void => {};

export class BusLink implements BusImplementation {
  readonly #bus: Bus;
  readonly #now: () => number;
  readonly #endpoints = new Map<string, Endpoint>();
  readonly #inboxes = new Map<string, Delivery[]>();
  readonly #listeners = new Set<(agentId: string) => void>();

  constructor(bus: Bus, options: { now?: () => number } = {}) {
    this.#bus = bus;
    this.#now = options.now ?? Date.now;
  }

  /** Puts an agent on the bus (idempotent); messages to it wait in its inbox. @throws the Bus's 'invalid-argument' for a bad id. */
  join(agentId: string): Endpoint {
    let endpoint = this.#endpoints.get(agentId);
    if (!endpoint) {
      endpoint = this.#bus.attach(agentId, (message) => this.#receive(agentId, message));
      this.#endpoints.set(agentId, endpoint);
    }
    return endpoint;
  }

  /**
   * Takes an agent off the bus (it ended); later messages to it are refused with 'not-found',
   * and requests still waiting in its inbox fail with 'not-found'.
   */
  leave(agentId: string): void {
    this.#endpoints.get(agentId)?.detach();
    this.#endpoints.delete(agentId);
    const waiting = this.#inboxes.get(agentId) ?? [];
    this.#inboxes.delete(agentId);
    for (const delivery of waiting) {
      delivery.refuse(new AgentOsError('not-found', `Agent ${agentId} ended before it handled message ${delivery.message.id}.`, { details: { agentId } }));
    }
  }

  /** Messages waiting for an agent, oldest first (at most 1000; older ones are dropped). */
  inbox(agentId: string): readonly InboxMessage[] {
    return (this.#inboxes.get(agentId) ?? []).map((delivery) => delivery.message);
  }

  /** Removes and returns the oldest message waiting for an agent. */
  take(agentId: string): Delivery | undefined {
    return this.#inboxes.get(agentId)?.shift();
  }

  /** Calls `listener(agentId)` whenever a message is queued for an agent. @returns a function that stops it. */
  listen(listener: (agentId: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  send(from: CallContext, to: string, payload: string): void {
    this.join(from.agentId).send(to, parse(payload));
  }

  publish(from: CallContext, topic: string, payload: string): void {
    this.join(from.agentId).publish(topic, parse(payload));
  }

  subscribe(from: CallContext, topic: string): void {
    this.join(from.agentId).subscribe(topic, (message: Readonly<PublishEnvelope>) => {
      this.#queue(from.agentId, { message: this.#message(message, message.topic, false), answer: NO_REPLY, refuse: NO_REPLY });
    });
  }

  async request(from: CallContext, to: string, payload: string, timeoutMs: number): Promise<string> {
    const reply = await this.join(from.agentId).request(to, parse(payload), timeoutMs > 0 ? { timeoutMs } : {});
    return JSON.stringify(reply ?? null);
  }

  #receive(agentId: string, envelope: Readonly<DataEnvelope>): Promise<unknown> | undefined {
    const message = this.#message(envelope, undefined, envelope.kind === 'request');
    if (!message.expectsReply) {
      // Acknowledged once queued: the inbox holds it from here on.
      this.#queue(agentId, { message, answer: NO_REPLY, refuse: NO_REPLY });
      return undefined;
    }
    return new Promise((resolve, reject) => {
      const answer = (reply: string | undefined): void => {
        try {
          resolve(reply === undefined ? null : parse(reply));
        } catch (error) {
          reject(error);
        }
      };
      this.#queue(agentId, { message, answer, refuse: reject });
    });
  }

  #message(envelope: Readonly<DataEnvelope | PublishEnvelope>, topic: string | undefined, expectsReply: boolean): InboxMessage {
    return { id: `${envelope.origin}:${envelope.seq}`, from: envelope.from, topic, payload: JSON.stringify(envelope.body ?? null), expectsReply, sentAt: this.#now() };
  }

  #queue(agentId: string, delivery: Delivery): void {
    let inbox = this.#inboxes.get(agentId);
    if (!inbox) this.#inboxes.set(agentId, (inbox = []));
    inbox.push(delivery);
    if (inbox.length > INBOX_LIMIT) {
      const dropped = inbox.shift() as Delivery;
      dropped.refuse(new AgentOsError('limit-exceeded', `The inbox of ${agentId} is full (${INBOX_LIMIT} messages); message ${dropped.message.id} was dropped.`, { details: { agentId } }));
    }
    for (const listener of this.#listeners) listener(agentId);
  }
}

/** @throws AgentOsError 'invalid-argument' when the payload is not JSON (WIT `json`). */
function parse(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch {
    throw new AgentOsError('invalid-argument', 'A bus payload must be JSON text.');
  }
}
