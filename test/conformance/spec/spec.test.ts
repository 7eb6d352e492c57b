/**
 * The spec testsuite, one test per script: the plain world must meet the suite's
 * expectations and the metered world must give the plain world's outcome for
 * every command. `SPEC_METER=identity` checks the harness without metering.
 */

import { describe, expect, it } from 'vitest';
import type { FileResult } from './harness.ts';
import { listSpecFiles, runSpecFile } from './load.ts';
import { loadMeter, type Meter } from './meter.ts';

const files = listSpecFiles();
let meter: Meter;
let loadError: unknown;
try {
  meter = await loadMeter();
} catch (error) {
  loadError = error;
  meter = await loadMeter('identity');
}

function failures(result: FileResult): string {
  return result.failures.slice(0, 5).map((f) => `${f.world} line ${f.line} ${f.command} ${f.subject}: expected ${f.expected}; got ${f.actual}`).join('\n');
}

describe('spec testsuite', () => {
  it('finds the suite on disk', () => {
    expect(files.length).toBeGreaterThan(200);
  });

  it('meters with instrument from packages/sandbox/src/metering', () => {
    // Fails while the metering module is missing; the files below then ran with the identity transform.
    if (process.env.SPEC_METER !== 'identity') expect(loadError, String((loadError as Error)?.cause ?? '')).toBeUndefined();
    expect(meter.name).toBe(process.env.SPEC_METER === 'identity' || loadError ? 'identity' : 'instrument');
  });

  it.runIf(!loadError && meter.name === 'instrument')('notices metering that changes behaviour (a 1-page memory cap on memory_grow.json)', async () => {
    const capped = await loadMeter('instrument', { maxMemoryBytes: 65536 });
    const result = runSpecFile('memory_grow.json', capped);
    expect(result.plain.failed).toBe(0);
    expect(result.metered.failed).toBeGreaterThan(0);
    expect(result.failures).toContainEqual(expect.objectContaining({ world: 'metered', subject: 'grow', actual: 'values [i32:0xffffffff]' }));
  });

  describe.each(files)('%s', (file) => {
    it(`gives the same outcome plain and metered (${meter.name}) for every command`, () => {
      const result = runSpecFile(file, meter);
      expect(result.plain.passed + result.plain.skipped).toBeGreaterThan(0);
      expect(result.plain.failed, failures(result)).toBe(0);
      expect(result.metered.failed, failures(result)).toBe(0);
      // Metering that charges nothing would pass the comparison trivially.
      if (meter.name === 'instrument' && result.actionsRun > 0) expect(BigInt(result.fuelUsed)).toBeGreaterThan(0n);
    });
  });
});
