/**
 * Outcomes: what one command did in one world, in a form the two worlds can be
 * compared by (`describeOutcome`) and the spec's expectation checked against.
 */

import { isAgentOsError } from '../../../packages/sandbox/src/errors/index.ts';
import type { RawValue } from './driver.ts';
import { describeValue } from './values.ts';

export type Outcome =
  | { kind: 'values'; values: RawValue[] }
  | { kind: 'instantiated' }
  | { kind: 'trap'; message: string }
  | { kind: 'exhaustion'; message: string }
  | { kind: 'exception'; message: string }
  | { kind: 'compile-error'; message: string }
  | { kind: 'link-error'; message: string }
  /** The metering step threw an AgentOsError (it refused the module). */
  | { kind: 'refused'; code: string; message: string }
  /** Anything else: a host error, a harness limitation, a missing module. */
  | { kind: 'error'; message: string };

// Not in TypeScript's DOM lib yet; every engine the suite runs on has it.
const WasmException = (WebAssembly as unknown as { Exception?: abstract new (...args: never[]) => object }).Exception;

/** Classifies an error thrown while compiling, linking or running. */
export function outcomeOf(error: unknown): Outcome {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof WebAssembly.CompileError) return { kind: 'compile-error', message };
  if (error instanceof WebAssembly.LinkError) return { kind: 'link-error', message };
  if (error instanceof WebAssembly.RuntimeError) return { kind: 'trap', message };
  if (error instanceof RangeError && /call stack/i.test(message)) return { kind: 'exhaustion', message };
  if (WasmException && error instanceof WasmException) return { kind: 'exception', message: 'wasm exception' };
  if (isAgentOsError(error)) return { kind: 'error', message: `AgentOsError ${error.code}: ${message}` };
  const name = error instanceof Error ? error.name : typeof error;
  return { kind: 'error', message: `${name}: ${message}` };
}

/**
 * The text two worlds must agree on. Link-error messages are left out: they name
 * import indices, which metering shifts by adding its own imports.
 */
export function describeOutcome(outcome: Outcome): string {
  switch (outcome.kind) {
    case 'values':
      return `values [${outcome.values.map(describeValue).join(', ')}]`;
    case 'instantiated':
    case 'link-error':
    case 'exhaustion':
      return outcome.kind;
    case 'refused':
      return `refused ${outcome.code}: ${outcome.message}`;
    default:
      return `${outcome.kind}: ${outcome.message}`;
  }
}
