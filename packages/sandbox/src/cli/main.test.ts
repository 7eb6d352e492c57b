import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from './main.ts';
import { recordingIo } from './test-io.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

describe('agentos main', () => {
  it('prints the command list for --help and exits 0', async () => {
    const io = recordingIo(ROOT);
    expect(await main(['--help'], io)).toBe(0);
    expect(io.out.join('')).toMatch(/Usage: agentos <command>/);
    expect(io.out.join('')).toMatch(/\n {2}build {4}/);
    expect(io.out.join('')).toMatch(/\n {2}inspect {2}/);
  });

  it('prints usage on stderr and exits 2 without a command', async () => {
    const io = recordingIo(ROOT);
    expect(await main([], io)).toBe(2);
    expect(io.err.join('')).toMatch(/Usage: agentos/);
  });

  it("prints a command's own usage for '<cmd> --help'", async () => {
    const io = recordingIo(ROOT);
    expect(await main(['build', '--help'], io)).toBe(0);
    expect(io.out.join('')).toMatch(/Usage: agentos build <entry\.js\|entry\.ts>/);
  });

  it('rejects an unknown command as a usage error (exit 2, code on stderr)', async () => {
    const io = recordingIo(ROOT);
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.err.join('')).toMatch(/^agentos: invalid-argument: unknown command 'frobnicate'/);
  });

  it('does not treat inherited object keys as commands', async () => {
    const io = recordingIo(ROOT);
    expect(await main(['toString'], io)).toBe(2);
  });

  it('rejects an unknown flag in strict mode, as JSON on stdout with --json', async () => {
    const io = recordingIo(ROOT);
    expect(await main(['inspect', 'x.wasm', '--json', '--bogus'], io)).toBe(2);
    expect(io.err).toEqual([]);
    const printed = JSON.parse(io.out.join(''));
    expect(printed.ok).toBe(false);
    expect(printed.error.code).toBe('invalid-argument');
    expect(printed.error.message).toMatch(/bogus/);
  });

  it('runs as an executable through bin/agentos.js', () => {
    const result = spawnSync(process.execPath, [fileURLToPath(new URL('../../bin/agentos.js', import.meta.url)), '--help'], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Commands:/);
  });

  it('exits 2 from the executable on a usage error', () => {
    const result = spawnSync(process.execPath, [fileURLToPath(new URL('../../bin/agentos.js', import.meta.url)), 'inspect'], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('agentos: invalid-argument: missing the component file\n');
  });
});
