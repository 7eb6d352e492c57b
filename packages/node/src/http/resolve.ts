/**
 * Name resolution for the SSRF guard on Node: every address the system
 * resolver gives (`lookup` with `all: true`, as connections would use), so
 * the guard can refuse a name if any of its addresses is private.
 */
import { lookup } from 'node:dns/promises';
import type { Resolve } from '../../../core/src/http/index.ts';

/** Resolves through `dns.lookup` (hosts file, nsswitch, then DNS), all families, resolver order. */
export const nodeResolve: Resolve = async (hostname, signal) => {
  signal.throwIfAborted();
  const answers = await lookup(hostname, { all: true, order: 'verbatim' });
  signal.throwIfAborted();
  return answers.map((a) => a.address);
};
