/**
 * Topics and subscription patterns (NATS-style).
 *
 * A topic is a run of non-empty segments joined by `.`, e.g. `tasks.billing.done`.
 * A pattern may use two wildcards, each standing for whole segments only:
 *   - `*` matches exactly one segment:   `tasks.*.done` matches `tasks.billing.done`, not `tasks.done`.
 *   - `>` matches one or more trailing segments and must come last:
 *     `tasks.>` matches `tasks.a` and `tasks.a.b`, but not `tasks` itself.
 *   - `#` is accepted as an alias of `>` with the same one-or-more meaning (unlike
 *     MQTT, where `a/#` also matches `a`): one rule for both spellings.
 * Published topics never contain wildcards. Segments may not contain whitespace
 * or control characters, so a topic reads the same in logs as on the wire.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

const MAX_TOPIC = 512;
// Whitespace and control characters are refused inside segments.
const BAD_CHAR = /[\s\u0000-\u001f\u007f]/;

function fail(what: string, value: string, why: string): never {
  throw new AgentOsError('invalid-argument', `Invalid ${what} "${value}": ${why}.`, { details: { [what]: value } });
}

function segmentsOf(what: string, value: string): string[] {
  if (typeof value !== 'string' || value.length === 0) fail(what, String(value), 'it must be a non-empty string');
  if (value.length > MAX_TOPIC) fail(what, value.slice(0, 32) + '…', `it is longer than ${MAX_TOPIC} characters`);
  if (BAD_CHAR.test(value)) fail(what, value, 'whitespace and control characters are not allowed');
  const segments = value.split('.');
  if (segments.some((s) => s.length === 0)) fail(what, value, 'segments between dots must be non-empty');
  return segments;
}

/**
 * Checks a topic to publish on.
 * @throws AgentOsError 'invalid-argument' when it is empty, has empty segments or contains a wildcard.
 */
export function checkTopic(topic: string): void {
  for (const segment of segmentsOf('topic', topic)) {
    if (segment === '*' || segment === '>' || segment === '#') fail('topic', topic, 'wildcards are only allowed in subscription patterns');
  }
}

/**
 * Checks a subscription pattern and returns its segments.
 * @throws AgentOsError 'invalid-argument' when malformed, or when `>`/`#` is not the last segment.
 */
export function parsePattern(pattern: string): string[] {
  const segments = segmentsOf('pattern', pattern);
  segments.forEach((segment, i) => {
    if ((segment === '>' || segment === '#') && i !== segments.length - 1) fail('pattern', pattern, `"${segment}" must be the last segment`);
    if (segment.length > 1 && /[*>#]/.test(segment)) fail('pattern', pattern, 'wildcards must be whole segments');
  });
  return segments;
}

/** True when `topic` matches `pattern` (both assumed valid). */
export function topicMatches(pattern: string, topic: string): boolean {
  const p = pattern.split('.');
  const t = topic.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>' || p[i] === '#') return t.length > i;
    if (i >= t.length) return false;
    if (p[i] !== '*' && p[i] !== t[i]) return false;
  }
  return p.length === t.length;
}

interface Node<T> {
  children: Map<string, Node<T>>;
  /** Subscribers whose pattern ends exactly here. */
  here: Set<T>;
  /** Subscribers whose pattern ends with `>` (or `#`) right after this node. */
  rest: Set<T>;
}

function node<T>(): Node<T> {
  return { children: new Map(), here: new Set(), rest: new Set() };
}

/**
 * Subscriptions indexed by pattern segment, so matching a topic costs one walk
 * down the trie per wildcard branch instead of a test per subscription.
 */
export class SubscriptionTrie<T> {
  #root: Node<T> = node();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /**
   * Adds `value` under `pattern`; returns a function that removes it again.
   * @throws AgentOsError 'invalid-argument' when the pattern is malformed.
   */
  add(pattern: string, value: T): () => void {
    const segments = parsePattern(pattern);
    let at = this.#root;
    const path: [Node<T>, string][] = [];
    const last = segments[segments.length - 1];
    const tail = last === '>' || last === '#';
    for (const segment of tail ? segments.slice(0, -1) : segments) {
      let next = at.children.get(segment);
      if (!next) at.children.set(segment, (next = node()));
      path.push([at, segment]);
      at = next;
    }
    const set = tail ? at.rest : at.here;
    if (set.has(value)) return () => {};
    set.add(value);
    this.#size++;
    return () => {
      if (!set.delete(value)) return;
      this.#size--;
      // Prune empty branches so churn does not leak nodes.
      for (let i = path.length - 1; i >= 0; i--) {
        const [parent, segment] = path[i];
        const child = parent.children.get(segment) as Node<T>;
        if (child.children.size > 0 || child.here.size > 0 || child.rest.size > 0) break;
        parent.children.delete(segment);
      }
    };
  }

  /** Calls `visit` once for each value whose pattern matches `topic`. */
  match(topic: string, visit: (value: T) => void): void {
    this.#walk(this.#root, topic.split('.'), 0, visit);
  }

  #walk(at: Node<T>, segments: string[], i: number, visit: (value: T) => void): void {
    if (i === segments.length) {
      for (const value of at.here) visit(value);
      return;
    }
    for (const value of at.rest) visit(value);
    const exact = at.children.get(segments[i]);
    if (exact) this.#walk(exact, segments, i + 1, visit);
    const star = at.children.get('*');
    if (star) this.#walk(star, segments, i + 1, visit);
  }
}
