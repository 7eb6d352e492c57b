import { describe, expect, it } from 'vitest';
import { isTerminalTaskState, parseArtifact, parseMessage, parseTask, textMessage } from './a2a.ts';

const message = {
  kind: 'message',
  messageId: 'm1',
  role: 'agent',
  parts: [
    { kind: 'text', text: 'done' },
    { kind: 'data', data: { rows: 3 } },
    { kind: 'file', file: { name: 'a.txt', mimeType: 'text/plain', bytes: 'aGVsbG8=' } },
    { kind: 'file', file: { uri: 'https://example.com/report.pdf' } },
  ],
  contextId: 'c1',
};

describe('A2A shapes', () => {
  it('accepts a message with text, data and both kinds of file part', () => {
    expect(parseMessage(message)).toEqual(message);
  });

  it('strips unknown keys instead of passing them through', () => {
    const parsed = parseMessage({ ...message, injected: '<script>', parts: [{ kind: 'text', text: 'x', extra: 1 }] });
    expect(parsed).not.toHaveProperty('injected');
    expect(parsed.parts[0]).toEqual({ kind: 'text', text: 'x' });
  });

  it.each([
    ['a bad role', { ...message, role: 'system' }, '/role'],
    ['no parts', { ...message, parts: [] }, '/parts'],
    ['an unknown part kind', { ...message, parts: [{ kind: 'video', url: 'x' }] }, '/parts/0'],
    ['a file with bytes and uri', { ...message, parts: [{ kind: 'file', file: { bytes: 'aGk=', uri: 'https://x.y' } }] }, '/parts/0/file'],
    ['bytes that are not base64', { ...message, parts: [{ kind: 'file', file: { bytes: 'not base64!' } }] }, '/parts/0/file'],
    ['an empty message id', { ...message, messageId: '' }, '/messageId'],
    ['an oversized id', { ...message, contextId: 'c'.repeat(257) }, '/contextId'],
  ])('refuses a message with %s, naming the path', (_what, value, path) => {
    let error: { code?: string; details?: { problems: { path: string }[] } } = {};
    try {
      parseMessage(value);
    } catch (e) {
      error = e as typeof error;
    }
    expect(error.code).toBe('invalid-argument');
    expect(error.details?.problems.some((p) => p.path.startsWith(path))).toBe(true);
  });

  it('accepts a task in every A2A state and refuses an unknown state', () => {
    for (const state of ['submitted', 'working', 'input-required', 'completed', 'canceled', 'failed', 'rejected', 'auth-required']) {
      const task = { kind: 'task', id: 't1', contextId: 'c1', status: { state, timestamp: '2025-01-01T00:00:00Z' } };
      expect(parseTask(task).status.state).toBe(state);
    }
    expect(() => parseTask({ kind: 'task', id: 't1', contextId: 'c1', status: { state: 'paused' } })).toThrow(/status\/state/);
    expect(() => parseTask({ kind: 'task', id: 't1', status: { state: 'working' } })).toThrow(/contextId/);
  });

  it('validates artifacts, including those nested in a task', () => {
    const artifact = { artifactId: 'a1', name: 'report', parts: [{ kind: 'text', text: '# Report' }] };
    expect(parseArtifact(artifact)).toEqual(artifact);
    expect(() => parseArtifact({ artifactId: 'a1', parts: [] })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    const task = { kind: 'task', id: 't', contextId: 'c', status: { state: 'completed' }, artifacts: [{ artifactId: 'a', parts: [{ kind: 'data' }] }] };
    expect(() => parseTask(task)).toThrow(/artifacts\/0\/parts\/0/);
  });

  it('knows which task states are terminal and builds valid text messages', () => {
    expect(['completed', 'canceled', 'failed', 'rejected', 'working', 'input-required'].map((s) => isTerminalTaskState(s as never)))
      .toEqual([true, true, true, true, false, false]);
    expect(parseMessage(textMessage({ messageId: 'x', role: 'user', text: 'hi', taskId: 't' }))).toMatchObject({ taskId: 't', parts: [{ text: 'hi' }] });
  });
});
