/**
 * Spec values: how wast2json writes them, how they become driver arguments, and
 * how a result is checked against an expectation (exact bits, NaN patterns,
 * v128 lanes, references).
 *
 * wast2json writes numbers as unsigned decimal bit patterns ("2143289344" for an
 * f32 NaN), so every comparison here is on bits, never on JS numbers.
 */

import type { RawValue } from './driver.ts';
import type { SpecValue } from './commands.ts';

const LANES: Record<string, { width: number; count: number }> = {
  i8: { width: 1, count: 16 }, i16: { width: 2, count: 8 }, i32: { width: 4, count: 4 },
  i64: { width: 8, count: 2 }, f32: { width: 4, count: 4 }, f64: { width: 8, count: 2 },
};

/** The host value the suite calls `ref.extern N`; one object per N so identity can be checked. */
export class ExternRef {
  readonly id: string;
  constructor(id: string) {
    this.id = id;
    Object.freeze(this);
  }
}

const externs = new Map<string, ExternRef>();

export function externRef(id: string): ExternRef {
  let ref = externs.get(id);
  if (!ref) {
    ref = new ExternRef(id);
    externs.set(id, ref);
  }
  return ref;
}

function writeBits(bytes: Uint8Array, offset: number, width: number, value: bigint): void {
  for (let i = 0; i < width; i++) bytes[offset + i] = Number((value >> BigInt(8 * i)) & 0xffn);
}

function readBits(bytes: Uint8Array, offset: number, width: number): bigint {
  let value = 0n;
  for (let i = width - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[offset + i]);
  return value;
}

/** Parses a decimal (possibly negative) into its `width`-byte two's complement bits. */
function bits(text: string, width: number): bigint {
  return BigInt.asUintN(width * 8, BigInt(text));
}

/**
 * Turns an argument into what the driver takes: raw bytes for numbers, `{ ref }` for references.
 * @throws TypeError for a value type the harness does not know.
 */
export function toArgument(value: SpecValue): Uint8Array | { ref: unknown } {
  const scalarWidth: Record<string, number> = { i32: 4, i64: 8, f32: 4, f64: 8 };
  if (value.type in scalarWidth) {
    const width = scalarWidth[value.type];
    const bytes = new Uint8Array(width);
    writeBits(bytes, 0, width, bits(value.value as string, width));
    return bytes;
  }
  if (value.type === 'v128') {
    const lane = LANES[value.lane_type ?? 'i32'];
    const bytes = new Uint8Array(16);
    (value.value as string[]).forEach((v, i) => writeBits(bytes, i * lane.width, lane.width, bits(v, lane.width)));
    return bytes;
  }
  if (value.type === 'externref') return { ref: value.value === 'null' ? null : externRef(value.value as string) };
  if (value.type === 'funcref' && value.value === 'null') return { ref: null };
  throw new TypeError(`cannot pass an argument of type ${value.type} = ${JSON.stringify(value.value)}`);
}

function floatMatches(actual: bigint, expected: string, width: 4 | 8): boolean {
  const sign = width === 4 ? 0x7fffffffn : 0x7fffffffffffffffn;
  const canonical = width === 4 ? 0x7fc00000n : 0x7ff8000000000000n;
  if (expected === 'nan:canonical') return (actual & sign) === canonical;
  if (expected === 'nan:arithmetic') return (actual & canonical) === canonical;
  return actual === bits(expected, width);
}

function laneMatches(actual: bigint, expected: string, laneType: string, width: number): boolean {
  if (laneType === 'f32' || laneType === 'f64') return floatMatches(actual, expected, width as 4 | 8);
  return actual === bits(expected, width);
}

/** True when `actual` satisfies `expected` (exact bits, a NaN pattern, or the same reference). */
export function matches(actual: RawValue, expected: SpecValue): boolean {
  if (actual.type.name !== expected.type) return false;
  if ('bytes' in actual) {
    const b = actual.bytes;
    if (expected.type === 'v128') {
      const laneType = expected.lane_type ?? 'i32';
      const lane = LANES[laneType];
      return (expected.value as string[]).every((v, i) =>
        laneMatches(readBits(b, i * lane.width, lane.width), v, laneType, lane.width),
      );
    }
    const width = b.length;
    if (expected.type === 'f32' || expected.type === 'f64') return floatMatches(readBits(b, 0, width), expected.value as string, width as 4 | 8);
    return readBits(b, 0, width) === bits(expected.value as string, width);
  }
  if (expected.value === 'null') return actual.ref === null;
  if (expected.type === 'externref') return actual.ref === externRef(expected.value as string);
  // A non-null funcref expectation only asks for some function.
  return typeof actual.ref === 'function';
}

/** A stable text form of a result, used to compare the two worlds bit for bit. */
export function describeValue(value: RawValue): string {
  if ('bytes' in value) {
    const hex = [...value.bytes].reverse().map((b) => b.toString(16).padStart(2, '0')).join('');
    return `${value.type.name}:0x${hex}`;
  }
  const ref = value.ref;
  if (ref === null) return `${value.type.name}:null`;
  if (ref instanceof ExternRef) return `${value.type.name}:extern ${ref.id}`;
  if (typeof ref === 'function') return `${value.type.name}:func`;
  return `${value.type.name}:${typeof ref}`;
}

/** A readable text form of an expectation, for failure reports. */
export function describeExpected(value: SpecValue): string {
  return `${value.type}${value.lane_type ? `(${value.lane_type})` : ''}:${JSON.stringify(value.value)}`;
}
