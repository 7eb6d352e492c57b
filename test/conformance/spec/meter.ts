/**
 * The metering step the metered world applies: `instrument` from
 * packages/sandbox/src/metering (fuel metering plus memory and table caps; the
 * harness gives it unlimited fuel), or the identity transform
 * (only when asked for, to check the harness itself).
 */

import type { Transform } from './world.ts';

export type MeterName = 'instrument' | 'identity';

export interface Meter {
  name: MeterName;
  transform: Transform;
  /**
   * The same step without the host's `WebAssembly.validate` pre-check, i.e. what
   * runs on hosts that lack it (workerd): only the rewriter's own checks stand
   * between an invalid module and its output.
   */
  unvalidated: Transform;
}

const METERING_MODULE = '../../../packages/sandbox/src/metering/index.ts';

type Instrument = (bytes: Uint8Array, options?: Record<string, unknown>) => { bytes: Uint8Array };

/**
 * Caps that exercise the capping rewrite yet cannot change an outcome: a 32-bit
 * memory never exceeds 4 GiB, and V8 refuses tables beyond 10,000,000 elements.
 */
export const INVISIBLE_CAPS = { maxMemoryBytes: 65536 * 65536, maxTableElements: 10_000_000 };

/**
 * Loads the named metering step; `SPEC_METER=identity` in the environment picks
 * the identity transform when no name is given. `options` replace the invisible
 * caps given to `instrument` (used to check that the harness notices visible ones).
 * @throws Error when `instrument` is asked for but the metering module cannot be loaded.
 */
export async function loadMeter(name?: MeterName, options: Record<string, unknown> = INVISIBLE_CAPS): Promise<Meter> {
  const chosen = name ?? (globalThis.process?.env?.SPEC_METER === 'identity' ? 'identity' : 'instrument');
  if (chosen === 'identity') return { name: 'identity', transform: (bytes) => bytes, unvalidated: (bytes) => bytes };
  let instrument: Instrument;
  try {
    ({ instrument } = (await import(METERING_MODULE)) as { instrument: Instrument });
  } catch (cause) {
    throw new Error(`cannot load instrument from ${METERING_MODULE}; set SPEC_METER=identity to check the harness alone`, { cause });
  }
  if (typeof instrument !== 'function') throw new Error(`${METERING_MODULE} does not export instrument()`);
  return {
    name: 'instrument',
    transform: (bytes) => instrument(bytes, options).bytes,
    unvalidated: (bytes) => instrument(bytes, { ...options, validate: false }).bytes,
  };
}
