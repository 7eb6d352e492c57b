/**
 * Maps whatever a guest call threw onto `AgentOsError`, so callers branch on a
 * stable code and never see a host stack from inside the sandbox.
 *
 * - `AgentOsError` (out-of-fuel, deadline, capability-denied, ...) passes through.
 * - `WebAssembly.RuntimeError` is a guest trap: code 'trap', the engine's message kept
 *   ('unreachable', 'memory access out of bounds', ...).
 * - `RangeError: Maximum call stack size exceeded` is a guest stack overflow: 'trap' with
 *   `details.kind = 'stack-overflow'`.
 * - `WebAssembly.SuspendError` means a suspension was attempted where JSPI cannot
 *   suspend: a bug in agentos ('internal').
 * - Anything else thrown while lifting/lowering values is treated as a guest fault ('trap').
 *
 * The Store looks first (`store.explain`): a trap raised by its fuel hook becomes the
 * recorded out-of-fuel/deadline, and an abort at the memory cap becomes 'memory-limit'.
 */
import { AgentOsError, isAgentOsError } from '../errors/index.ts';
import { isWasiExit } from '../wasi/index.ts';

const STACK_OVERFLOW = /maximum call stack size exceeded|too much recursion/i;

/** Converts a value thrown out of a guest call into an `AgentOsError`. */
export function toAgentOsError(error: unknown, where: string): AgentOsError {
  if (isAgentOsError(error)) return error;
  const suspendError = (WebAssembly as unknown as { SuspendError?: new () => Error }).SuspendError;
  if (suspendError && error instanceof suspendError) {
    return new AgentOsError('internal', `${where}: the guest tried to suspend where it cannot (${error.message}).`, { cause: error });
  }
  if (error instanceof RangeError && STACK_OVERFLOW.test(error.message)) {
    return new AgentOsError('trap', `${where}: the guest overflowed its call stack.`, {
      cause: error,
      details: { kind: 'stack-overflow' },
    });
  }
  if (error instanceof WebAssembly.RuntimeError) {
    return new AgentOsError('trap', `${where}: the guest trapped: ${error.message}.`, {
      cause: error,
      details: { kind: trapKind(error.message), wasmMessage: error.message },
    });
  }
  if (!(error instanceof Error)) {
    // jco's glue throws the `err` value of a result-typed export as it is (a lifted WIT value, never an Error).
    return new AgentOsError('guest-error', `${where} returned an error: ${describeGuestValue(error)}`, { cause: error });
  }
  return new AgentOsError('trap', `${where}: ${error.message}`, { cause: error, details: { kind: 'boundary' } });
}

/** A short machine-readable kind for the common engine trap messages. */
function trapKind(message: string): string {
  if (/unreachable/i.test(message)) return 'unreachable';
  if (/out of bounds|memory access/i.test(message)) return 'memory-out-of-bounds';
  if (/divide by zero|division by zero/i.test(message)) return 'integer-divide-by-zero';
  if (/integer overflow|unrepresentable|float unrepresentable/i.test(message)) return 'integer-overflow';
  if (/null function|signature mismatch|indirect call/i.test(message)) return 'bad-indirect-call';
  if (/table/i.test(message)) return 'table-out-of-bounds';
  return 'other';
}

/**
 * Wraps an error thrown by a host import (a JS function the guest called) so the
 * guest side sees a trap with a clear message, never the host's stack.
 * AgentOsErrors keep their code; wasm traps from a nested guest call pass through.
 */
export function hostImportError(error: unknown, name: string): unknown {
  // WasiExit unwinds the guest on purpose; the instance turns it into a result or an error.
  if (isAgentOsError(error) || isWasiExit(error) || error instanceof WebAssembly.RuntimeError) return error;
  if (error instanceof RangeError && STACK_OVERFLOW.test(error.message)) return error;
  // jco's trampolines already turned thrown payloads of result-typed imports into data;
  // whatever still escapes is a host failure.
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new AgentOsError('trap', `The host import ${name} failed: ${text}`, {
    details: { kind: 'host-error', import: name },
  });
}

/** One line for a lifted WIT value: `invalid-input: not JSON`, or its JSON. */
function describeGuestValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { tag?: unknown }).tag === 'string') {
    const { tag, val } = value as { tag: string; val?: unknown };
    return val === undefined ? tag : `${tag}: ${describeGuestValue(val)}`;
  }
  try {
    return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
  } catch {
    return String(value);
  }
}
