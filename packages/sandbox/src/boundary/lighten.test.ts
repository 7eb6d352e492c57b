import { describe, expect, it } from 'vitest';
import { LIGHTEN_RULES, lightenGlue } from './lighten.ts';

const DECLARATION = "const CURRENT_TASK_MAY_BLOCK= globalThis.WebAssembly ? new globalThis.WebAssembly.Global({ value: 'i32', mutable: true }, 0) : false;";
const USES = 'CURRENT_TASK_MAY_BLOCK.value = task.mayBlock() ? 1 : 0;\nconst b = CURRENT_TASK_MAY_BLOCK.value !== 0;';
const HANDLED = 'Promise.all([module0, module1, module2]).catch(() => {});';

describe('lightenGlue', () => {
  it('makes the may-block flag a plain cell when JS only reads and writes its value', () => {
    const { source, report } = lightenGlue(`${DECLARATION}\n${USES}`);
    expect(source).toContain('const CURRENT_TASK_MAY_BLOCK = { value: 0 };');
    expect(source).not.toContain('WebAssembly.Global');
    expect(report.applied[LIGHTEN_RULES.mayBlock]).toBe(1);
    // The cell behaves as the Global did for these uses.
    const run = new Function('task', `${source}\nreturn [CURRENT_TASK_MAY_BLOCK.value, b];`) as (task: { mayBlock(): boolean }) => [number, boolean];
    expect(run({ mayBlock: () => true })).toEqual([1, true]);
  });

  it('keeps the Global when the flag could reach a core module', () => {
    const glue = `${DECLARATION}\n${USES}\ninstantiateCore(module0, { flags: { mayBlock: CURRENT_TASK_MAY_BLOCK } });`;
    const { source, report } = lightenGlue(glue);
    expect(source).toBe(glue);
    expect(report.applied[LIGHTEN_RULES.mayBlock]).toBe(0);
  });

  it('marks core module promises handled without a Promise per module', async () => {
    const { source, report } = lightenGlue(HANDLED);
    expect(report.applied[LIGHTEN_RULES.modules]).toBe(1);
    expect(source).not.toContain('Promise.all');
    const failed = Promise.reject(new Error('no module'));
    const handled = new Function('module0', 'module1', 'module2', source) as (...modules: unknown[]) => void;
    let unhandled = 0;
    const count = () => void unhandled++;
    process.on('unhandledRejection', count);
    try {
      handled(new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])), failed, undefined);
      await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      process.off('unhandledRejection', count);
    }
    expect(unhandled).toBe(0);
  });

  it('leaves glue without these shapes untouched', () => {
    const glue = 'const x = 1;';
    expect(lightenGlue(glue)).toEqual({ source: glue, report: { applied: { [LIGHTEN_RULES.mayBlock]: 0, [LIGHTEN_RULES.modules]: 0 } } });
  });
});
