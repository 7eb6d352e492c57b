/**
 * Test support for the metering rewriter's unit tests: WAT in and out through
 * wabt, and one run of a metered export with a fuel account the test controls.
 * Lives outside packages/ because it shells out (the packages' code must stay
 * portable, test/portability.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { AgentOsError } from '../../packages/sandbox/src/errors/index.ts';
import { instrument, type InstrumentOptions } from '../../packages/sandbox/src/metering/index.ts';

/** Compiles WAT with wabt's `wat2wasm` (Debian: apt-get install wabt), all proposals enabled. */
export const wat = (text: string): Uint8Array => new Uint8Array(execFileSync('wat2wasm', ['--enable-all', '-', '--output=-'], { input: text }));

/** The module as text, without wasm2wat's `;; label = @n` comments. */
export const wasm2wat = (bytes: Uint8Array): string =>
  execFileSync('wasm2wat', ['--enable-all', '-'], { input: bytes, encoding: 'utf8' }).replace(/;;[^\n]*/g, '');

export interface MeteredRunOptions extends InstrumentOptions {
  /** The starting budget (default 10^12). */
  fuel?: bigint;
  /** Units `exhausted` adds each time it is called; 0n (default): it throws out-of-fuel. */
  refill?: bigint;
}

/**
 * Instruments `source` and runs export `name` once. Returns its result (or the AgentOsError code it
 * stopped with), the fuel used across refills, the counter each `exhausted` call saw, and the output.
 */
export function meteredRun(source: string, name: string, args: number[], options: MeteredRunOptions = {}) {
  const { fuel: budget = 10n ** 12n, refill = 0n, ...rest } = options;
  const { bytes, stats } = instrument(wat(source), rest);
  const fuel = new WebAssembly.Global({ value: 'i64', mutable: true }, budget);
  const seen: bigint[] = [];
  const exhausted = () => {
    seen.push(fuel.value as bigint);
    if (refill === 0n) throw new AgentOsError('out-of-fuel', 'fuel budget spent');
    fuel.value = (fuel.value as bigint) + refill;
  };
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), { 'agentos:fuel': { fuel, exhausted } });
  let result: unknown;
  try {
    result = (instance.exports[name] as (...a: number[]) => unknown)(...args);
  } catch (e) {
    if (!(e instanceof AgentOsError)) throw e;
    result = e.code;
  }
  const refills = refill === 0n ? 0 : seen.length;
  return { result, used: budget + refill * BigInt(refills) - (fuel.value as bigint), seen, refills, bytes, stats };
}
