import { describe, expect, it } from 'vitest';
import { Driver } from './driver.ts';
import { buildModule, T } from './fixtures.ts';
import { readExportTypes, type FuncType } from './module-types.ts';
import { describeValue, externRef } from './values.ts';

function instantiate(bytes: Uint8Array) {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>));
  const types = readExportTypes(bytes);
  const funcType = (name: string): FuncType => {
    const t = types.get(name);
    if (t?.kind !== 'func') throw new Error(`${name} is not a function`);
    return t.type;
  };
  return { exports: instance.exports, types, funcType };
}

const bits32 = (n: number): Uint8Array => new Uint8Array(new Uint32Array([n]).buffer);

describe('Driver', () => {
  it('passes a signalling f32 NaN through a call without quieting it', () => {
    const m = instantiate(buildModule({ funcs: [{ params: [T.f32], results: [T.f32], body: [0x20, 0x00], export: 'id' }] }));
    const [result] = new Driver().call({ fn: m.exports.id, type: m.funcType('id'), args: [bits32(0x7fa00001)] });
    expect(describeValue(result)).toBe('f32:0x7fa00001');
  });

  it('returns v128 results as their 16 bytes', () => {
    // v128.const i32x4 1 2 3 4
    const konst = [0xfd, 0x0c, ...new Uint8Array(new Uint32Array([1, 2, 3, 4]).buffer)];
    const m = instantiate(buildModule({ funcs: [{ results: [T.v128], body: konst, export: 'v' }] }));
    const [result] = new Driver().call({ fn: m.exports.v, type: m.funcType('v'), args: [] });
    expect(describeValue(result)).toBe('v128:0x00000004000000030000000200000001');
  });

  it('mixes references and numbers in parameters and multiple results', () => {
    // (func (param externref i64) (result i64 externref) local.get 1 local.get 0)
    const m = instantiate(buildModule({
      funcs: [{ params: [T.externref, T.i64], results: [T.i64, T.externref], body: [0x20, 0x01, 0x20, 0x00], export: 'swap' }],
    }));
    const ref = externRef('7');
    const i64 = new Uint8Array(new BigUint64Array([0xfedcba9876543210n]).buffer);
    const results = new Driver().call({ fn: m.exports.swap, type: m.funcType('swap'), args: [{ ref }, i64] });
    expect(results.map(describeValue)).toEqual(['i64:0xfedcba9876543210', 'externref:extern 7']);
  });

  it('reads a mutable global exactly', () => {
    const m = instantiate(buildModule({ globals: [{ type: T.f32, mutable: true, init: [0x43, 0x01, 0x00, 0xa0, 0x7f], export: 'g' }] }));
    const type = m.types.get('g');
    if (type?.kind !== 'global') throw new Error('g is not a global');
    expect(type.mutable).toBe(true);
    expect(describeValue(new Driver().read({ global: m.exports.g, type: type.type, mutable: true }))).toBe('f32:0x7fa00001');
  });

  it('lets traps escape as RuntimeError', () => {
    const m = instantiate(buildModule({ funcs: [{ body: [0x00], export: 'boom' }] }));
    expect(() => new Driver().call({ fn: m.exports.boom, type: m.funcType('boom'), args: [] })).toThrow(WebAssembly.RuntimeError);
  });
});
