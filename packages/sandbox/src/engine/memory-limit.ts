/**
 * Telling a guest that died of a refused allocation apart from one that
 * crashed. Memories are capped by their declared maximum (metering/caps.ts),
 * so past the cap `memory.grow` returns -1 inside the guest and nothing reaches
 * the host. What the guest does then is up to its runtime: Rust's alloc error
 * handler aborts, QuickJS and wasi-libc's `abort` end in `unreachable`. All
 * the host sees is an `unreachable` trap, so the Store classifies it by where
 * the memory stands when the trap surfaces.
 *
 * The rule: an `unreachable` trap is reported as 'memory-limit' when a capped
 * memory of the instance holds at least half of its cap. A refused grow asked
 * for more than the room left, and the allocations that fail in practice are
 * big blocks or growth in proportion to what is held (a doubling array, a
 * string concatenation), so on a real memory limit the room left is no larger
 * than what is in use. A guest that hits `unreachable` with most of its cap
 * still free keeps the generic 'trap'. Other traps (out-of-bounds, ...) are
 * never reclassified: they are bugs whatever the memory holds.
 */
import { AgentOsError } from '../errors/index.ts';

/** A guest memory and the cap baked into its module (undefined when uncapped). */
export interface CappedMemory {
  memory: WebAssembly.Memory;
  limitBytes: number | undefined;
}

/**
 * Returns the 'memory-limit' error for `error` when the rule above applies, else undefined.
 * `peakBytes` is the store's memory peak, reported in the details.
 */
export function memoryLimitError(error: unknown, memories: Iterable<CappedMemory>, peakBytes: number): AgentOsError | undefined {
  if (!(error instanceof WebAssembly.RuntimeError) || !/unreachable/i.test(error.message)) return undefined;
  for (const { memory, limitBytes } of memories) {
    if (limitBytes === undefined) continue;
    const memoryBytes = memory.buffer.byteLength;
    if (memoryBytes * 2 < limitBytes) continue;
    return new AgentOsError(
      'memory-limit',
      `The guest ran out of memory: it holds ${memoryBytes} bytes of its ${limitBytes}-byte cap and aborted when an allocation was refused; raise the cap (--memory) or make the work smaller.`,
      { cause: error, details: { limitBytes, peakBytes: Math.max(peakBytes, memoryBytes), memoryBytes, wasmMessage: error.message } },
    );
  }
  return undefined;
}
