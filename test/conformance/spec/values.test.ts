import { describe, expect, it } from 'vitest';
import type { RawValue } from './driver.ts';
import { externRef, matches, toArgument } from './values.ts';

const f32 = (bits: number): RawValue => ({ type: { name: 'f32', bytes: [0x7d] }, bytes: new Uint8Array(new Uint32Array([bits]).buffer) });
const f64 = (bits: bigint): RawValue => ({ type: { name: 'f64', bytes: [0x7c] }, bytes: new Uint8Array(new BigUint64Array([bits]).buffer) });
const v128 = (lanes: number[]): RawValue => ({ type: { name: 'v128', bytes: [0x7b] }, bytes: new Uint8Array(new Uint32Array(lanes).buffer) });

describe('matches', () => {
  it('accepts only the canonical NaN (either sign) for nan:canonical', () => {
    expect(matches(f32(0x7fc00000), { type: 'f32', value: 'nan:canonical' })).toBe(true);
    expect(matches(f32(0xffc00000), { type: 'f32', value: 'nan:canonical' })).toBe(true);
    expect(matches(f32(0x7fc00001), { type: 'f32', value: 'nan:canonical' })).toBe(false);
  });

  it('accepts any quiet NaN for nan:arithmetic but not a signalling one', () => {
    expect(matches(f64(0x7ff8000000000001n), { type: 'f64', value: 'nan:arithmetic' })).toBe(true);
    expect(matches(f64(0x7ff4000000000000n), { type: 'f64', value: 'nan:arithmetic' })).toBe(false);
  });

  it('compares numbers by bits, so -0 differs from 0', () => {
    expect(matches(f32(0x80000000), { type: 'f32', value: '0' })).toBe(false);
    expect(matches(f32(0x80000000), { type: 'f32', value: '2147483648' })).toBe(true);
  });

  it('checks v128 lane by lane with NaN patterns per lane', () => {
    const value = v128([0x7fc00000, 1, 0xffc00000, 0x7f800000]);
    expect(matches(value, { type: 'v128', lane_type: 'f32', value: ['nan:canonical', '1', 'nan:arithmetic', '2139095040'] })).toBe(true);
    expect(matches(value, { type: 'v128', lane_type: 'f32', value: ['nan:canonical', '1', 'nan:arithmetic', '0'] })).toBe(false);
    expect(matches(value, { type: 'v128', lane_type: 'i64', value: ['4290772992', '0'] })).toBe(false);
  });

  it('checks extern references by identity and null', () => {
    const type = { name: 'externref', bytes: [0x6f] };
    expect(matches({ type, ref: externRef('1') }, { type: 'externref', value: '1' })).toBe(true);
    expect(matches({ type, ref: externRef('2') }, { type: 'externref', value: '1' })).toBe(false);
    expect(matches({ type, ref: null }, { type: 'externref', value: 'null' })).toBe(true);
  });
});

describe('toArgument', () => {
  it('encodes negative decimals as two\'s complement and v128 lanes little-endian', () => {
    expect([...(toArgument({ type: 'i32', value: '-1' }) as Uint8Array)]).toEqual([255, 255, 255, 255]);
    const v = toArgument({ type: 'v128', lane_type: 'i16', value: ['1', '2', '3', '4', '5', '6', '7', '65535'] }) as Uint8Array;
    expect([...v.slice(0, 4)]).toEqual([1, 0, 2, 0]);
    expect([...v.slice(14)]).toEqual([255, 255]);
  });
});
