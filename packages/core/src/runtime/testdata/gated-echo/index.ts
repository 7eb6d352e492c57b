/**
 * gated-echo — a resident test agent whose message handler can need a human:
 * each message's payload is kept in memory (the reply shows them all), and a
 * payload with `pay: true` makes a payments call (`pay: <n>`: n calls, one after
 * the other) that the test policy sends for approval (registered as agent type 'payer'), so the agent is parked —
 * durably, without an instance — inside `handle-message`, after the
 * snapshots taken between earlier messages. Built by snapshots.test.ts.
 */
import http from 'agentos:runtime/http@0.1.0';

interface Message {
  id: string;
  payload: string;
}

const history: unknown[] = [];
let greeting = 'gated';

export function run(goal: string): string {
  if (goal.length > 0) greeting = goal;
  return `${greeting}: ready`;
}

export function handleMessage(message: Message): string | null {
  const payload = JSON.parse(message.payload) as { pay?: boolean | number } | null;
  history.push(payload);
  const payments = payload?.pay === true ? 1 : typeof payload?.pay === 'number' ? payload.pay : 0;
  const statuses: string[] = [];
  for (let n = 0; n < payments; n++) statuses.push(pay(message.payload));
  return JSON.stringify({ greeting, count: history.length, status: statuses.join(',') || 'none', history });
}

/** One payments call: its HTTP status, or why it was refused. */
function pay(body: string): string {
  try {
    return String(http.fetch({ method: 'post', url: 'https://payments.example/pay', headers: [], body: ascii(body), timeoutMs: null }).status);
  } catch (error) {
    return `refused: ${JSON.stringify(error)}`;
  }
}

/** The payload's bytes (the test sends ASCII JSON; QuickJS has no TextEncoder). */
function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0x7f);
}
