import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decodeModule, encodeModule, featureNames, scanCode, type WasmModule } from './index.ts';

/** Compiles WAT with wabt (`apt-get install wabt`), all proposals enabled. */
const wat = (text: string) => new Uint8Array(execFileSync('wat2wasm', ['--enable-all', '-', '--output=-'], { input: text }));

/** A module with one `[] -> []` function whose body is `body` (which must end with 0x0b). */
function moduleWithBody(body: number[], extra: Partial<WasmModule> = {}): Uint8Array {
  return encodeModule({
    types: [{ params: [], results: [] }], imports: [], functions: [0], tables: [], memories: [], tags: [], globals: [],
    exports: [], start: undefined, elements: [], dataCount: undefined, data: [], customs: [], present: new Set(), features: 0,
    code: [{ locals: [], body: new Uint8Array(body), offset: 0 }],
    ...extra,
  });
}

const thrown = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as { code: string; message: string; details?: Record<string, unknown> };
  }
  throw new Error('expected a throw');
};

const FEATURES: [string, string, string][] = [
  ['mvp', `(module (memory 1) (table 2 funcref) (global $g (mut i32) (i32.const 1))
    (func $f (param i32) (result i32) local.get 0 if (result i32) i32.const 1 else global.get $g end
      drop block i32.const 0 br_table 0 0 end i32.const 0 i32.load offset=4 i32.const 0 call_indirect (type 0) f64.const 1.5 drop)
    (elem (i32.const 0) $f $f) (data (i32.const 8) "hi") (start $s) (func $s) (export "f" (func $f)))`, ''],
  ['multi-value', `(module (func (result i32 i64) i32.const 1 i64.const 2 block (param i32 i64) (result i32 i64) end))`, 'multi-value'],
  ['sign-extension', `(module (func (param i32) (result i32) local.get 0 i32.extend8_s))`, 'sign-extension'],
  ['saturating', `(module (func (param f32) (result i32) local.get 0 i32.trunc_sat_f32_s))`, 'saturating-float-to-int'],
  ['bulk-memory', `(module (memory 1) (data $d "abc") (func (memory.init $d (i32.const 0) (i32.const 0) (i32.const 1))
    data.drop $d (memory.copy (i32.const 0) (i32.const 1) (i32.const 1)) (memory.fill (i32.const 0) (i32.const 0) (i32.const 1))))`, 'bulk-memory'],
  ['reference-types', `(module (table $t 1 externref) (table $u 1 funcref) (elem declare func $f) (func $f (param externref)
    (table.set $t (i32.const 0) (local.get 0)) (drop (table.grow $t (ref.null extern) (i32.const 1)))
    (drop (ref.is_null (ref.func $f))) (table.fill $u (i32.const 0) (ref.null func) (i32.const 0)) (drop (table.size $t))
    (table.copy $u $u (i32.const 0) (i32.const 0) (i32.const 0)) (drop (select (result externref) (local.get 0) (local.get 0) (i32.const 1)))))`, 'reference-types'],
  ['simd', `(module (memory 1) (func (result v128) (drop (v128.load8_lane offset=1 3 (i32.const 0) (v128.const i32x4 1 2 3 4)))
    (drop (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 (v128.load32_zero (i32.const 0)) (v128.const i64x2 0 0)))
    (drop (i64x2.extract_lane 1 (v128.const i64x2 0 0))) (v128.store16_lane 2 (i32.const 0) (v128.const i64x2 0 0))
    (i32x4.add (v128.const i64x2 1 1) (f64x2.promote_low_f32x4 (v128.load (i32.const 0))))))`, 'simd'],
  ['relaxed-simd', `(module (func (param v128 v128 v128) (result v128) (i32x4.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2))
    (i8x16.relaxed_swizzle (local.get 0)) (f32x4.relaxed_madd (local.get 1) (local.get 2))))`, 'relaxed-simd'],
  ['extended-const', `(module (import "m" "g" (global $a i32)) (global i32 (i32.add (global.get $a) (i32.mul (i32.const 2) (i32.const 3)))))`, 'extended-const'],
  ['tail-call', `(module (type $t (func)) (table 1 funcref) (func $f return_call $f) (func (return_call_indirect (type $t) (i32.const 0))))`, 'tail-call'],
  ['threads', `(module (memory 1 1 shared) (func (param i32) (drop (i32.atomic.rmw.add offset=8 (local.get 0) (i32.const 1)))
    (drop (memory.atomic.wait32 (local.get 0) (i32.const 0) (i64.const -1))) atomic.fence
    (drop (i64.atomic.rmw32.cmpxchg_u (local.get 0) (i64.const 1) (i64.const 2)))))`, 'threads'],
  ['multi-memory', `(module (memory $a 1) (memory $b 2) (data (memory $b) (i32.const 0) "x")
    (func (result i32) (i32.store $b (i32.const 0) (i32.load $a offset=4 (i32.const 0))) (memory.copy $a $b (i32.const 0) (i32.const 0) (i32.const 1))
    (drop (memory.grow $b (i32.const 1))) (memory.size $b)))`, 'multi-memory'],
  ['exceptions', `(module (tag $e (param i32)) (func (result i32) try (result i32) i32.const 1 throw $e catch $e catch_all i32.const 2 end
    try try nop delegate 0 catch_all end try catch_all rethrow 0 end))`, 'exceptions'],
];

describe('decoding and re-encoding', () => {
  for (const [label, text, feature] of FEATURES) {
    it(`round-trips ${label} byte for byte${feature ? ` and reports '${feature}'` : ''}`, () => {
      const bytes = wat(text);
      const module = decodeModule(bytes);
      const features = featureNames(scanCode(module));
      expect(encodeModule(module)).toEqual(bytes);
      if (feature) expect(features).toContain(feature);
      else expect(features).toEqual([]);
    });
  }

  it('round-trips all 8 element segment encodings and all 3 data encodings', () => {
    const bytes = wat(`(module (table $t 4 funcref) (table $u 4 funcref) (memory 1) (memory 1) (func $f)
      (elem (i32.const 0) func $f) (elem func $f) (elem (table $u) (i32.const 0) func $f) (elem declare func $f)
      (elem (i32.const 1) funcref (ref.null func)) (elem funcref (ref.null func)) (elem (table $u) (i32.const 1) funcref (ref.null func))
      (elem declare funcref (ref.null func))
      (data (i32.const 0) "a") (data "b") (data (memory 1) (i32.const 0) "c"))`);
    const module = decodeModule(bytes);
    expect(module.elements.map((e) => e.flags)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(module.elements.map((e) => e.mode)).toEqual(['active', 'passive', 'active', 'declarative', 'active', 'passive', 'active', 'declarative']);
    expect(module.data.map((d) => d.flags)).toEqual([0, 1, 2]);
    expect(encodeModule(module)).toEqual(bytes);
  });

  it('keeps custom sections in place, including the name section', () => {
    const bytes = wat(`(module (func $named (local $x i32)) (global $g i32 (i32.const 0)))`);
    const withNames = new Uint8Array(execFileSync('wat2wasm', ['--debug-names', '-', '--output=-'], { input: '(module (func $named (local $x i32)))' }));
    for (const b of [bytes, withNames]) expect(encodeModule(decodeModule(b))).toEqual(b);
    expect(decodeModule(withNames).customs.map((c) => c.name)).toEqual(['name']);
  });

  it('decodes try_table and throw_ref (exception handling with exnref)', () => {
    // (tag $e) (func (block $l (result exnref) (try_table (catch_all_ref $l) (throw $e)) unreachable) throw_ref)
    const body = [0x02, 0x69, 0x1f, 0x40, 0x01, 0x03, 0x00, 0x08, 0x00, 0x0b, 0x00, 0x0b, 0x0a, 0x0b];
    const bytes = moduleWithBody(body, { tags: [0] });
    const module = decodeModule(bytes);
    expect(featureNames(scanCode(module))).toContain('exceptions');
    expect(encodeModule(module)).toEqual(bytes);
  });

  it('names an unknown opcode in hex with its byte offset', () => {
    const bytes = moduleWithBody([0x01, 0x27, 0x0b]);
    const at = bytes.lastIndexOf(0x27);
    const e = thrown(() => scanCode(decodeModule(bytes)));
    expect(e.code).toBe('unsupported-feature');
    expect(e.message).toContain('0x27');
    expect(e.details).toMatchObject({ opcode: '0x27', offset: at });
  });

  it('names an unknown prefixed opcode (0xfd 0x114, past relaxed SIMD)', () => {
    const bytes = moduleWithBody([0xfd, 0x94, 0x02, 0x0b]);
    const e = thrown(() => scanCode(decodeModule(bytes)));
    expect(e.code).toBe('unsupported-feature');
    expect(e.details).toMatchObject({ opcode: '0xfd 0x114', offset: bytes.length - 4 });
  });

  it('refuses GC types as unsupported rather than malformed', () => {
    const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 3, 1, 0x5f, 0]);
    expect(thrown(() => decodeModule(bytes)).code).toBe('unsupported-feature');
  });
});

describe('malformed binaries', () => {
  const good = wat('(module (type (func)) (func (type 0)) (memory 1) (export "m" (memory 0)))');
  const cases: [string, Uint8Array, string][] = [
    ['empty input', new Uint8Array(0), 'unexpected end'],
    ['a bad magic number', new Uint8Array([0, 0x61, 0x73, 0x6e, 1, 0, 0, 0]), 'magic header'],
    ['an unknown version', new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0]), 'unknown binary version'],
    ['a component', new Uint8Array([0, 0x61, 0x73, 0x6d, 0x0d, 0, 1, 0]), 'component'],
    ['an unknown section id', new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 14, 0]), 'unknown section id 14'],
    ['sections out of order', new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 3, 1, 0, 1, 1, 0]), 'out of order'],
    ['a duplicate section', new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 1, 0, 1, 1, 0]), 'duplicate section'],
    ['a section size past the end', new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 9, 0]), 'exceeds'],
    ['a section size mismatch', new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 2, 0, 0]), 'size mismatch'],
    ['a function without code', new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0]), 'inconsistent lengths'],
    ['an overlong LEB count', new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 6, 0x80, 0x80, 0x80, 0x80, 0x80, 0]), 'too long'],
    ['a truncated module', good.subarray(0, good.length - 3), 'unexpected end'],
    ['a shared memory without a maximum', new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 3, 1, 2, 0]), 'shared memory must have a maximum'],
    ['data.drop without a data count section', moduleWithBody([0xfc, 0x09, 0x00, 0x0b], { data: [{ flags: 1, memoryIndex: 0, offset: undefined, data: new Uint8Array(0) }] }), 'data count section required'],
    ['an element segment of i32', new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 9, 4, 1, 5, 0x7f, 0]), 'malformed reference type'],
  ];
  for (const [label, bytes, text] of cases) {
    it(`refuses ${label} with invalid-component and an offset`, () => {
      const e = thrown(() => scanCode(decodeModule(bytes)));
      expect(e.code).toBe('invalid-component');
      expect(e.message).toContain(text);
      expect(typeof e.details?.offset).toBe('number');
    });
  }

  it('refuses every truncation of a valid module, except at a section boundary where the prefix is a module', () => {
    let refused = 0;
    for (let n = 0; n < good.length; n++) {
      const prefix = good.subarray(0, n);
      try {
        const module = decodeModule(prefix);
        scanCode(module);
        expect(encodeModule(module), `prefix of ${n} bytes`).toEqual(prefix);
      } catch (e) {
        expect((e as { code: string }).code, `prefix of ${n} bytes`).toBe('invalid-component');
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(good.length - 8);
  });
});
