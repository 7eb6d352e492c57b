/**
 * A read-only walk over every instruction of every function body: checks that
 * each opcode is known and its immediates well-formed, and collects the
 * features the code uses. `inspectModule` uses it; the metering rewriter does
 * the same walk while it writes.
 */
import { KEY_DATA_DROP, KEY_MEMORY_INIT, readInstruction, type ScanState } from './instructions.ts';
import { ByteReader, malformed } from './reader.ts';
import type { FunctionBody, WasmModule } from './types.ts';

/**
 * Walks all code and returns the module's feature bits (sections and code).
 * @throws AgentOsError 'unsupported-feature' for an unknown opcode,
 *   'invalid-component' for malformed instructions or unbalanced blocks.
 */
export function scanCode(module: WasmModule): number {
  const state: ScanState = { typeCount: module.types.length, features: module.features };
  for (const fn of module.code) {
    const r = bodyReader(fn);
    let depth = 1;
    while (depth > 0) {
      if (r.pos >= r.end) malformed('unexpected end of function body', r.pos);
      const at = r.pos;
      const key = readInstruction(r, state);
      if ((key === KEY_MEMORY_INIT || key === KEY_DATA_DROP) && module.dataCount === undefined) {
        malformed('data count section required', at);
      }
      if (key === 0x02 || key === 0x03 || key === 0x04 || key === 0x06 || key === 0x1f) depth++;
      else if (key === 0x0b || key === 0x18) depth--;
    }
    if (r.pos !== r.end) malformed('operators remaining after the end of the function', r.pos);
  }
  return state.features;
}

/**
 * A reader over a function body whose positions are offsets in the original
 * module (the body is a view into it), so error offsets point at the module byte.
 */
export function bodyReader(fn: FunctionBody): ByteReader {
  const b = fn.body;
  const view = new Uint8Array(b.buffer, b.byteOffset - fn.offset, fn.offset + b.length);
  return new ByteReader(view, fn.offset, fn.offset + b.length);
}
