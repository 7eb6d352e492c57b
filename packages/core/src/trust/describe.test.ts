import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../sandbox/src/index.ts';
import { buildFixture } from '../../../../test/fixtures/index.ts';
import { describeTool } from './describe.ts';

describe('describeTool', () => {
  it("reads the manifest fields from a tool's describe() and its imports", async () => {
    const fields = await describeTool({ engine: new Engine(), component: (await buildFixture('logger')).bytes });
    expect(fields).toMatchObject({ name: 'logger', world: 'agentos:runtime/tool@0.1.0', capabilities: ['log'] });
    expect(fields.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(typeof fields.inputSchema === 'object' || typeof fields.inputSchema === 'boolean').toBe(true);
  }, 60_000);

  it('refuses a component that is not a tool with invalid-component', async () => {
    const adder = new Uint8Array(await readFile(new URL('../../../../../shared/conformance/components/adder.component.wasm', import.meta.url)));
    await expect(describeTool({ engine: new Engine(), component: adder })).rejects.toMatchObject({ code: 'invalid-component' });
  });
});
