/**
 * requester — an agent that asks another agent a question over the bus and
 * uses the answer. Its goal is JSON `{ "to": <agent id>, "payload": <any JSON>,
 * "timeoutMs"?: number }`; it sends the payload as a `bus.request`, files the
 * reply in its workspace and returns `reply: <reply JSON>` (or why it got none).
 */
import bus from 'agentos:runtime/bus@0.1.0';
import kv from 'agentos:runtime/kv@0.1.0';
import { describeError, utf8 } from '../shared/text.ts';

interface Task {
  to: string;
  payload: unknown;
  timeoutMs: number;
}

export function run(goal: string): string {
  const task = parseTask(goal);
  let reply: string;
  try {
    reply = bus.request(task.to, JSON.stringify(task.payload), task.timeoutMs);
  } catch (error) {
    return `no reply: ${describeError(error)}`;
  }
  kv.set('reply', utf8(reply));
  return `reply: ${reply}`;
}

export function handleMessage(): string | null {
  return null;
}

function parseTask(goal: string): Task {
  let parsed: { to?: unknown; payload?: unknown; timeoutMs?: unknown };
  try {
    parsed = JSON.parse(goal);
  } catch {
    throw { tag: 'failed', val: 'the goal must be JSON { "to", "payload", "timeoutMs"? }' };
  }
  if (typeof parsed.to !== 'string') throw { tag: 'failed', val: 'the goal needs a "to" agent id' };
  const timeoutMs = typeof parsed.timeoutMs === 'number' && parsed.timeoutMs > 0 ? Math.floor(parsed.timeoutMs) : 5000;
  return { to: parsed.to, payload: parsed.payload ?? null, timeoutMs };
}
