/**
 * The guest's `bus` interface backed by the core `Bus` (`RuntimeOptions.bus`):
 * each agent is attached under its process id, so everything it sends
 * carries its own id; payloads are the WIT `json` strings, parsed into the
 * envelope body and serialized back for replies. The runtime's gate decides
 * every call before it gets here (host-imports.ts); the Bus's own authorizer
 * and rate limits apply on top.
 *
 * Delivery into guests (`handle-message`) is not wired yet: messages and
 * publications that reach a runtime agent wait in its inbox (`inbox(id)`,
 * bounded), and a request to a runtime agent is refused with
 * 'capability-denied'. Host services attached to the same Bus answer
 * requests normally.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { Bus, DataEnvelope, Endpoint, PublishEnvelope } from '../bus/index.ts';
import type { BusImplementation, CallContext } from './options.ts';

/** A message waiting for its agent: direct (topic undefined) or published on a topic. */
export interface InboxMessage {
  id: string;
  from: string;
  topic: string | undefined;
  payload: string;
}

const INBOX_LIMIT = 1000;

export class BusLink implements BusImplementation {
  readonly #bus: Bus;
  readonly #endpoints = new Map<string, Endpoint>();
  readonly #inboxes = new Map<string, InboxMessage[]>();

  constructor(bus: Bus) {
    this.#bus = bus;
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

  /** Takes an agent off the bus (it ended); later messages to it are refused with 'not-found'. */
  leave(agentId: string): void {
    this.#endpoints.get(agentId)?.detach();
    this.#endpoints.delete(agentId);
    this.#inboxes.delete(agentId);
  }

  /** Messages waiting for an agent, oldest first (at most 1000; older ones are dropped). */
  inbox(agentId: string): readonly InboxMessage[] {
    return this.#inboxes.get(agentId) ?? [];
  }

  send(from: CallContext, to: string, payload: string): void {
    this.join(from.agentId).send(to, parse(payload));
  }

  publish(from: CallContext, topic: string, payload: string): void {
    this.join(from.agentId).publish(topic, parse(payload));
  }

  subscribe(from: CallContext, topic: string): void {
    this.join(from.agentId).subscribe(topic, (message: Readonly<PublishEnvelope>) => {
      this.#deliver(from.agentId, { id: `${message.origin}:${message.seq}`, from: message.from, topic: message.topic, payload: JSON.stringify(message.body) });
    });
  }

  async request(from: CallContext, to: string, payload: string, timeoutMs: number): Promise<string> {
    const reply = await this.join(from.agentId).request(to, parse(payload), timeoutMs > 0 ? { timeoutMs } : {});
    return JSON.stringify(reply ?? null);
  }

  #receive(agentId: string, message: Readonly<DataEnvelope>): void {
    if (message.kind === 'request') {
      throw new AgentOsError('capability-denied', `Agent ${agentId} cannot answer requests: handle-message delivery is not wired in this runtime yet.`, { details: { agentId } });
    }
    this.#deliver(agentId, { id: `${message.origin}:${message.seq}`, from: message.from, topic: undefined, payload: JSON.stringify(message.body) });
  }

  #deliver(agentId: string, message: InboxMessage): void {
    let inbox = this.#inboxes.get(agentId);
    if (!inbox) this.#inboxes.set(agentId, (inbox = []));
    inbox.push(message);
    if (inbox.length > INBOX_LIMIT) inbox.shift();
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
