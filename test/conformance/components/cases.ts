/**
 * One case per component in /work/shared/conformance/components/: the host
 * implementations of its imports (checking what the guest passes, as jco's own
 * runtime tests for these wit-bindgen fixtures do) and the export calls to make.
 * Each case builds fresh imports per instance, so host state (a scalar, dropped
 * resources) never leaks from the sandboxed run into the plain one; `verify`
 * then checks what the guest did to each host.
 */
import { deepStrictEqual, ok, strictEqual } from 'node:assert';
import { createWasi, type WasiOptions } from '../../../packages/sandbox/src/wasi/index.ts';

/** Host imports keyed by interface name (world-level functions and resources: `{ default }`). */
export type HostImports = Record<string, Record<string, unknown>>;

export interface Call {
  path: string;
  args?: unknown[];
  /**
   * The guest traps on this call in plain jco too (by its own code, whatever the arguments):
   * both runs must trap with the same engine message, each on an instance of its own.
   */
  traps?: true;
}

export interface ComponentCase {
  file: string;
  /** Host imports for one instance (fresh state each time). */
  imports: () => HostImports;
  /** Checks, once a run's calls are done, what the guest did to the host it was given (throws if wrong). */
  verify?: (imports: HostImports) => void;
  /**
   * Host imports (`iface#func`) that return Promises, and the exports that may suspend on them,
   * as jco's own tests transpile the fixture. The sandbox loads with `asyncImports` (JSPI; every
   * export becomes suspendable there); the plain run transpiles with exactly these lists.
   */
  async?: { imports: string[]; exports: string[] };
  calls: Call[];
  /** Why the case cannot run yet, when it cannot. */
  todo?: string;
}

const identity = (x: unknown) => x;

/** The largest finite f32. */
const F32_MAX = 3.4028234663852886e38;

/** A `list-minmax*` import: checks both lists hold exactly the given extremes, then hands them back. */
function minmax(first: (number | bigint)[], second: (number | bigint)[]) {
  return (a: ArrayLike<number | bigint>, b: ArrayLike<number | bigint>) => {
    deepStrictEqual([Array.from(a), Array.from(b)], [first, second]);
    return [a, b];
  };
}

function wasi(options: WasiOptions = {}): HostImports {
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
    // Host checks as in wit-bindgen's JS host for the lists runtime test (tests/runtime/lists/host.ts):
    // the guest's test-imports passes the min and max of every element type and checks what comes back.
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
        listMinmax8: minmax([0, 255], [-128, 127]),
        listMinmax16: minmax([0, 65535], [-32768, 32767]),
        listMinmax32: minmax([0, 0xffffffff], [-(2 ** 31), 2 ** 31 - 1]),
        listMinmax64: minmax([0n, 2n ** 64n - 1n], [-(2n ** 63n), 2n ** 63n - 1n]),
        listMinmaxFloat: minmax([-F32_MAX, F32_MAX, -Infinity, Infinity], [-Number.MAX_VALUE, Number.MAX_VALUE, -Infinity, Infinity]),
      },
    }),
    calls: [
      { path: 'allocated-bytes' },
      { path: 'test-imports' },
      { path: 'test:lists/test#empty-list-param', args: [new Uint8Array([])] },
      { path: 'test:lists/test#empty-string-param', args: [''] },
      { path: 'test:lists/test#list-param', args: [new Uint8Array([1, 2, 3, 4])] },
      { path: 'test:lists/test#list-param2', args: ['foo'] },
      { path: 'test:lists/test#list-param3', args: [['foo', 'bar', 'baz']] },
      { path: 'test:lists/test#list-param4', args: [[['foo', 'bar'], ['baz']]] },
      { path: 'test:lists/test#empty-list-result' },
      { path: 'test:lists/test#empty-string-result' },
      { path: 'test:lists/test#list-result' },
      { path: 'test:lists/test#list-result2' },
      { path: 'test:lists/test#list-result3' },
      // A view into the middle of a larger buffer, as wit-bindgen's host passes it.
      { path: 'test:lists/test#list-roundtrip', args: [new Uint8Array(new Uint8Array([0, 0, 1, 2, 3, 4, 0, 0]).buffer, 2, 4)] },
      { path: 'test:lists/test#string-roundtrip', args: ['x'] },
      { path: 'test:lists/test#string-roundtrip', args: [''] },
      { path: 'test:lists/test#string-roundtrip', args: ['hello ⚑ world'] },
      // The same count as the first call: the glue freed everything it allocated in the guest.
      { path: 'allocated-bytes' },
      // This guest is wit-bindgen's C lists test (tests/runtime/lists/wasm.c), whose list-minmax*
      // exports are `assert(0); // unimplemented`: they trap on any arguments (wit-bindgen's own host
      // never calls them). We make them anyway, with the values that host would pass, and require
      // the same trap in both runs.
      { path: 'test:lists/test#list-minmax8', args: [new Uint8Array([0, 255]), new Int8Array([-128, 127])], traps: true },
      { path: 'test:lists/test#list-minmax16', args: [new Uint16Array([0, 65535]), new Int16Array([-32768, 32767])], traps: true },
      { path: 'test:lists/test#list-minmax32', args: [new Uint32Array([0, 0xffffffff]), new Int32Array([-(2 ** 31), 2 ** 31 - 1])], traps: true },
      { path: 'test:lists/test#list-minmax64', args: [new BigUint64Array([0n, 2n ** 64n - 1n]), new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n])], traps: true },
      {
        path: 'test:lists/test#list-minmax-float',
        args: [new Float32Array([-F32_MAX, F32_MAX, -Infinity, Infinity]), new Float64Array([-Number.MAX_VALUE, Number.MAX_VALUE, -Infinity, Infinity])],
        traps: true,
      },
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
    // jco's host for this fixture: `new R()` is the resource's constructor, and `test` gets a borrow
    // of the very R the guest made. The counters live on the class, one class per instance.
    file: 'resource-borrow-simple.component.wasm',
    imports: () => {
      class R {
        static constructed = 0;
        static borrowed = 0;
        constructor() {
          R.constructed++;
        }
      }
      const test = (r: unknown) => {
        ok(r instanceof R, 'test() must be handed the host R the guest constructed');
        R.borrowed++;
      };
      return { r: { default: R }, test: { default: test } };
    },
    verify: (imports) => {
      const R = imports.r.default as { constructed: number; borrowed: number };
      deepStrictEqual({ constructed: R.constructed, borrowed: R.borrowed }, { constructed: 1, borrowed: 1 });
    },
    calls: [{ path: 'test-imports' }],
  },
  {
    // Not component-model async: a plain sync-lifted component whose `call-async` import jco's own
    // tests bind as a Promise-returning host function through JSPI (asyncImports/asyncExports).
    file: 'async_call.component.wasm',
    async: { imports: ['something:test/test-interface#call-async'], exports: ['run-async'] },
    imports: () => ({
      'something:test/test-interface': {
        // Settles on a later macrotask, so the guest really stays suspended across the event loop.
        callAsync: () => new Promise<string>((resolve) => setTimeout(() => resolve('called async'), 1)),
        callSync: () => 'called sync',
      },
    }),
    calls: [{ path: 'run-sync' }, { path: 'run-async' }, { path: 'run-async' }, { path: 'run-sync' }],
  },
];
