/**
 * Drives Debian's Chromium with playwright-core: serves a blank page, the
 * bundled scenario worker, the metered core fixtures and each component's
 * `engine.precompile` output from a 127.0.0.1 server on a random port, and
 * runs each scenario in a fresh module Web Worker.
 * Node-only: used by test/hosts/chromium.test.ts. Needs /usr/bin/chromium
 * (.ci/hosts-setup.sh); Playwright's own browser download does not work offline.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { bundle } from '../bundle.ts';
import type { StartHost } from '../harness.ts';
import { precompileAll } from '../precompile.ts';
import { SCENARIOS } from '../scenarios/index.ts';
import type { RunRequest } from './worker.ts';

const here = new URL('.', import.meta.url).pathname;

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a quiet, offline, throwaway browser (no GPU, no background traffic). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

type Files = Map<string, { body: string | Uint8Array; type: string }>;

function serve(files: Files): Promise<Server> {
  const server = createServer((request, response) => {
    const file = files.get(new URL(request.url ?? '/', 'http://x').pathname);
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** The part of `request` that `scenario` uses, so a worker compiles only what it runs. */
function needs(request: Omit<RunRequest, 'scenario'>, scenario: string): RunRequest {
  const wanted = SCENARIOS.find((s) => s.name === scenario);
  const pick = <T>(all: Record<string, T>, names: string[] = []) => Object.fromEntries(names.filter((n) => n in all).map((n) => [n, all[n]]));
  return { scenario, modules: pick(request.modules, wanted?.modules), components: pick(request.components, wanted?.components) };
}

/** Starts Chromium and the page server; each `run` gets a fresh worker. */
export const startChromium: StartHost = async ({ fixtures, engine }) => {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}; run .ci/hosts-setup.sh (Playwright's own download does not work offline).`);
  }
  const files: Files = new Map([
    ['/', { body: '<!doctype html><title>agentos hosts</title>', type: 'text/html' }],
    ['/worker.js', { body: await bundle({ entry: { path: join(here, 'worker.ts') }, platform: 'browser' }), type: 'text/javascript' }],
  ]);
  const request: Omit<RunRequest, 'scenario'> = { modules: {}, components: {} };
  for (const [name, bytes] of Object.entries(fixtures.modules)) {
    request.modules[name] = `/fixtures/${name}.wasm`;
    files.set(request.modules[name], { body: bytes, type: 'application/wasm' });
  }
  for (const [name, precompiled] of Object.entries(await precompileAll(engine, fixtures.components))) {
    const base = `/components/${name}/`;
    for (const [file, body] of Object.entries(precompiled.files)) {
      files.set(`${base}${file}`, { body, type: file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' });
    }
    request.components[name] = { base, manifest: precompiled.manifest };
  }
  const server = await serve(files);
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const userDataDir = await mkdtemp(join(tmpdir(), 'agentos-chromium-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    const page: Page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${origin}/`);
    const browser = context;
    return {
      async run(scenario) {
        const reply = await page.evaluate(
          (message) =>
            new Promise<{ result?: unknown; failure?: string }>((resolve) => {
              const worker = new Worker('/worker.js', { type: 'module' });
              worker.onmessage = (event) => {
                worker.terminate();
                resolve(event.data);
              };
              worker.onerror = (event) => {
                worker.terminate();
                resolve({ failure: `worker error: ${event.message}` });
              };
              worker.postMessage(message);
            }),
          needs(request, scenario),
        );
        if (reply.failure !== undefined) throw new Error(`Chromium failed '${scenario}': ${reply.failure}`);
        return reply.result;
      },
      async dispose() {
        await browser.close();
        await new Promise((resolve) => server.close(resolve));
        await rm(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await context?.close();
    server.close();
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
};
