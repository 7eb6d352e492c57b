/**
 * Bus: how agents talk to each other.
 *
 * Direct messages (at-least-once: acks, redelivery, de-duplication, dead
 * letters), publish/subscribe with NATS-style wildcards (`*` one segment,
 * `>` or `#` one or more), and request/response with timeouts — each route
 * checked by a policy hook and a per-agent token bucket. Envelopes are plain
 * data over a `Transport` (in-process here; MessageChannel and Durable Object
 * RPC fit the same interface). Payload shapes follow A2A (Message, Task,
 * Artifact) with zod schemas for validating them at trust boundaries.
 */
export { Bus, type BusOptions, type BusStats, type DeadLetter, type Endpoint, type MessageHandler, type TopicHandler } from './bus.ts';
export type { RequestOptions } from './requests.ts';
export {
  ALLOW, deny, EnvelopeSchema, messageId,
  type AckEnvelope, type Authorization, type Authorizer, type DataEnvelope, type Envelope, type NackEnvelope,
  type PublishEnvelope, type ReplyEnvelope, type Route,
} from './envelope.ts';
export { createLink, LoopbackTransport, type LinkOptions, type Receiver, type Transport } from './transport.ts';
export { RateLimiter, type RateLimit } from './rate-limit.ts';
export { checkTopic, parsePattern, SubscriptionTrie, topicMatches } from './topic.ts';
export {
  ArtifactSchema, DataPartSchema, FilePartSchema, MessageSchema, PartSchema, TaskSchema, TaskStatusSchema, TextPartSchema,
  TASK_STATES, TERMINAL_TASK_STATES, isTerminalTaskState, parseArtifact, parseMessage, parseTask, textMessage,
  type Artifact, type DataPart, type FilePart, type Message, type Part, type Task, type TaskState, type TaskStatus, type TextPart,
} from './a2a.ts';
