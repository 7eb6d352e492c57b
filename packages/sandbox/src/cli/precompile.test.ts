import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from './main.ts';
import { recordingIo } from './test-io.ts';

const ADDER = fileURLToPath(new URL('../../../../../shared/conformance/components/adder.component.wasm', import.meta.url));

describe('agentos precompile', () => {
  it('writes the loader, glue and metered core modules to the output folder and reports them as JSON', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'agentos-cli-precompile-')), 'adder');
    const io = recordingIo(tmpdir());
    expect(await main(['precompile', ADDER, '-o', out, '--memory', '2MiB', '--json'], io)).toBe(0);
    const report = JSON.parse(io.out.join('')) as { ok: boolean; files: Record<string, number>; metered: boolean; maxMemoryBytes: number };
    expect(report).toMatchObject({ ok: true, metered: true, maxMemoryBytes: 2 * 1024 * 1024 });
    expect(readdirSync(out).sort()).toEqual(Object.keys(report.files).sort());
    const loader = readFileSync(join(out, 'index.js'), 'utf8');
    expect(loader).toContain("import * as glue from './glue.js';");
    const coreFile = /from '\.\/(component\.core\.[0-9a-f]{16}\.wasm)';/.exec(loader)?.[1] as string;
    expect(coreFile).toBeDefined();
    const core = new WebAssembly.Module(readFileSync(join(out, coreFile)));
    expect(WebAssembly.Module.imports(core).some((i) => i.module === 'agentos:fuel')).toBe(true);
  });

  it('leaves the fuel counter out with --no-meter', async () => {
    const out = mkdtempSync(join(tmpdir(), 'agentos-cli-precompile-'));
    const io = recordingIo(tmpdir());
    expect(await main(['precompile', ADDER, '-o', out, '--no-meter'], io)).toBe(0);
    expect(io.out.join('')).toMatch(/metered: no; memory cap: 64\.00 MiB/);
    const coreFile = readdirSync(out).find((f) => f.startsWith('component.core.')) as string;
    const core = new WebAssembly.Module(readFileSync(join(out, coreFile)));
    expect(WebAssembly.Module.imports(core).some((i) => i.module === 'agentos:fuel')).toBe(false);
  });

  it('is a usage error (exit 2) without -o', async () => {
    const io = recordingIo(tmpdir());
    expect(await main(['precompile', ADDER], io)).toBe(2);
    expect(io.err.join('')).toMatch(/-o <dir> is required/);
  });
});
