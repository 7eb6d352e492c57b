import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildComponent } from './componentize.ts';

const WIT = fileURLToPath(new URL('../../../../wit', import.meta.url));
const RUNTIME = (name: string) => `agentos:runtime/${name}@0.1.0`;

// These builds check that the agentos:runtime WIT package is valid for every
// world (componentize-qjs parses and resolves it) and that the worlds import
// exactly the capabilities they promise.
describe('buildComponent against the agentos:runtime worlds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentos-componentize-'));

  it('builds an agent that imports every capability', async () => {
    const entry = join(dir, 'agent.ts');
    writeFileSync(
      entry,
      `import clock from 'agentos:runtime/clock@0.1.0';
       export function run(goal: string): string { return goal + ' at ' + clock.now(); }
       export function handleMessage(message: { payload: string }): string | null { return message.payload; }\n`,
    );
    const built = await buildComponent({ entry, witPath: WIT, world: 'agent' });
    expect(built.world.imports.map((i) => i.name).sort()).toEqual(
      ['approval', 'bus', 'clock', 'http', 'kv', 'llm', 'log', 'random', 'tools', 'types'].map(RUNTIME),
    );
    expect(built.world.exports.find((e) => e.name === 'handle-message')?.signature).toBe(
      'func(message: message) -> result<option<string>, agent-error>',
    );
    expect(built.jsSource).not.toContain(': string'); // TypeScript was stripped
  });

  it('builds a tool with capabilities that imports everything but the bus', async () => {
    const entry = join(dir, 'tool.js');
    writeFileSync(entry, `export function describe() { return {}; }\nexport function invoke(input) { return input; }\n`);
    const built = await buildComponent({ entry, witPath: WIT, world: 'tool-with-capabilities' });
    const imports = built.world.imports.map((i) => i.name);
    expect(imports).toContain(RUNTIME('http'));
    expect(imports).toContain(RUNTIME('tools'));
    expect(imports).not.toContain(RUNTIME('bus'));
  });

  it('bundles local imports of the entry into one module', async () => {
    writeFileSync(join(dir, 'helper.ts'), `export const suffix: string = '!';\n`);
    const entry = join(dir, 'bundled.ts');
    writeFileSync(
      entry,
      `import { suffix } from './helper.ts';\nexport function describe() { return {}; }\nexport function invoke(input: string) { return input + suffix; }\n`,
    );
    const built = await buildComponent({ entry, witPath: WIT, world: 'tool' });
    expect(built.jsSource).toContain(`"!"`);
    expect(built.jsSource).not.toMatch(/from ['"]\.\/helper/);
  });
});
