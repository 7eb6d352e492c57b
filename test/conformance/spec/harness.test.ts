import { describe, expect, it } from 'vitest';
import { AgentOsError } from '../../../packages/sandbox/src/errors/index.ts';
import { runScript, type Command, type Transform } from './harness.ts';
import { buildModule, f32Bits, i32Const, patch, T } from './fixtures.ts';

const identity: Transform = (bytes) => bytes;

/** Runs a script whose modules are given inline, by file name. */
function run(options: { modules: Record<string, Uint8Array>; commands: Command[]; meter?: Transform }) {
  return runScript({
    file: 'inline.json',
    script: { source_filename: 'inline.wast', commands: options.commands },
    loadModule: (filename) => options.modules[filename],
    meter: options.meter ?? identity,
  });
}

const answer = buildModule({ funcs: [{ results: [T.i32], body: i32Const(42), export: 'answer' }] });
const callAnswer = (line: number): Command => ({
  type: 'assert_return', line, action: { type: 'invoke', field: 'answer', args: [] }, expected: [{ type: 'i32', value: '42' }],
});
const changeAnswer: Transform = (bytes) => patch(bytes, i32Const(42), i32Const(43));

describe('runScript', () => {
  it('passes both worlds when metering keeps every outcome', () => {
    const result = run({ modules: { 'a.wasm': answer }, commands: [{ type: 'module', line: 1, filename: 'a.wasm' }, callAnswer(2)] });
    expect(result.plain).toEqual({ passed: 2, failed: 0, skipped: 0 });
    expect(result.metered).toEqual({ passed: 2, failed: 0, skipped: 0 });
  });

  it('fails the metered world when metering changes a result', () => {
    const result = run({
      modules: { 'a.wasm': answer },
      commands: [{ type: 'module', line: 1, filename: 'a.wasm' }, callAnswer(2)],
      meter: changeAnswer,
    });
    expect(result.plain.failed).toBe(0);
    expect(result.metered.failed).toBe(1);
    expect(result.failures[0]).toMatchObject({ world: 'metered', line: 2, subject: 'answer', actual: 'values [i32:0x0000002b]' });
  });

  it('compares NaN payloads bit for bit even when both satisfy nan:arithmetic', () => {
    const nan = buildModule({ funcs: [{ results: [T.f32], body: f32Bits(0x7fc00001), export: 'nan' }] });
    const result = run({
      modules: { 'n.wasm': nan },
      commands: [
        { type: 'module', line: 1, filename: 'n.wasm' },
        { type: 'assert_return', line: 2, action: { type: 'invoke', field: 'nan', args: [] }, expected: [{ type: 'f32', value: 'nan:arithmetic' }] },
      ],
      meter: (bytes) => patch(bytes, f32Bits(0x7fc00001), f32Bits(0x7fc00002)),
    });
    expect(result.plain.failed).toBe(0);
    expect(result.metered.failed).toBe(1);
  });

  it('links metered modules only against metered modules', () => {
    const reexport = buildModule({
      imports: [{ module: 'a', name: 'answer', func: { results: [T.i32] } }],
      funcs: [{ results: [T.i32], body: [0x10, 0x00], export: 'answer' }],
    });
    const result = run({
      modules: { 'a.wasm': answer, 'b.wasm': reexport },
      commands: [
        { type: 'module', line: 1, filename: 'a.wasm', name: '$A' },
        { type: 'register', line: 2, name: '$A', as: 'a' },
        { type: 'module', line: 3, filename: 'b.wasm' },
        callAnswer(4),
      ],
      meter: changeAnswer,
    });
    expect(result.plain.failed).toBe(0);
    expect(result.failures.map((f) => [f.world, f.line])).toEqual([['metered', 4]]);
  });

  it('checks the trap class the suite names, and the exact trap in the metered world', () => {
    const trap = buildModule({ funcs: [{ body: [0x00], export: 'boom' }] });
    const result = run({
      modules: { 't.wasm': trap },
      commands: [
        { type: 'module', line: 1, filename: 't.wasm' },
        { type: 'assert_trap', line: 2, action: { type: 'invoke', field: 'boom', args: [] }, text: 'unreachable' },
        { type: 'assert_trap', line: 3, action: { type: 'invoke', field: 'boom', args: [] }, text: 'integer divide by zero' },
      ],
      meter: (bytes) => patch(bytes, [0x00, 0x0b], [0x01, 0x0b]),
    });
    expect(result.failures.filter((f) => f.world === 'plain').map((f) => f.line)).toEqual([3]);
    expect(result.failures.filter((f) => f.world === 'metered').map((f) => f.line)).toEqual([2, 3]);
  });

  it('reports fuel used through the shared agentos:fuel global', () => {
    // The "metered" module spends 7 fuel per call (global.get 0; i64.const 7; i64.sub; global.set 0).
    const metered = buildModule({
      imports: [
        { module: 'agentos:fuel', name: 'fuel', global: { type: T.i64, mutable: true } },
        { module: 'agentos:fuel', name: 'exhausted', func: {} },
      ],
      funcs: [{ results: [T.i32], body: [0x23, 0x00, 0x42, 0x07, 0x7d, 0x24, 0x00, ...i32Const(42)], export: 'answer' }],
    });
    const result = run({
      modules: { 'a.wasm': answer },
      commands: [{ type: 'module', line: 1, filename: 'a.wasm' }, callAnswer(2), callAnswer(3)],
      meter: () => metered,
    });
    expect(result.metered.failed).toBe(0);
    expect(result.fuelUsed).toBe('14');
  });

  it('fails the metered world when a module calls exhausted despite unlimited fuel', () => {
    const metered = buildModule({
      imports: [{ module: 'agentos:fuel', name: 'exhausted', func: {} }],
      funcs: [{ results: [T.i32], body: [0x10, 0x00, ...i32Const(42)], export: 'answer' }],
    });
    const result = run({ modules: { 'a.wasm': answer }, commands: [{ type: 'module', line: 1, filename: 'a.wasm' }, callAnswer(2)], meter: () => metered });
    expect(result.metered.failed).toBe(1);
    expect(result.failures[0].actual).toMatch(/exhausted was called/);
  });
});

describe('runScript with invalid and malformed modules', () => {
  // A function declared to return i32 whose body returns nothing.
  const invalid = buildModule({ funcs: [{ results: [T.i32], body: [] }] });
  const commands: Command[] = [{ type: 'assert_invalid', line: 1, filename: 'bad.wasm', text: 'type mismatch', module_type: 'binary' }];

  it('counts a refusal with AgentOsError as a pass', () => {
    const refuse: Transform = () => {
      throw new AgentOsError('invalid-component', 'not valid');
    };
    const result = run({ modules: { 'bad.wasm': invalid }, commands, meter: refuse });
    expect(result.metered).toEqual({ passed: 1, failed: 0, skipped: 0 });
    expect(result.invalid.refused).toBe(1);
  });

  it('fails when metering turns an invalid module into a valid one', () => {
    const result = run({ modules: { 'bad.wasm': invalid }, commands, meter: () => answer });
    expect(result.failures).toMatchObject([{ world: 'metered', actual: 'metering produced a valid module' }]);
  });

  it('fails when metering crashes with something other than AgentOsError', () => {
    const crash: Transform = () => {
      throw new TypeError('offset out of range');
    };
    const result = run({ modules: { 'bad.wasm': invalid }, commands, meter: crash });
    expect(result.failures[0].actual).toMatch(/metering threw TypeError/);
  });

  it('skips text modules with the reason', () => {
    const result = run({ modules: {}, commands: [{ type: 'assert_malformed', line: 1, filename: 'x.wat', text: 'unexpected token', module_type: 'text' }] });
    expect(result.skipReasons).toEqual({ 'text module': 1 });
    expect(result.metered.skipped).toBe(1);
  });

  it('skips a module V8 cannot compile, and every command on it, with V8 as the reason', () => {
    // 0xfc 0x7f is an opcode no engine knows: the suite expecting it valid means V8 lacks a feature.
    const unknown = buildModule({ funcs: [{ results: [T.i32], body: [0xfc, 0x7f], export: 'answer' }] });
    const result = run({ modules: { 'u.wasm': unknown }, commands: [{ type: 'module', line: 1, filename: 'u.wasm' }, callAnswer(2)] });
    expect(result.plain).toEqual({ passed: 0, failed: 0, skipped: 2 });
    expect(Object.keys(result.skipReasons)).toHaveLength(1);
    expect(Object.keys(result.skipReasons)[0]).toMatch(/^V8: /);
  });
});
