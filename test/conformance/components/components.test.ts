/**
 * Components conformance: every real component from jco's fixtures runs
 * metered and capped in our sandbox, with test hosts for its imports, and
 * gives exactly the values plain jco output gives.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../packages/sandbox/src/engine/index.ts';
import { CASES } from './cases.ts';
import { runInSandbox, runPlain } from './run.ts';

const engine = new Engine();

describe('components conformance (sandbox vs plain jco)', () => {
  for (const c of CASES) {
    if (c.todo) {
      it.todo(`${c.file}: ${c.todo}`);
      continue;
    }
    it(`${c.file} gives the same values metered and capped as plain jco`, async () => {
      const plain = await runPlain(c);
      const sandbox = await runInSandbox(engine, c);
      expect(sandbox.values).toStrictEqual(plain);
      expect(sandbox.fuelUsed).toBeGreaterThan(0n);
      expect(sandbox.memoryPeakBytes).toBeGreaterThan(0);
    });
  }
});
