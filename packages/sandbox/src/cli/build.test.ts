import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from './main.ts';
import { recordingIo } from './test-io.ts';

const ECHO = fileURLToPath(new URL('../../../../examples/tools/echo/index.ts', import.meta.url));

describe('agentos build', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'agentos-build-'));
  });

  it('builds a TypeScript tool into a component for the tool world', async () => {
    const io = recordingIo(dir);
    const code = await main(['build', ECHO, '--world', 'tool', '-o', 'echo.wasm', '--json'], io);
    expect(io.err).toEqual([]);
    expect(code).toBe(0);
    const result = JSON.parse(io.out.join(''));
    expect(result).toMatchObject({ ok: true, output: join(dir, 'echo.wasm'), world: 'tool' });
    expect(result.imports).toEqual(['agentos:runtime/log@0.1.0', 'agentos:runtime/types@0.1.0']);
    expect(result.exports).toEqual(['init', 'describe', 'invoke']);
    const bytes = readFileSync(join(dir, 'echo.wasm'));
    expect(bytes.length).toBe(result.size);
    expect([...bytes.subarray(0, 8)]).toEqual([0, 0x61, 0x73, 0x6d, 0x0d, 0, 0x01, 0]); // component preamble
  });

  it('fails with invalid-argument (exit 1) when the entry file does not exist', async () => {
    const io = recordingIo(dir);
    expect(await main(['build', 'missing.ts', '--world', 'tool'], io)).toBe(1);
    expect(io.err.join('')).toMatch(/^agentos: invalid-argument: entry file not found: .*missing\.ts\n$/);
  });

  it('reports a syntax error as invalid-argument with file:line:column', async () => {
    writeFileSync(join(dir, 'broken.ts'), 'export function invoke(input: string) {\n  return input +;\n}\n');
    const io = recordingIo(dir);
    expect(await main(['build', 'broken.ts', '--world', 'tool', '--json'], io)).toBe(1);
    const { error } = JSON.parse(io.out.join(''));
    expect(error.code).toBe('invalid-argument');
    expect(error.message).toMatch(/broken\.ts:2:17: Unexpected ";"/);
  });

  it('reports WIT that does not parse as invalid-component with the parser message', async () => {
    mkdirSync(join(dir, 'bad-wit'), { recursive: true });
    writeFileSync(join(dir, 'bad-wit', 'x.wit'), 'package a:b;\nworld w { export f: func() -> strin; }\n');
    writeFileSync(join(dir, 'ok.js'), 'export function f() { return 1; }\n');
    const io = recordingIo(dir);
    expect(await main(['build', 'ok.js', '--wit', 'bad-wit'], io)).toBe(1);
    expect(io.err.join('')).toMatch(/^agentos: invalid-component: the WIT at .*bad-wit does not parse: .*name `strin` does not exist/);
  });

  it('reports an unknown world as invalid-argument', async () => {
    const io = recordingIo(dir);
    expect(await main(['build', ECHO, '--world', 'nope', '-o', 'x.wasm'], io)).toBe(1);
    expect(io.err.join('')).toMatch(/^agentos: invalid-argument: World `nope` not found in package `agentos:runtime@0\.1\.0`/);
  });

  it('asks for --world when the package has several', async () => {
    const io = recordingIo(dir);
    expect(await main(['build', ECHO, '-o', 'x.wasm'], io)).toBe(1);
    expect(io.err.join('')).toMatch(/invalid-argument: There are multiple worlds .*pass one with --world/s);
  });

  it('refuses a module that misses an export the world requires', async () => {
    writeFileSync(join(dir, 'half.js'), 'export function describe() { return {}; }\n');
    const io = recordingIo(dir);
    expect(await main(['build', 'half.js', '--world', 'tool'], io)).toBe(1);
    expect(io.err.join('')).toMatch(/^agentos: invalid-argument: .*half\.js does not export 'invoke', which world 'tool' requires/);
  });

  it('rejects a missing entry argument as a usage error (exit 2)', async () => {
    const io = recordingIo(dir);
    expect(await main(['build', '--world', 'tool'], io)).toBe(2);
    expect(io.err.join('')).toBe('agentos: invalid-argument: missing the entry file\n');
  });
});
