import { describe, expect, it } from 'vitest';
import { checkTopic, parsePattern, SubscriptionTrie, topicMatches } from './topic.ts';

// [pattern, topic, matches]
const TABLE: [string, string, boolean][] = [
  ['a.b.c', 'a.b.c', true],
  ['a.b.c', 'a.b', false],
  ['a.b', 'a.b.c', false],
  ['a.*.c', 'a.b.c', true],
  ['a.*.c', 'a.c', false],
  ['a.*.c', 'a.b.x.c', false],
  ['*', 'a', true],
  ['*', 'a.b', false],
  ['*.*', 'a.b', true],
  ['a.>', 'a.b', true],
  ['a.>', 'a.b.c.d', true],
  ['a.>', 'a', false],
  ['a.#', 'a.b.c', true],
  ['a.#', 'a', false],
  ['>', 'a', true],
  ['>', 'a.b.c', true],
  ['#', 'x.y', true],
  ['*.>', 'a', false],
  ['*.>', 'a.b', true],
  ['a.*.>', 'a.b.c', true],
  ['a.*.>', 'a.b', false],
  ['a.b', 'a.bb', false],
  ['a.b', 'ab', false],
];

describe('topic matching', () => {
  it.each(TABLE)('pattern %s against topic %s is %s', (pattern, topic, expected) => {
    expect(topicMatches(pattern, topic)).toBe(expected);
  });

  it('the subscription trie agrees with the table for every row at once', () => {
    const trie = new SubscriptionTrie<string>();
    const patterns = [...new Set(TABLE.map(([p]) => p))];
    for (const pattern of patterns) trie.add(pattern, pattern);
    for (const topic of new Set(TABLE.map(([, t]) => t))) {
      const found: string[] = [];
      trie.match(topic, (p) => found.push(p));
      expect(found.sort(), topic).toEqual(patterns.filter((p) => topicMatches(p, topic)).sort());
    }
  });

  it('removes a subscription and prunes the branch it alone used', () => {
    const trie = new SubscriptionTrie<string>();
    const off = trie.add('a.b.*', 'x');
    trie.add('a.>', 'y');
    off();
    off(); // removing twice is harmless
    const found: string[] = [];
    trie.match('a.b.c', (v) => found.push(v));
    expect(found).toEqual(['y']);
    expect(trie.size).toBe(1);
  });

  it('refuses malformed topics and patterns with invalid-argument', () => {
    for (const bad of ['', 'a..b', '.a', 'a.', 'a b', 'a.*', 'a.>', 'a\u0000b', 'x'.repeat(513)]) {
      expect(() => checkTopic(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    }
    for (const bad of ['a.>.b', '#.a', 'a*.b', 'a.b>', '', 'a..*']) {
      expect(() => parsePattern(bad), bad).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    }
    expect(parsePattern('a.*.>')).toEqual(['a', '*', '>']);
  });
});
