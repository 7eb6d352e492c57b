/**
 * Components conformance: every real component from jco's fixtures runs
 * metered and capped in our sandbox, with test hosts for its imports, and
 * gives exactly the values plain jco output gives.
 */
import { describe, expect, it } from 'vitest';
import { Engine, hasJspi } from '../../../packages/sandbox/src/engine/index.ts';
import { CASES, type ComponentCase } from './cases.ts';
import { runInSandbox, runPlain } from './run.ts';

const engine = new Engine();

describe('components conformance (sandbox vs plain jco)', () => {
  for (const c of CASES) {
    if (c.todo) {
      it.todo(`${c.file}: ${c.todo}`);
      continue;
    }
    // Promise-returning imports need JSPI in both runs (Node 24, Chromium); elsewhere the case cannot run.
    it.skipIf(c.async !== undefined && !hasJspi())(`${c.file} gives the same values metered and capped as plain jco`, async () => {
      const plain = await runPlain(c);
      const sandbox = await runInSandbox(engine, c);
      expect(sandbox.values).toStrictEqual(plain);
      expect(sandbox.fuelUsed).toBeGreaterThan(0n);
      expect(sandbox.memoryPeakBytes).toBeGreaterThan(0);
    });
  }
});

describe('components conformance harness', () => {
  const adder = CASES.find((c) => c.file === 'adder.component.wasm') as ComponentCase;

  it('fails a run when a call expected to trap returns instead', async () => {
    const c: ComponentCase = { ...adder, calls: [{ path: 'docs:adder/add@0.1.0#add', args: [1, 2], traps: true }] };
    await expect(runPlain(c)).rejects.toThrow(/expected to trap but returned 3/);
    await expect(runInSandbox(engine, c)).rejects.toThrow(/expected to trap but returned 3/);
  });

  it('fails a run when the host verification rejects what the guest did', async () => {
    const c: ComponentCase = {
      ...adder,
      verify: () => {
        throw new Error('host saw the wrong calls');
      },
    };
    await expect(runPlain(c)).rejects.toThrow('host saw the wrong calls');
    await expect(runInSandbox(engine, c)).rejects.toThrow('host saw the wrong calls');
  });
});
