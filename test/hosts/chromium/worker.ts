/**
 * The Chromium side of the host suites: a module Web Worker (where agents run
 * in a browser) that runs one scenario and posts back its JSON. Components
 * arrive as `engine.precompile` output served over http: the glue is imported
 * as an ordinary module script and the .wasm files are compiled with
 * `compileStreaming` (what a browser bundler does for `import m from './x.wasm'`),
 * then handed to `fromPrecompiled`. Bundled by ./host.ts with esbuild.
 */
import {
  fromPrecompiled, PRECOMPILED_FORMAT,
  type GlueModule, type PrecompiledManifest,
} from '../../../packages/sandbox/src/engine/index.ts';
import { runScenario, type FixtureModules, type ScenarioContext } from '../scenarios/index.ts';

/** Where a precompiled component's files are served: `<base><file>` for each file precompile wrote. */
export interface PrecompiledUrls {
  base: string;
  manifest: PrecompiledManifest;
}

export interface RunRequest {
  scenario: string;
  /** Core fixture name → URL of its metered .wasm. */
  modules: Record<string, string>;
  components: Record<string, PrecompiledUrls>;
}

async function compileAll(urls: Record<string, string>): Promise<FixtureModules> {
  const entries = await Promise.all(
    Object.entries(urls).map(async ([name, url]) => [name, await WebAssembly.compileStreaming(fetch(url))] as const),
  );
  return Object.fromEntries(entries);
}

async function loadComponent({ base, manifest }: PrecompiledUrls): Promise<ScenarioContext['components'][string]> {
  const { files } = manifest;
  const glue = (await import(/* @vite-ignore */ new URL(`${base}${files.glue}`, self.location.href).href)) as GlueModule;
  const url = (file: string) => `${base}${file}`;
  const modules = await compileAll(Object.fromEntries(Object.entries(files.modules).map(([module, file]) => [module, url(file)])));
  const { exhausted } = await compileAll({ exhausted: url(files.exhausted) });
  const inlineByIndex = await compileAll(Object.fromEntries(files.inline.map((file, i) => [String(i), url(file)])));
  const inline = files.inline.map((_, i) => inlineByIndex[String(i)]);
  return fromPrecompiled({ format: PRECOMPILED_FORMAT, manifest, glue, exhausted, modules, inline });
}

async function load(request: RunRequest): Promise<ScenarioContext> {
  const components: ScenarioContext['components'] = {};
  for (const [name, urls] of Object.entries(request.components)) components[name] = await loadComponent(urls);
  return { modules: await compileAll(request.modules), components };
}

self.onmessage = async (event: MessageEvent<RunRequest>) => {
  try {
    const result = await runScenario(event.data.scenario, await load(event.data));
    self.postMessage({ result });
  } catch (error) {
    self.postMessage({ failure: String((error as Error)?.stack ?? error) });
  }
};
