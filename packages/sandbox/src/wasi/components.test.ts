/**
 * Real WASI components (jco's fixtures, /work/shared/conformance/components) run through plain
 * jco transpile output with `createWasi` as their only imports.
 */
import { transpile } from '@bytecodealliance/jco';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createWasi, type WasiOptions } from './index.ts';

const COMPONENTS = new URL('../../../../../shared/conformance/components/', import.meta.url);
const tempRoot = mkdtempSync(join(tmpdir(), 'agentos-wasi-'));
afterAll(() => rmSync(tempRoot, { recursive: true, force: true }));

type Instantiate = (
  getCoreModule: (name: string) => Promise<WebAssembly.Module>,
  imports: Record<string, unknown>,
) => Promise<Record<string, any>>;

type Glue = 'jco' | 'engine';
const loaded = new Map<string, Promise<{ instantiate: Instantiate; files: Record<string, Uint8Array> }>>();

/** jco's bindgen with the options the sandbox engine uses (JSPI async mode, no error wrapping). */
async function engineStyleFiles(bytes: Uint8Array): Promise<Record<string, Uint8Array>> {
  const bindgen = (await import('@bytecodealliance/jco-transpile/component')) as any;
  await bindgen.$init;
  const out = bindgen.generate(bytes, {
    name: 'component',
    instantiation: { tag: 'async' },
    asyncMode: { tag: 'jspi', val: { imports: [], exports: [] } },
    noNodejsCompat: true,
    base64Cutoff: 0,
    noComponentErrorWrapping: true,
    validLiftingOptimization: false,
  });
  return Object.fromEntries(out.files);
}

/** Transpiles a fixture once (async instantiation mode) and imports its glue from a temp dir. */
function load(file: string, glue: Glue) {
  let entry = loaded.get(`${glue}:${file}`);
  if (!entry) {
    entry = (async () => {
      const bytes = readFileSync(new URL(file, COMPONENTS));
      const files =
        glue === 'jco'
          ? ((await transpile(bytes, { name: 'component', instantiation: { tag: 'async' } as never })).files as Record<string, Uint8Array>)
          : await engineStyleFiles(bytes);
      const dir = join(tempRoot, `${glue}-${file.replace(/\W/g, '_')}`);
      for (const [name, content] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), content);
      }
      const module = await import(pathToFileURL(join(dir, 'component.js')).href);
      return { instantiate: module.instantiate as Instantiate, files };
    })();
    loaded.set(`${glue}:${file}`, entry);
  }
  return entry;
}

async function run(file: string, options: WasiOptions, glue: Glue = 'jco') {
  const { instantiate, files } = await load(file, glue);
  return instantiate((name) => WebAssembly.compile(files[name] as Uint8Array<ArrayBuffer>), createWasi(options));
}

/** Collects what a sink receives, decoded as UTF-8 at the end. */
function capture() {
  const chunks: Uint8Array[] = [];
  return {
    sink: (bytes: Uint8Array) => void chunks.push(bytes),
    bytes: () => {
      const all = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
      let at = 0;
      for (const c of chunks) all.set(c, (at += c.byteLength) - c.byteLength);
      return all;
    },
    text: () => new TextDecoder().decode(Uint8Array.from(chunks.flatMap((c) => [...c]))),
  };
}

describe('WASI components through createWasi', () => {
  it('hello_stdout writes its greetings to the stdout and stderr sinks', async () => {
    const out = capture();
    const err = capture();
    const component = await run('hello_stdout.component.wasm', { stdout: out.sink, stderr: err.sink });
    component.run.run();
    expect(out.text()).toBe('writing to stdout: hello, world\n');
    expect(err.text()).toBe('writing to stderr: hello, world\n');
  });

  it('hello_stdout output goes to the log capability when no sink is given', async () => {
    const logged: [string, string][] = [];
    const component = await run('hello_stdout.component.wasm', {
      log: (stream, bytes) => logged.push([stream, new TextDecoder().decode(bytes)]),
    });
    component.run.run();
    expect(logged.map(([s]) => s)).toContain('stdout');
    expect(logged.map(([, t]) => t).join('')).toContain('hello, world');
  });

  it('hello_stdout traps with limit-exceeded when stdout passes its byte cap', async () => {
    const component = await run('hello_stdout.component.wasm', { limits: { outputBytes: 8 } });
    expect(() => component.run.run()).toThrow(expect.objectContaining({ code: 'limit-exceeded' }));
  });

  it('env-allow sees no host variable unless the host grants it', async () => {
    // The composed wasi-virt layer adds CUSTOM=VAL and lets PUBLIC_VAR through from its host (us).
    const bare = await run('env-allow.composed.wasm', {});
    expect(bare.testGetEnv()).toEqual([['CUSTOM', 'VAL']]);
    const granted = await run('env-allow.composed.wasm', { env: { PUBLIC_VAR: 'granted', SECRET: 'hidden' } });
    expect(granted.testGetEnv()).toEqual([['CUSTOM', 'VAL'], ['PUBLIC_VAR', 'granted']]);
  });

  it('stdio passes resources across the composition and writes through our streams', async () => {
    const out = capture();
    const err = capture();
    const component = await run('stdio.composed.wasm', { stdout: out.sink, stderr: err.sink });
    component.testStdio();
    expect(out.text()).toBe('Hello world\n');
    expect(err.bytes().byteLength).toBe(0);
  });

  it('a guest panic reaches the stderr sink and traps the call', async () => {
    const err = capture();
    const component = await run('env-allow.composed.wasm', { stderr: err.sink });
    expect(() => component.testGetConfig()).toThrow(WebAssembly.RuntimeError);
    expect(err.text()).toContain('not implemented');
  });

  it('utf8-utf16 echoes its argument twice through the UTF-8/UTF-16 transcoder', async () => {
    const out = capture();
    const component = await run('utf8-utf16.composed.wasm', { args: ['utf8-utf16', 'asdf中文🀄️⏰'], stdout: out.sink });
    component.run.run();
    expect(out.text()).toBe('ret: asdf中文🀄️⏰asdf中文🀄️⏰\n');
  });
});

describe('WASI components through engine-style glue (JSPI mode, no error wrapping)', () => {
  it('hello_stdout writes its greeting to the stdout sink', async () => {
    const out = capture();
    const component = await run('hello_stdout.component.wasm', { stdout: out.sink }, 'engine');
    component.run.run();
    expect(out.text()).toBe('writing to stdout: hello, world\n');
  });

  it('stdio writes through our streams', async () => {
    const out = capture();
    const component = await run('stdio.composed.wasm', { stdout: out.sink }, 'engine');
    component.testStdio();
    expect(out.text()).toBe('Hello world\n');
  });
});
