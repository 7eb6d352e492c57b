/**
 * Transports: the link a bus sends envelopes over.
 *
 * The contract is small so that a MessageChannel (worker ⇄ page) and a Durable
 * Object RPC stub fit it as well as a function call: `send` takes a batch of
 * plain, structured-clone-safe envelopes and may finish asynchronously; the
 * other side's bus is handed the batch through its `listen` receiver. Delivery
 * may be lost or repeated; the bus's acks, redelivery and de-duplication make
 * direct messages at-least-once over any transport.
 */
import type { Envelope } from './envelope.ts';

export type Receiver = (envelopes: Envelope[]) => void;

export interface Transport {
  /**
   * Hands a batch to the link. A returned promise that rejects counts as a lost
   * batch (redelivery covers it); the bus does not wait for it.
   * The caller gives up ownership of the array.
   */
  send(envelopes: Envelope[]): void | Promise<void>;
  /** Installs the receiver for batches arriving from the other side. Called once by the bus. */
  listen(receiver: Receiver): void;
  /** Releases the link (ports, sockets). */
  close?(): void;
}

/**
 * The in-process transport: a bus talking to itself. `send` calls the receiver
 * synchronously, so a batch's acks come back before `send` returns and the bus
 * needs no redelivery timer in the common case.
 */
export class LoopbackTransport implements Transport {
  #receiver: Receiver | undefined;

  send(envelopes: Envelope[]): void {
    this.#receiver?.(envelopes);
  }

  listen(receiver: Receiver): void {
    this.#receiver = receiver;
  }
}

export interface LinkOptions {
  /**
   * Pass each batch through `structuredClone`, as a MessageChannel or RPC would,
   * so bodies that cannot cross a real boundary fail here too. Default false.
   */
  clone?: boolean;
}

/** One end of an in-process link made by `createLink`. */
class LinkEnd implements Transport {
  peer: LinkEnd | undefined;
  receiver: Receiver | undefined;
  closed = false;
  readonly #clone: boolean;

  constructor(clone: boolean) {
    this.#clone = clone;
  }

  send(envelopes: Envelope[]): void {
    const peer = this.peer;
    if (this.closed || !peer || peer.closed || !peer.receiver) return;
    peer.receiver(this.#clone ? structuredClone(envelopes) : envelopes);
  }

  listen(receiver: Receiver): void {
    this.receiver = receiver;
  }

  close(): void {
    this.closed = true;
  }
}

/**
 * Two connected transports for two buses in one process (one per host, worker
 * or agent group), the in-process stand-in for a MessageChannel pair.
 */
export function createLink(options: LinkOptions = {}): [Transport, Transport] {
  const a = new LinkEnd(options.clone ?? false);
  const b = new LinkEnd(options.clone ?? false);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
