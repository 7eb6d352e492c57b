/**
 * echo — an agent that answers messages. `run` only says it is ready (its
 * goal is a greeting prefix); the work happens in `handle-message`, which the
 * runtime calls with each message delivered to the agent while its instance
 * is idle. Every payload is kept in memory, so a reply shows how many
 * messages this instance has handled — after a crash, replay delivers the
 * journaled messages again and the count carries on where it was.
 */
import log from 'agentos:runtime/log@0.1.0';

interface Message {
  id: string;
  from: string;
  topic: string | null | undefined;
  payload: string;
  expectsReply: boolean;
  sentAt: bigint;
}

const history: unknown[] = [];
let greeting = 'echo';

export function run(goal: string): string {
  if (goal.length > 0) greeting = goal;
  return `${greeting}: ready`;
}

export function handleMessage(message: Message): string | null {
  let payload: unknown;
  try {
    payload = JSON.parse(message.payload);
  } catch {
    throw { tag: 'failed', val: `message ${message.id} is not JSON` };
  }
  history.push(payload);
  log.log('info', 'message', [{ key: 'from', value: message.from }, { key: 'count', value: String(history.length) }]);
  if (!message.expectsReply) return null;
  return JSON.stringify({ greeting, echo: payload, from: message.from, topic: message.topic ?? null, count: history.length, history });
}
