/**
 * One case per component in /work/shared/conformance/components/: the host
 * implementations of its imports (checking what the guest passes, as jco's own
 * runtime tests for these wit-bindgen fixtures do) and the export calls to make.
 * Each case builds fresh imports per run, so host state (a scalar, dropped
 * resources) never leaks from the sandboxed run into the plain one.
 */
import { deepStrictEqual, strictEqual } from 'node:assert';
import { createWasi, type WasiOptions } from '../../../packages/sandbox/src/wasi/index.ts';

export interface Call {
  path: string;
  args?: unknown[];
}

export interface ComponentCase {
  file: string;
  /** Host imports for one run (fresh state each time). */
  imports: () => Record<string, Record<string, unknown>>;
  calls: Call[];
  /** Why the case cannot run yet, when it cannot. */
  todo?: string;
}

const identity = (x: unknown) => x;

function wasi(options: WasiOptions = {}): Record<string, Record<string, unknown>> {
  return createWasi(options);
}

export const CASES: ComponentCase[] = [
  {
    file: 'adder.component.wasm',
    imports: () => ({}),
    calls: [
      { path: 'docs:adder/add@0.1.0#add', args: [1, 2] },
      { path: 'docs:adder/add@0.1.0#add', args: [0xffffffff, 1] },
    ],
  },
  {
    file: 'smoke.component.wasm',
    imports: () => ({ ...wasi(), 'test:smoke/imports': { thunk: () => undefined } }),
    calls: [{ path: 'thunk' }],
  },
  {
    file: 'strings.component.wasm',
    imports: () => ({
      'test:strings/imports': {
        takeBasic: (s: string) => strictEqual(s, 'latin utf16'),
        returnUnicode: () => '🚀🚀🚀 𠈄𓀀',
      },
    }),
    calls: [
      { path: 'test-imports' },
      { path: 'return-empty' },
      { path: 'roundtrip', args: ['str'] },
      { path: 'roundtrip', args: ['🚀🚀🚀 𠈄𓀀'] },
    ],
  },
  {
    file: 'numbers.component.wasm',
    imports: () => {
      let scalar = 0;
      const t = Object.fromEntries(
        ['U8', 'S8', 'U16', 'S16', 'U32', 'S32', 'U64', 'S64', 'F32', 'F64', 'Char'].map((k) => [`roundtrip${k}`, identity]),
      );
      return { 'test:numbers/test': { ...t, setScalar: (x: number) => void (scalar = x), getScalar: () => scalar } };
    },
    calls: [
      { path: 'test-imports' },
      { path: 'test:numbers/test#roundtrip-u8', args: [255] },
      { path: 'test:numbers/test#roundtrip-s8', args: [-128] },
      { path: 'test:numbers/test#roundtrip-u16', args: [65535] },
      { path: 'test:numbers/test#roundtrip-s16', args: [-32768] },
      { path: 'test:numbers/test#roundtrip-u32', args: [0xffffffff] },
      { path: 'test:numbers/test#roundtrip-s32', args: [-(2 ** 31)] },
      { path: 'test:numbers/test#roundtrip-u64', args: [(1n << 64n) - 1n] },
      { path: 'test:numbers/test#roundtrip-s64', args: [-(1n << 63n)] },
      { path: 'test:numbers/test#roundtrip-f32', args: [Infinity] },
      { path: 'test:numbers/test#roundtrip-f64', args: [Number.NaN] },
      { path: 'test:numbers/test#roundtrip-char', args: ['🚩'] },
      { path: 'test:numbers/test#set-scalar', args: [4] },
      { path: 'test:numbers/test#get-scalar' },
    ],
  },
  {
    file: 'many-arguments.component.wasm',
    imports: () => ({
      imports: {
        manyArguments: (...args: bigint[]) => deepStrictEqual(args, Array.from({ length: 16 }, (_, i) => BigInt(i + 1))),
      },
    }),
    calls: [{ path: 'many-arguments', args: Array.from({ length: 16 }, (_, i) => BigInt(i + 1)) }],
  },
  {
    file: 'simple-nested.component.wasm',
    imports: () => ({ 'calvinrp:test-async-funcs/hello@0.1.0': { helloWorld: () => 'hello from the host' } }),
    calls: [{ path: 'calvinrp:test-async-funcs/hello@0.1.0#hello-world' }],
  },
  {
    file: 'lists.component.wasm',
    imports: () => ({
      ...wasi(),
      'test:lists/test': {
        emptyListParam: (a: Uint8Array) => deepStrictEqual([...a], []),
        emptyStringParam: (a: string) => strictEqual(a, ''),
        emptyListResult: () => new Uint8Array([]),
        emptyStringResult: () => '',
        listParam: (a: Uint8Array) => deepStrictEqual([...a], [1, 2, 3, 4]),
        listParam2: (a: string) => strictEqual(a, 'foo'),
        listParam3: (a: string[]) => deepStrictEqual(a, ['foo', 'bar', 'baz']),
        listParam4: (a: string[][]) => deepStrictEqual(a, [['foo', 'bar'], ['baz']]),
        listParam5: (a: unknown) => deepStrictEqual(a, [[1, 2, 3], [4, 5, 6]]),
        listResult: () => new Uint8Array([1, 2, 3, 4, 5]),
        listResult2: () => 'hello!',
        listResult3: () => ['hello,', 'world!'],
        listRoundtrip: identity,
        stringRoundtrip: identity,
        listMinmax8: (u: unknown, s: unknown) => [u, s],
        listMinmax16: (u: unknown, s: unknown) => [u, s],
        listMinmax32: (u: unknown, s: unknown) => [u, s],
        listMinmax64: (u: unknown, s: unknown) => [u, s],
        listMinmaxFloat: (f: unknown, d: unknown) => [f, d],
      },
    }),
    calls: [
      { path: 'test-imports' },
      { path: 'test:lists/test#empty-list-param', args: [new Uint8Array([])] },
      { path: 'test:lists/test#list-param', args: [new Uint8Array([1, 2, 3, 4])] },
      { path: 'test:lists/test#list-param3', args: [['foo', 'bar', 'baz']] },
      { path: 'test:lists/test#list-param4', args: [[['foo', 'bar'], ['baz']]] },
      { path: 'test:lists/test#list-result' },
      { path: 'test:lists/test#list-result2' },
      { path: 'test:lists/test#list-result3' },
      { path: 'test:lists/test#list-roundtrip', args: [new Uint8Array([1, 2, 3, 4])] },
      { path: 'test:lists/test#string-roundtrip', args: ['hello ⚑ world'] },
    ],
  },
  {
    file: 'records.component.wasm',
    imports: () => ({
      'test:records/test': {
        multipleResults: () => [4, 5],
        swapTuple: ([a, b]: [unknown, unknown]) => [b, a],
        roundtripFlags1: identity,
        roundtripFlags2: identity,
        roundtripFlags3: (...r: unknown[]) => r,
        roundtripRecord1: identity,
        tuple1: ([x]: [unknown]) => [x],
      },
    }),
    calls: [
      { path: 'test-imports' },
      { path: 'test:records/test#multiple-results' },
      { path: 'test:records/test#swap-tuple', args: [[1, 2]] },
      { path: 'test:records/test#roundtrip-flags1', args: [{ a: true }] },
      { path: 'test:records/test#roundtrip-flags2', args: [{ c: true, e: true }] },
      { path: 'test:records/test#roundtrip-record1', args: [{ a: 8, b: { a: true } }] },
      { path: 'test:records/test#tuple1', args: [[1]] },
    ],
  },
  {
    file: 'variants.component.wasm',
    imports: () => ({
      'test:variants/test': {
        roundtripOption: identity,
        roundtripResult: (x: { tag: string; val: number }) => {
          if (x.tag === 'ok') return x.val;
          throw Math.round(x.val); // jco: a thrown non-Error is the result's err payload
        },
        roundtripEnum: identity,
        invertBool: (x: boolean) => !x,
        variantCasts: identity,
        variantZeros: identity,
        variantTypedefs: () => undefined,
        variantEnums: (a: boolean, b: unknown, c: string) => {
          deepStrictEqual([a, b, c], [true, { tag: 'ok', val: undefined }, 'success']);
          return [false, { tag: 'err', val: undefined }, 'a'];
        },
      },
    }),
    calls: [
      { path: 'test-imports' },
      { path: 'test:variants/test#roundtrip-option', args: [1] },
      { path: 'test:variants/test#roundtrip-option', args: [undefined] },
      { path: 'test:variants/test#roundtrip-result', args: [{ tag: 'ok', val: 2 }] },
      { path: 'test:variants/test#roundtrip-enum', args: ['b'] },
      { path: 'test:variants/test#invert-bool', args: [true] },
      { path: 'test:variants/test#variant-casts', args: [[{ tag: 'a', val: 1 }, { tag: 'a', val: 2 }, { tag: 'a', val: 3 }, { tag: 'a', val: 4n }, { tag: 'a', val: 5n }, { tag: 'a', val: 6 }]] },
      { path: 'test:variants/test#variant-zeros', args: [[{ tag: 'a', val: 1 }, { tag: 'a', val: 2n }, { tag: 'b' }, { tag: 'a', val: 4 }]] },
    ],
  },
  {
    file: 'flavorful.component.wasm',
    imports: () => {
      let firstErr = true;
      return {
        'test:flavorful/test': {
          fListInRecord1: () => undefined,
          fListInRecord2: () => ({ a: 'list_in_record2' }),
          fListInRecord3: (x: { a: string }) => (strictEqual(x.a, 'list_in_record3 input'), { a: 'list_in_record3 output' }),
          fListInRecord4: (x: { a: string }) => (strictEqual(x.a, 'input4'), { a: 'result4' }),
          fListInVariant1: () => undefined,
          fListInVariant2: () => 'list_in_variant2',
          fListInVariant3: (x: string) => (strictEqual(x, 'input3'), 'output3'),
          errnoResult: () => {
            if (firstErr) {
              firstErr = false;
              throw 'b';
            }
          },
          listTypedefs: (x: string, y: string[]) => (deepStrictEqual([x, y], ['typedef1', ['typedef2']]), [new TextEncoder().encode('typedef3'), ['typedef4']]),
          listOfVariants: () => [[false, true], [{ tag: 'err', val: undefined }, { tag: 'ok', val: undefined }], ['a', 'b']],
        },
      };
    },
    calls: [
      { path: 'test-imports' },
      { path: 'test:flavorful/test#f-list-in-record2' },
      { path: 'test:flavorful/test#f-list-in-record3', args: [{ a: 'list_in_record3 input' }] },
      { path: 'test:flavorful/test#f-list-in-variant2' },
      { path: 'test:flavorful/test#f-list-in-variant3', args: ['input3'] },
      { path: 'test:flavorful/test#list-typedefs', args: ['typedef1', ['typedef2']] },
    ],
  },
  {
    file: 'resources.component.wasm',
    imports: () => {
      class Y {
        a: number;
        constructor(a: number) {
          this.a = a;
        }
        getA(): number {
          return this.a;
        }
        setA(a: number): void {
          this.a = a;
        }
        static add(y: Y, a: number): Y {
          return new Y(y.a + a);
        }
      }
      return { imports: { Y } };
    },
    calls: [{ path: 'exports#test-imports' }],
  },
  {
    file: 'hello_stdout.component.wasm',
    imports: () => wasi(),
    calls: [{ path: 'wasi:cli/run@0.2.3#run' }],
  },
  {
    file: 'env-allow.composed.wasm',
    imports: () => wasi({ env: { A: 'one', B: 'two' } }),
    calls: [{ path: 'test-get-env' }],
  },
  {
    file: 'stdio.composed.wasm',
    imports: () => wasi(),
    calls: [{ path: 'test-stdio' }],
  },
  {
    file: 'utf8-utf16.composed.wasm',
    imports: () => wasi(),
    calls: [{ path: 'wasi:cli/run@0.2.0#run' }],
  },
  {
    file: 'resource-borrow-simple.component.wasm',
    imports: () => ({}),
    calls: [],
    todo: 'its world imports a bare `test` function and a resource; host not written yet',
  },
  {
    file: 'async_call.component.wasm',
    imports: () => ({}),
    calls: [],
    todo: 'uses component-model async (run-async); needs async task support in the engine',
  },
];
