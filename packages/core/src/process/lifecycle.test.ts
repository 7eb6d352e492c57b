import { describe, expect, it } from 'vitest';
import { assertTransition, canTransition, isLive } from './lifecycle.ts';

describe('lifecycle table', () => {
  it('allows the documented path created → initializing → ready → running ⇄ suspended → completed → terminated', () => {
    const path = ['created', 'initializing', 'ready', 'running', 'suspended', 'running', 'completed', 'terminated'] as const;
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1], path[i]), `${path[i - 1]} → ${path[i]}`).toBe(true);
  });

  it('throws illegal-state naming both ends for a move the table forbids', () => {
    expect(() => assertTransition('p1', 'created', 'running')).toThrowError(
      expect.objectContaining({ code: 'illegal-state', message: expect.stringMatching(/from created to running/) }),
    );
    expect(() => assertTransition('p1', 'terminated', 'ready')).toThrowError(/it is final/);
  });

  it('treats completed, failed and terminated as no longer live', () => {
    expect(['created', 'ready', 'running', 'paused', 'suspended'].every((s) => isLive(s as never))).toBe(true);
    expect(['completed', 'failed', 'terminated'].some((s) => isLive(s as never))).toBe(false);
  });
});
