/**
 * payer — an agent whose payment call needs a human's approval. It computes a
 * nonce, calls the payments API (the policy requires approval, so the host
 * suspends the agent right inside the call), and reports the nonce afterwards:
 * the same nonce proves it continued exactly where it asked, with its memory intact.
 */
import http from 'agentos:runtime/http@0.1.0';
import kv from 'agentos:runtime/kv@0.1.0';
import random from 'agentos:runtime/random@0.1.0';
import { describeError, utf8 } from '../shared/text.ts';

export function run(goal: string): string {
  const nonce = random.getRandomU64() % 1000000;
  kv.set('nonce', utf8(String(nonce)));
  let outcome: string;
  try {
    const response = http.fetch({ method: 'post', url: 'https://payments.example/pay', headers: [], body: utf8(goal), timeoutMs: null });
    outcome = `paid ${response.status}`;
  } catch (error) {
    outcome = `not paid: ${describeError(error)}`;
  }
  return `${outcome} (nonce ${nonce})`;
}

export function handleMessage(): string | null {
  return null;
}
