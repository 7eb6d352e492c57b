/**
 * Test support for the scheduler's property tests (not exported): a seeded
 * PRNG, so every random run can be replayed from its seed, and a minimal
 * schedulable process.
 */

import type { SchedulableProcess } from './policy.ts';

/** mulberry32: a tiny, well-mixed 32-bit PRNG; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max] from `random`. */
export function randomInt(random: () => number, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export interface TestProcess extends SchedulableProcess {
  priority: number;
}

export function testProcess(id: string | number, fields: { tenant?: string; priority?: number } = {}): TestProcess {
  return { id: String(id), tenant: fields.tenant ?? 't', priority: fields.priority ?? 0 };
}
