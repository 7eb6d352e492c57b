import { describe, expect, it } from 'vitest';
import { isAgentOsError } from '../errors/index.ts';
import { hoistGlue } from './hoist.ts';

const GLUE = `export function instantiate(getCoreModule, imports) {
  let COUNT = 0;
  const TASKS = new Map();
  function next() { return ++COUNT; }
  class Task {
    static _ID = 0n;
    static State = { NEW: 'new' };
    #id;
    constructor(args) { this.#id = ++Task._ID; this.n = next(); TASKS.set(this.#id, this); this.state = Task.State.NEW; }
    id() { return this.#id; }
  }
  function make() { return new Task({}); }
  return { make, count: () => COUNT, tasks: () => TASKS.size, label: imports.label };
}`;

async function load(source: string): Promise<{ instantiate: (g: unknown, i: unknown) => { make(): { id(): bigint; n: number; state: string }; count(): number; tasks(): number; label: string } }> {
  return import(`data:text/javascript,${encodeURIComponent(source)}`);
}

describe('hoistGlue', () => {
  it('moves classes and functions to module scope and keeps their state per instance', async () => {
    const { source, report } = hoistGlue(GLUE);
    expect(report.hoisted).toEqual(['next', 'Task']);
    // \`make\` needs the instance's state and escapes as a value, so it stays per instance.
    expect(report.kept).toEqual(['make']);
    expect(report.state).toEqual(['COUNT', 'TASKS']);
    const mod = await load(source);
    const a = mod.instantiate(null, { label: 'a' });
    const b = mod.instantiate(null, { label: 'b' });
    a.make();
    a.make();
    const t = b.make();
    // A second instance starts its counters and maps from scratch: nothing is shared.
    expect(t.id()).toBe(1n);
    expect(t.n).toBe(1);
    expect([a.count(), b.count(), a.tasks(), b.tasks()]).toEqual([2, 1, 2, 1]);
    expect([a.label, b.label, t.state]).toEqual(['a', 'b', 'new']);
  });

  it('freezes static values that hoisted classes share', () => {
    const { source } = hoistGlue(GLUE);
    expect(source).toContain('static State = $$freeze(');
    expect(source).not.toMatch(/static _ID/);
  });

  it('fails loudly on glue that already uses a reserved name', () => {
    let code: string | undefined;
    try {
      hoistGlue(GLUE.replace('let COUNT = 0;', () => 'let COUNT = 0; const $$s = 1;'));
    } catch (error) {
      code = isAgentOsError(error) ? error.code : 'other';
    }
    expect(code).toBe('internal');
  });
});
