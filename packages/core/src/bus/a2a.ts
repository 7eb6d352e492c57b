/**
 * A2A shapes: the message, task and artifact records agents exchange, aligned
 * with the Agent2Agent (A2A) protocol so a bus payload can be handed to an A2A
 * peer unchanged.
 *
 * These objects cross trust boundaries (a guest component, a worker, another
 * tenant's agent), so each has a zod schema and a `parse*` function that
 * validates once at the edge. Unknown keys are stripped rather than kept:
 * nothing unvalidated rides along. Sizes are capped so a hostile peer cannot
 * make the host hold arbitrarily large ids or part lists.
 */
import { z } from 'zod';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

const MAX_ID = 256;
const MAX_PARTS = 1024;

const id = z.string().min(1).max(MAX_ID);
const metadata = z.record(z.string(), z.unknown()).optional();

/** Standard base64 (RFC 4648 §4), padded. */
const base64 = z.string().regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'not base64');

export const TextPartSchema = z.object({
  kind: z.literal('text'),
  text: z.string(),
  metadata,
});

export const DataPartSchema = z.object({
  kind: z.literal('data'),
  data: z.record(z.string(), z.unknown()),
  metadata,
});

const fileBase = { name: z.string().max(1024).optional(), mimeType: z.string().max(255).optional() };

/** A file travels inline (base64 `bytes`) or by reference (`uri`), never both. */
export const FilePartSchema = z.object({
  kind: z.literal('file'),
  file: z.union([
    z.object({ ...fileBase, bytes: base64 }).strict(),
    z.object({ ...fileBase, uri: z.url() }).strict(),
  ]),
  metadata,
});

export const PartSchema = z.discriminatedUnion('kind', [TextPartSchema, DataPartSchema, FilePartSchema]);

export const MessageSchema = z.object({
  kind: z.literal('message'),
  messageId: id,
  role: z.enum(['user', 'agent']),
  parts: z.array(PartSchema).min(1).max(MAX_PARTS),
  contextId: id.optional(),
  taskId: id.optional(),
  referenceTaskIds: z.array(id).max(MAX_PARTS).optional(),
  metadata,
});

export const TASK_STATES = [
  'submitted', 'working', 'input-required', 'completed', 'canceled', 'failed', 'rejected', 'auth-required',
] as const;

/** States a task never leaves. */
export const TERMINAL_TASK_STATES: readonly TaskState[] = ['completed', 'canceled', 'failed', 'rejected'];

export const TaskStatusSchema = z.object({
  state: z.enum(TASK_STATES),
  message: MessageSchema.optional(),
  /** ISO 8601 date-time. */
  timestamp: z.iso.datetime({ offset: true }).optional(),
});

export const ArtifactSchema = z.object({
  artifactId: id,
  name: z.string().max(1024).optional(),
  description: z.string().optional(),
  parts: z.array(PartSchema).min(1).max(MAX_PARTS),
  metadata,
});

export const TaskSchema = z.object({
  kind: z.literal('task'),
  id,
  contextId: id,
  status: TaskStatusSchema,
  history: z.array(MessageSchema).max(MAX_PARTS).optional(),
  artifacts: z.array(ArtifactSchema).max(MAX_PARTS).optional(),
  metadata,
});

export type TextPart = z.infer<typeof TextPartSchema>;
export type DataPart = z.infer<typeof DataPartSchema>;
export type FilePart = z.infer<typeof FilePartSchema>;
export type Part = z.infer<typeof PartSchema>;
export type Message = z.infer<typeof MessageSchema>;
export type TaskState = (typeof TASK_STATES)[number];
export type TaskStatus = z.infer<typeof TaskStatusSchema>;
export type Artifact = z.infer<typeof ArtifactSchema>;
export type Task = z.infer<typeof TaskSchema>;

function parseWith<T>(schema: z.ZodType<T>, what: string, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({ path: '/' + issue.path.join('/'), message: issue.message }));
  throw new AgentOsError(
    'invalid-argument',
    `Not a valid A2A ${what}: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}.`,
    { details: { problems } },
  );
}

/**
 * Validates an A2A Message from an untrusted source.
 * @throws AgentOsError 'invalid-argument' listing every problem by JSON Pointer path.
 */
export function parseMessage(value: unknown): Message {
  return parseWith(MessageSchema, 'message', value);
}

/**
 * Validates an A2A Task from an untrusted source.
 * @throws AgentOsError 'invalid-argument' listing every problem by JSON Pointer path.
 */
export function parseTask(value: unknown): Task {
  return parseWith(TaskSchema, 'task', value);
}

/**
 * Validates an A2A Artifact from an untrusted source.
 * @throws AgentOsError 'invalid-argument' listing every problem by JSON Pointer path.
 */
export function parseArtifact(value: unknown): Artifact {
  return parseWith(ArtifactSchema, 'artifact', value);
}

/** True when a task in `state` can no longer change. */
export function isTerminalTaskState(state: TaskState): boolean {
  return TERMINAL_TASK_STATES.includes(state);
}

/** Builds a one-part text message (the common case for agent chatter). */
export function textMessage(options: { messageId: string; role: Message['role']; text: string; contextId?: string; taskId?: string }): Message {
  const message: Message = { kind: 'message', messageId: options.messageId, role: options.role, parts: [{ kind: 'text', text: options.text }] };
  if (options.contextId !== undefined) message.contextId = options.contextId;
  if (options.taskId !== undefined) message.taskId = options.taskId;
  return message;
}
