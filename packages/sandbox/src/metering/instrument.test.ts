import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AgentOsError } from '../errors/index.ts';
import { ByteReader, decodeModule } from '../wasm/index.ts';
import { DEFAULT_LIMITS, inspectModule, instrument, type InstrumentOptions } from './index.ts';

/** Compiles WAT with wabt (`apt-get install wabt`), all proposals enabled. */
const wat = (text: string) => new Uint8Array(execFileSync('wat2wasm', ['--enable-all', '-', '--output=-'], { input: text }));

interface Run {
  exports: Record<string, (...args: number[]) => number>;
  fuel: WebAssembly.Global;
  memory?: WebAssembly.Memory;
}

/** Instantiates a metered module whose `exhausted` throws out-of-fuel, as the host does without JSPI. */
function run(text: string, fuel: bigint, options: InstrumentOptions & { imports?: WebAssembly.Imports } = {}): Run {
  const { imports = {}, ...rest } = options;
  const { bytes } = instrument(wat(text), rest);
  const global = new WebAssembly.Global({ value: 'i64', mutable: true }, fuel);
  const exhausted = () => {
    throw new AgentOsError('out-of-fuel', 'fuel budget spent');
  };
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), {
    ...imports,
    'agentos:fuel': { fuel: global, exhausted },
  });
  const exports = instance.exports as Record<string, unknown>;
  return { exports: exports as Run['exports'], fuel: global, memory: exports.memory as WebAssembly.Memory | undefined };
}

/** The function-names subsection of the name section as [index, name] pairs. */
function functionNames(bytes: Uint8Array): [number, string][] {
  const section = decodeModule(bytes).customs.find((c) => c.name === 'name');
  if (!section) return [];
  const r = new ByteReader(section.payload);
  while (!r.eof) {
    const id = r.u8();
    const size = r.u32();
    if (id !== 1) {
      r.skip(size);
      continue;
    }
    const out: [number, string][] = [];
    for (let n = r.u32(); n > 0; n--) out.push([r.u32(), r.name()]);
    return out;
  }
  return [];
}

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof AgentOsError) return e.code;
    if (e instanceof RangeError) return 'RangeError';
    throw e;
  }
  return 'none';
};

const SUM = `(module (func (export "sum") (param $n i32) (result i32) (local $acc i32)
  block
    loop
      local.get $n i32.eqz br_if 1
      local.get $acc local.get $n i32.add local.set $acc
      local.get $n i32.const 1 i32.sub local.set $n
      br 0
    end
  end
  local.get $acc)
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))`;

for (const counter of ['auto', 'global', 'local'] as const) {
  describe(`fuel metering (counter in a ${counter})`, () => {
    it('charges a straight-line function exactly its instruction count', () => {
      const r = run(SUM, 1000n, { counter });
      expect(r.exports.add(2, 3)).toBe(5);
      expect(1000n - (r.fuel.value as bigint)).toBe(3n);
    });

    it('charges a loop per iteration: 12n + 15 units for n iterations', () => {
      const r = run(SUM, 1_000_000n, { counter });
      expect(r.exports.sum(10)).toBe(55);
      expect(1_000_000n - (r.fuel.value as bigint)).toBe(135n);
      r.fuel.value = 1_000_000n;
      expect(r.exports.sum(0)).toBe(0);
      expect(1_000_000n - (r.fuel.value as bigint)).toBe(15n);
    });

    it('stops an infinite loop with out-of-fuel after exactly the budget', () => {
      const r = run('(module (func (export "spin") (loop br 0)))', 10_000n, { counter });
      expect(codeOf(() => r.exports.spin())).toBe('out-of-fuel');
      expect(r.fuel.value).toBe(-1n);
    });

    it('stops a loop that only calls a cheap host import', () => {
      let ticks = 0;
      const r = run('(module (import "env" "tick" (func)) (func (export "run") (loop (call 0) (br 0))))', 1000n, {
        counter,
        imports: { env: { tick: () => void ticks++ } },
      });
      expect(codeOf(() => r.exports.run())).toBe('out-of-fuel');
      expect(ticks).toBe(333);
    });

    it('charges memory.fill by its length, before it runs', () => {
      const text = `(module (memory (export "memory") 1) (func (export "fill") (param i32)
        (memory.fill (i32.const 0) (i32.const 7) (local.get 0))))`;
      const r = run(text, 100n, { counter });
      r.exports.fill(64);
      expect(100n - (r.fuel.value as bigint)).toBe(5n); // 4 instructions + 64/64
      expect(codeOf(() => r.exports.fill(65536))).toBe('out-of-fuel');
      expect(new Uint8Array(r.memory!.buffer)[100]).toBe(0); // the big fill never ran
    });

    it('runs out of fuel fast on a loop of huge memory.fill calls', () => {
      const text = `(module (memory 16) (func (export "burn")
        (loop (memory.fill (i32.const 0) (i32.const 1) (i32.const 1048576)) (br 0))))`;
      const r = run(text, 1_000_000n, { counter });
      expect(codeOf(() => r.exports.burn())).toBe('out-of-fuel');
      // 16384 units per fill: at most ~61 fills of 1 MiB for a million units.
      expect(r.fuel.value as bigint).toBeLessThan(0n);
    });

    it('charges table.copy by its length', () => {
      const text = `(module (table 64 funcref) (func (export "copy") (param i32)
        (table.copy (i32.const 0) (i32.const 0) (local.get 0))))`;
      const r = run(text, 1000n, { counter });
      r.exports.copy(64);
      expect(1000n - (r.fuel.value as bigint)).toBe(4n + 8n);
    });

    it('turns unbounded recursion into a RangeError and leaves the next instance working', () => {
      const text = '(module (func $f (export "f") (call $f)) (func (export "ok") (result i32) i32.const 7))';
      const first = run(text, 2n ** 62n, { counter });
      expect(codeOf(() => first.exports.f())).toBe('RangeError');
      const second = run(text, 1000n, { counter });
      expect(second.exports.ok()).toBe(7);
    });

    it('charges a function that leaves through br_if to its own label', () => {
      const r = run('(module (func (export "early") (param i32) (result i32) i32.const 7 local.get 0 br_if 0 drop i32.const 9))', 100n, { counter });
      expect(r.exports.early(1)).toBe(7);
      expect(100n - (r.fuel.value as bigint)).toBe(5n);
      expect(r.exports.early(0)).toBe(9);
      expect(100n - (r.fuel.value as bigint)).toBe(10n);
    });

    it('stops a loop over a metered leaf function, which itself carries no check', () => {
      const text = `(module (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
        (func (export "run") (param $i i32) (loop (local.set $i (call $leaf (local.get $i))) (br 0))))`;
      const r = run(text, 10_000n, { counter });
      expect(codeOf(() => r.exports.run(0))).toBe('out-of-fuel');
      // Each iteration: local.get, call, local.set, br = 5, plus 3 in the leaf.
      expect(r.fuel.value as bigint).toBeLessThan(0n);
      expect(r.fuel.value as bigint).toBeGreaterThanOrEqual(-8n);
      const leaf = decodeModule(instrument(wat(text), { counter }).bytes).code[0].body;
      const callsExhausted = leaf.some((b, i) => b === 0x10 && leaf[i + 1] === 0x00);
      expect(callsExhausted).toBe(false);
    });

    it('continues after exhausted() refills the counter (the JSPI slice protocol)', () => {
      const { bytes } = instrument(wat(SUM), { counter });
      let refills = 0;
      const fuel = new WebAssembly.Global({ value: 'i64', mutable: true }, 50n);
      const exhausted = () => {
        refills++;
        fuel.value = (fuel.value as bigint) + 50n;
      };
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), {
        'agentos:fuel': { fuel, exhausted },
      });
      expect((instance.exports.sum as (n: number) => number)(100)).toBe(5050);
      // 12 * 100 + 15 = 1215 units in slices of 50: the account balances exactly.
      expect(50n + 50n * BigInt(refills) - (fuel.value as bigint)).toBe(1215n);
      expect(refills).toBe(24);
    });

    it('keeps calls between metered functions on one account', () => {
      const text = `(module (func $leaf (result i32) i32.const 1)
        (func (export "outer") (result i32) (i32.add (call $leaf) (call $leaf))))`;
      const r = run(text, 1000n, { counter });
      expect(r.exports.outer()).toBe(2);
      // outer: call, call, i32.add = 2+2+1; leaf: 1 each.
      expect(1000n - (r.fuel.value as bigint)).toBe(7n);
    });
  });
}

describe('memory and table caps', () => {
  it('makes a memory.grow bomb return -1 at the cap', () => {
    const text = `(module (memory (export "memory") 1) (func (export "grow") (result i32)
      (loop (if (i32.ne (memory.grow (i32.const 1)) (i32.const -1)) (then (br 1)))) (memory.size)))`;
    const r = run(text, 2n ** 62n, { maxMemoryBytes: 4 * 1024 * 1024 });
    expect(r.exports.grow()).toBe(64);
    expect(r.memory!.buffer.byteLength).toBe(4 * 1024 * 1024);
  });

  it('refuses a memory whose minimum is above the cap', () => {
    expect(codeOf(() => instrument(wat('(module (memory 100))'), { maxMemoryBytes: 65536 }))).toBe('memory-limit');
    expect(codeOf(() => instrument(wat('(module (import "m" "mem" (memory 3)))'), { maxMemoryBytes: 65536 }))).toBe('memory-limit');
  });

  it('lowers a larger maximum, keeps a smaller one and keeps the shared flag', () => {
    const { bytes } = instrument(wat('(module (memory 1 100 shared) (memory 1 2) (table 1 funcref))'), {
      maxMemoryBytes: 10 * 65536, maxTableElements: 50, meter: false,
    });
    const m = decodeModule(bytes);
    expect(m.memories.map((l) => [l.max, l.shared])).toEqual([[10, true], [2, false]]);
    expect(m.tables[0].limits.max).toBe(50);
  });

  it('with meter: false applies caps without adding fuel imports', () => {
    const { bytes, stats } = instrument(wat('(module (memory 1) (func (export "f")))'), { meter: false, maxMemoryBytes: 65536 });
    const m = decodeModule(bytes);
    expect(m.imports).toEqual([]);
    expect(m.memories[0].max).toBe(1);
    expect(stats).toEqual({ functions: 1, trampolines: 0, codeBytes: 2, features: [] });
  });
});

describe('what instrument refuses', () => {
  it('refuses empty, truncated and non-wasm input with invalid-component', () => {
    const good = wat('(module (func (export "f") (result i32) i32.const 1))');
    expect(codeOf(() => instrument(new Uint8Array(0)))).toBe('invalid-component');
    expect(codeOf(() => instrument(good.subarray(0, good.length - 2)))).toBe('invalid-component');
    expect(codeOf(() => instrument(new TextEncoder().encode('(module)')))).toBe('invalid-component');
  });

  it('refuses oversized binaries and modules over a static limit with limit-exceeded', () => {
    const good = wat('(module (func) (func) (func (local i32 i32 i32)))');
    expect(codeOf(() => instrument(good, { limits: { maxModuleBytes: 10 } }))).toBe('limit-exceeded');
    expect(codeOf(() => instrument(good, { limits: { maxFunctions: 2 } }))).toBe('limit-exceeded');
    expect(codeOf(() => instrument(good, { limits: { maxLocalsPerFunction: 2 } }))).toBe('limit-exceeded');
    expect(DEFAULT_LIMITS.maxModuleBytes).toBe(128 * 1024 * 1024);
  });

  it('refuses option values that cannot work with invalid-argument', () => {
    const bytes = wat('(module)');
    expect(codeOf(() => instrument(bytes, { maxMemoryBytes: -1 }))).toBe('invalid-argument');
    expect(codeOf(() => instrument(bytes, { counter: 'register' as never }))).toBe('invalid-argument');
    expect(codeOf(() => instrument(bytes, { limits: { maxFuncs: 1 } as never }))).toBe('invalid-argument');
    expect(codeOf(() => instrument('(module)' as never))).toBe('invalid-argument');
  });

  it('refuses a module the host finds invalid (type error)', () => {
    const bytes = wat('(module (func (result i32) i32.const 1))');
    const i = bytes.lastIndexOf(0x41); // i32.const -> i64.const makes a type error
    bytes[i] = 0x42;
    expect(codeOf(() => instrument(bytes))).toBe('invalid-component');
  });

  it('never turns an invalid local index into a valid one (even without host validation)', () => {
    // (func (result i64) local.get 0) has no local 0; the counter local we add is an i64.
    const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7e, 3, 2, 1, 0, 0x0a, 6, 1, 4, 0, 0x20, 0, 0x0b]);
    expect(WebAssembly.validate(bytes)).toBe(false);
    expect(codeOf(() => instrument(bytes, { validate: false, counter: 'local' }))).toBe('invalid-component');
  });

  it('refuses a module that imports the fuel namespace itself', () => {
    const bytes = wat('(module (import "agentos:fuel" "fuel" (global (mut i64))))');
    expect(codeOf(() => instrument(bytes))).toBe('invalid-component');
  });

  it('never crashes on bit-flipped binaries: an AgentOsError, or output the host accepts', () => {
    const base = wat(SUM.replace('(module', '(module (memory 1) (data (i32.const 0) "abc") (global (mut i32) (i32.const 0)) (export "m" (memory 0))'));
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0);
    let refused = 0;
    for (let i = 0; i < 400; i++) {
      const bytes = base.slice();
      const flips = 1 + (next() % 3);
      for (let f = 0; f < flips; f++) bytes[next() % bytes.length] ^= 1 << (next() % 8);
      try {
        const out = instrument(bytes);
        expect(WebAssembly.validate(bytes)).toBe(true);
        expect(WebAssembly.validate(out.bytes as Uint8Array<ArrayBuffer>)).toBe(true);
      } catch (e) {
        expect(e).toBeInstanceOf(AgentOsError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(100);
  });
});

describe('inspectModule', () => {
  it('reports imports, exports, memories, tables, counts and features without rewriting', () => {
    const bytes = wat(`(module (import "env" "f" (func)) (import "env" "mem" (memory 1 2)) (table 3 funcref)
      (func (export "run") (param i32) (memory.fill (i32.const 0) (i32.const 0) (local.get 0))) (func))`);
    const info = inspectModule(bytes);
    expect(info.imports).toEqual([{ module: 'env', name: 'f', kind: 'func' }, { module: 'env', name: 'mem', kind: 'memory' }]);
    expect(info.exports).toEqual([{ name: 'run', kind: 'func', index: 1 }]);
    expect(info.memories).toEqual([{ min: 1, max: 2, shared: false, imported: true }]);
    expect(info.tables).toEqual([{ min: 3, max: undefined, imported: false }]);
    expect([info.functions, info.importedFunctions]).toEqual([2, 1]);
    expect(info.codeBytes).toBe(11 + 2); // both bodies with their local declarations
    expect(info.features).toEqual(['bulk-memory']);
  });
});

describe('renumbering', () => {
  it('shifts calls, ref.func, globals, elements, exports and start, and keeps the name section', () => {
    const text = `(module (import "env" "g" (global $g i32)) (import "env" "f" (func $imp (result i32)))
      (global $h (mut i32) (global.get $g)) (table 2 funcref) (elem (i32.const 0) $a $b)
      (func $a (export "a") (result i32) (i32.add (call $imp) (global.get $h)))
      (func $b (result i32) (call_indirect (result i32) (i32.const 0)))
      (func $c (export "c") (result i32) (ref.is_null (ref.func $a)) (drop) (call_indirect (result i32) (i32.const 1)))
      (func $s (global.set $h (i32.const 5))) (start $s))`;
    const plain = new Uint8Array(execFileSync('wat2wasm', ['--enable-all', '--debug-names', '-', '--output=-'], { input: text }));
    const { bytes } = instrument(plain);
    const fuel = new WebAssembly.Global({ value: 'i64', mutable: true }, 1000n);
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>), {
      env: { g: 10, f: () => 30 },
      'agentos:fuel': { fuel, exhausted: () => {} },
    });
    const e = instance.exports as Record<string, () => number>;
    expect(e.a()).toBe(35);
    expect(e.c()).toBe(35);
    // Function 0 is now the injected import: "$imp" (was 0) is 1 and "$a" (was 1) is 2.
    expect(functionNames(bytes).slice(0, 3)).toEqual([[1, 'imp'], [2, 'a'], [3, 'b']]);
    expect(decodeModule(bytes).imports.slice(0, 2).map((i) => `${i.module}.${i.name}`)).toEqual(['agentos:fuel.fuel', 'agentos:fuel.exhausted']);
  });

  it('keeps local names keyed by the shifted function and local indices', () => {
    const text = '(module (func $f (param $p i32) (local $x i64)) (func $g (local $y f32)))';
    const plain = new Uint8Array(execFileSync('wat2wasm', ['--debug-names', '-', '--output=-'], { input: text }));
    const section = decodeModule(instrument(plain).bytes).customs.find((c) => c.name === 'name')!;
    const r = new ByteReader(section.payload);
    const found: string[] = [];
    while (!r.eof) {
      const id = r.u8();
      const end = r.u32() + r.pos;
      if (id !== 2) {
        r.pos = end;
        continue;
      }
      for (let n = r.u32(); n > 0; n--) {
        const fn = r.u32();
        for (let k = r.u32(); k > 0; k--) found.push(`${fn}:${r.u32()}:${r.name()}`);
      }
    }
    // Both functions are internal, so they take the counter as a new last parameter: declared locals move up by one.
    expect(found).toEqual(['1:0:p', '1:2:x', '2:1:y']);
  });

  it('falls back to the global counter in functions with exception handlers (local mode)', () => {
    const text = `(module (tag $e) (func (export "f") (result i32)
      (try (result i32) (do (throw $e)) (catch $e (i32.const 7)))))`;
    const r = run(text, 1000n, { counter: 'local' });
    expect(r.exports.f()).toBe(7);
    expect(1000n - (r.fuel.value as bigint)).toBe(3n); // try, throw; i32.const in the handler
  });

  it('reports stats and features of the input', () => {
    const { stats } = instrument(wat('(module (memory 1 1 shared) (func (param i32) (result i32) (i32.atomic.load (local.get 0)) (i32.extend8_s)))'));
    expect(stats.functions).toBe(1);
    expect(stats.codeBytes).toBeGreaterThan(4);
    expect(stats.features).toEqual(['threads', 'sign-extension']);
  });
});
