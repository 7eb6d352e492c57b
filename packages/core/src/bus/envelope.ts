/**
 * Envelopes: what the bus hands to a transport. Every envelope is plain,
 * structured-clone-safe data, so the same shapes travel through an in-process
 * call, a MessageChannel or a Durable Object RPC.
 *
 * Routes are what the policy hook and the rate limiter see: who is talking to
 * whom (or to which topic), and how.
 */
import { z } from 'zod';
import { ERROR_CODES, type AgentOsErrorJSON } from '../../../sandbox/src/errors/index.ts';

/** A message to one agent, or a request expecting a reply. Acknowledged by the receiver. */
export interface DataEnvelope {
  kind: 'direct' | 'request';
  /** Id of the sending bus. With `seq` it names the message; see `messageId`. */
  origin: string;
  /** The sending bus's counter; the receiver de-duplicates redeliveries by (origin, seq). */
  seq: number;
  from: string;
  to: string;
  body: unknown;
  /** 1 on first delivery, +1 per redelivery. */
  attempt: number;
}

/** Fan-out to every subscription whose pattern matches `topic`; not acknowledged. */
export interface PublishEnvelope {
  kind: 'publish';
  origin: string;
  seq: number;
  from: string;
  topic: string;
  body: unknown;
}

/** The answer to a request; `origin` and `seq` are the request's. Carries `body` or `error`. */
export interface ReplyEnvelope {
  kind: 'reply';
  origin: string;
  seq: number;
  from: string;
  to: string;
  body?: unknown;
  error?: AgentOsErrorJSON;
}

/** Receipt for a batch of data envelopes, all sent by bus `origin`. */
export interface AckEnvelope {
  kind: 'ack';
  origin: string;
  seqs: number[];
}

/** Refusal of a batch of data envelopes that can never be delivered (e.g. no such agent). */
export interface NackEnvelope {
  kind: 'nack';
  origin: string;
  seqs: number[];
  error: AgentOsErrorJSON;
}

export type Envelope = DataEnvelope | PublishEnvelope | ReplyEnvelope | AckEnvelope | NackEnvelope;

const MAX_ID = 256;
const name = z.string().min(1).max(MAX_ID);
const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const errorJson = z.object({
  name: z.literal('AgentOsError'),
  code: z.enum(ERROR_CODES),
  message: z.string().max(4096),
  details: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Schema for envelopes arriving from a transport the host does not trust (a
 * worker, another isolate). Bodies stay `unknown`: what they must look like is
 * the receiving agent's business (see `parseMessage` for A2A messages).
 */
export const EnvelopeSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.enum(['direct', 'request']), origin: name, seq, from: name, to: name, body: z.unknown(), attempt: z.number().int().min(1) }),
  z.object({ kind: z.literal('publish'), origin: name, seq, from: name, topic: z.string().min(1).max(512), body: z.unknown() }),
  z.object({ kind: z.literal('reply'), origin: name, seq, from: name, to: name, body: z.unknown().optional(), error: errorJson.optional() }),
  z.object({ kind: z.literal('ack'), origin: name, seqs: z.array(seq).max(1 << 20) }),
  z.object({ kind: z.literal('nack'), origin: name, seqs: z.array(seq).max(1 << 20), error: errorJson }),
]);

/** The printable, globally unique id of a data or publish envelope. */
export function messageId(envelope: { origin: string; seq: number }): string {
  return `${envelope.origin}:${envelope.seq}`;
}

/** One hop an agent asks the bus to make; what `authorize` decides on. */
export interface Route {
  kind: 'direct' | 'request' | 'publish' | 'subscribe';
  /** The agent sending, publishing or subscribing. */
  from: string;
  /** The receiving agent (direct, request), the topic (publish) or the pattern (subscribe). */
  to: string;
}

export type Authorization = { allow: true } | { allow: false; reason: string };

/** The policy hook: called on every route before anything is sent. Keep it fast; it is on the hot path. */
export type Authorizer = (route: Route) => Authorization;

export const ALLOW: Authorization = Object.freeze({ allow: true });

/** A denial with the reason shown to the agent and the audit log. */
export function deny(reason: string): Authorization {
  return { allow: false, reason };
}
