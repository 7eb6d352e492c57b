/**
 * prober — an agent that tries to send data to a host the policy denies and
 * reports the error it got back (as data: the call returns an `http-error`,
 * the agent keeps running), then files the report in its workspace.
 */
import http from 'agentos:runtime/http@0.1.0';
import kv from 'agentos:runtime/kv@0.1.0';
import { describeError, utf8 } from '../shared/text.ts';

export function run(goal: string): string {
  let report: string;
  try {
    const response = http.fetch({ method: 'post', url: goal, headers: [['content-type', 'text/plain']], body: utf8('secret notes'), timeoutMs: null });
    report = `sent: ${response.status}`;
  } catch (error) {
    report = `refused: ${describeError(error)}`;
  }
  kv.set('report', utf8(report));
  return report;
}

export function handleMessage(): string | null {
  return null;
}
