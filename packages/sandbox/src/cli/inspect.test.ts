import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFixture, type Fixture } from '../../../../test/fixtures/index.ts';
import { main } from './main.ts';
import { recordingIo } from './test-io.ts';

const NESTED = fileURLToPath(new URL('../../../../../shared/conformance/components/simple-nested.component.wasm', import.meta.url));

describe('agentos inspect', () => {
  let echo: Fixture;
  beforeAll(async () => {
    echo = await buildFixture('echo');
  });

  it('prints the world with signatures and the core modules as tables', async () => {
    const io = recordingIo(tmpdir());
    expect(await main(['inspect', echo.path], io)).toBe(0);
    const text = io.out.join('');
    expect(text).toMatch(/^component {2}.*echo-[0-9a-f]{16}\.wasm {2}1\.\d\d MiB/);
    expect(text).toMatch(/import {2}agentos:runtime\/log@0\.1\.0\n\s+log\(level: Level, message: string, fields: Array<Field>\): void/);
    expect(text).toContain('export  invoke: func(input: string) -> result<string, tool-error>');
    expect(text).toMatch(/core modules \(\d+\)\n\s+#\s+component\s+offset\s+size/);
  });

  it('prints one JSON object with --json', async () => {
    const io = recordingIo(tmpdir());
    expect(await main(['inspect', echo.path, '--json'], io)).toBe(0);
    const report = JSON.parse(io.out.join(''));
    expect(report.ok).toBe(true);
    expect(report.kind).toBe('component');
    expect(report.size).toBe(echo.bytes.length);
    expect(report.world.exports.map((e: { name: string }) => e.name)).toEqual(['init', 'describe', 'invoke']);
    const log = report.world.imports.find((i: { name: string }) => i.name === 'agentos:runtime/log@0.1.0');
    expect(log.functions.map((f: { name: string }) => f.name)).toEqual(['log']);
    const total = report.coreModules.reduce((sum: number, m: { size: number }) => sum + m.size, 0);
    expect(total).toBeGreaterThan(1_000_000); // the QuickJS runtime is among them
    expect(total).toBeLessThan(echo.bytes.length);
  });

  it('shows the nesting of core modules in composed components', async () => {
    const io = recordingIo(tmpdir());
    expect(await main(['inspect', NESTED, '--json'], io)).toBe(0);
    const report = JSON.parse(io.out.join(''));
    expect(report.coreModules).toHaveLength(12);
    expect(report.coreModules.at(-1).componentPath).toEqual([1, 1, 1]);
    expect(report.world.exports[0].name).toBe('calvinrp:test-async-funcs/hello@0.1.0');
  });

  it('fails with invalid-component (exit 1) for a file that is not WebAssembly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentos-inspect-'));
    writeFileSync(join(dir, 'bad.wasm'), 'not wasm at all');
    const io = recordingIo(dir);
    expect(await main(['inspect', 'bad.wasm'], io)).toBe(1);
    expect(io.err.join('')).toMatch(/^agentos: invalid-component: not a WebAssembly binary/);
  });

  it('fails with invalid-argument (exit 1) for a missing file, as JSON with --json', async () => {
    const io = recordingIo(tmpdir());
    expect(await main(['inspect', 'no-such-file.wasm', '--json'], io)).toBe(1);
    const printed = JSON.parse(io.out.join(''));
    expect(printed).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect(printed.error.message).toMatch(/cannot read .*no-such-file\.wasm/);
  });
});
