/**
 * The WebAssembly binary format: a strict decoder for core modules, an encoder
 * that writes them back, and the opcode table every tool here shares.
 *
 * The decoder refuses malformed binaries with `invalid-component` and unknown
 * opcodes with `unsupported-feature`, always naming the byte offset. It does
 * not type-check; the host engine validates.
 */
export { decodeModule } from './decode.ts';
export { encodeModule, writeLimits, writeValType, type EncodeOptions } from './encode.ts';
export * from './features.ts';
export * from './instructions.ts';
export * as opcodes from './opcodes.ts';
export { ByteReader, malformed } from './reader.ts';
export { bodyReader, scanCode } from './scan.ts';
export * from './component-sections.ts';
export * from './types.ts';
export { ByteWriter, lebWidth } from './writer.ts';
