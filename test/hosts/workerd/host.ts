/**
 * Starts workerd (through Miniflare, in-process, offline) with the scenario
 * Worker, and runs scenarios in it over fetch. Everything is bundled the way a
 * deployed Worker carries it: core fixtures as `CompiledWasm` modules
 * (`import m from './x.wasm'`), each component as the files
 * `engine.precompile` writes (loader, glue, .wasm), and the rest bundled by
 * esbuild. Node-only: used by workerd.test.ts.
 */
import { convertV4MiniflareOptions, Miniflare } from 'miniflare';
import type { Precompiled } from '../../../packages/sandbox/src/engine/index.ts';
import { bundle } from '../bundle.ts';
import type { StartHost } from '../harness.ts';
import { precompileAll } from '../precompile.ts';

const here = new URL('.', import.meta.url).pathname;

/** Not newer than the bundled workerd supports (its version names its newest date). */
const COMPATIBILITY_DATE = '2026-01-01';

type ModuleFile = { type: 'ESModule' | 'CompiledWasm'; path: string; contents: string | Uint8Array };

function moduleFile(path: string, contents: string | Uint8Array): ModuleFile {
  return { type: path.endsWith('.wasm') ? 'CompiledWasm' : 'ESModule', path, contents };
}

/** The generated entry: imports every fixture and component loader and hands the Worker its scenario context. */
function entrySource(modules: Record<string, Uint8Array>, components: Record<string, Precompiled>): { source: string; files: ModuleFile[] } {
  const files: ModuleFile[] = [];
  const lines = [
    `import { scenarioWorker } from './worker.ts';`,
    `import { fromPrecompiled } from '../../../packages/sandbox/src/engine/index.ts';`,
  ];
  const moduleEntries = Object.entries(modules).map(([name, bytes], i) => {
    const path = `fixtures/${name}.wasm`;
    files.push(moduleFile(path, bytes));
    lines.push(`import m${i} from './${path}';`);
    return `${JSON.stringify(name)}: m${i}`;
  });
  const componentEntries = Object.entries(components).map(([name, precompiled], i) => {
    for (const [file, contents] of Object.entries(precompiled.files)) files.push(moduleFile(`components/${name}/${file}`, contents));
    lines.push(`import c${i} from './components/${name}/index.js';`);
    return `${JSON.stringify(name)}: fromPrecompiled(c${i})`;
  });
  lines.push(`export default scenarioWorker({ modules: { ${moduleEntries.join(', ')} }, components: { ${componentEntries.join(', ')} } });`);
  return { source: lines.join('\n'), files };
}

/** Starts workerd with the fixtures bundled into one Worker. */
export const startWorkerd: StartHost = async ({ fixtures, engine }) => {
  const { source, files } = entrySource(fixtures.modules, await precompileAll(engine, fixtures.components));
  const script = await bundle({ entry: { source, resolveDir: here }, platform: 'neutral', external: ['*.wasm', './components/*'] });
  // Miniflare 5 takes a new config shape; the v4 one (documented in its README) converts losslessly.
  const miniflare = new Miniflare(
    convertV4MiniflareOptions({
      compatibilityDate: COMPATIBILITY_DATE,
      modulesRoot: here,
      modules: [
        { type: 'ESModule', path: `${here}entry.js`, contents: script },
        ...files.map((file) => ({ ...file, path: `${here}${file.path}` })),
      ],
    }),
  );
  await miniflare.ready;
  return {
    async run(scenario) {
      const response = await miniflare.dispatchFetch(`http://host.test/run?scenario=${encodeURIComponent(scenario)}`);
      const body = (await response.json()) as { result?: unknown; failure?: string };
      if (!response.ok) throw new Error(`workerd failed '${scenario}': ${body.failure ?? response.status}`);
      return body.result;
    },
    dispose: () => miniflare.dispose(),
  };
};
