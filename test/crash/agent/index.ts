/**
 * The agent the crash harness kills: a few steps, each of which reads its
 * workspace, calls a tool (wordcount), burns some fuel (so kill points land in
 * guest code too), writes its workspace and POSTs an external effect to the
 * harness's test server. Its final answer folds in everything it saw, so any
 * lost, repeated or altered step changes the output.
 *
 * Goal: JSON `{"url": "http://127.0.0.1:<port>/effect", "steps": N}`.
 */
import clock from 'agentos:runtime/clock@0.1.0';
import http from 'agentos:runtime/http@0.1.0';
import kv from 'agentos:runtime/kv@0.1.0';
import log from 'agentos:runtime/log@0.1.0';
import random from 'agentos:runtime/random@0.1.0';
import tools from 'agentos:runtime/tools@0.1.0';
import { describeError, utf8 } from '../../../examples/agents/shared/text.ts';

function text(bytes: Uint8Array | undefined | null): string {
  if (!bytes) return '';
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]);
  return out;
}

/** Deterministic busy work: a checksum over `rounds` iterations. */
function burn(seed: number, rounds: number): number {
  let h = seed | 0;
  for (let i = 0; i < rounds; i++) h = (Math.imul(h ^ i, 2654435761) + 0x9e3779b9) | 0;
  return h >>> 0;
}

export function run(goal: string): string {
  const { url, steps } = JSON.parse(goal) as { url: string; steps: number };
  const started = Number(clock.now());
  // Number(): the u64 may arrive as a bigint or a number, depending on the binding.
  const nonce = Number(random.getRandomU64()) % 1000000;
  let digest = nonce;
  const lines: string[] = [];
  for (let step = 0; step < steps; step++) {
    const previous = text(kv.get(`steps/${step - 1}`));
    let counted: string;
    try {
      counted = tools.call('wordcount', JSON.stringify({ text: `step ${step} of ${steps}: ${previous}` }));
    } catch (error) {
      counted = `tool failed: ${describeError(error)}`;
    }
    digest = burn(digest ^ counted.length, 3000 + step * 1000);
    const record = `step=${step} digest=${digest} tool=${counted}`;
    kv.set(`steps/${step}`, utf8(record));
    let acknowledged: string;
    try {
      const response = http.fetch({ method: 'post', url, headers: [['content-type', 'text/plain']], body: utf8(record), timeoutMs: null });
      acknowledged = `${response.status} ${text(response.body)}`;
    } catch (error) {
      acknowledged = `http failed: ${describeError(error)}`;
    }
    log.log('info', 'step done', [{ key: 'step', value: String(step) }]);
    lines.push(`${record} -> ${acknowledged}`);
  }
  const elapsed = Number(clock.now()) - started;
  return `${lines.join('\n')}\nnonce=${nonce} clock=${elapsed >= 0 ? 'ok' : 'backwards'}`;
}

export function handleMessage(): string | null {
  return null;
}
