/**
 * Defines one host suite: build the fixtures once, run every scenario
 * in-process on Node as the reference, start the host, and demand that each
 * scenario's result on the host meets its expectations and equals Node's
 * exactly (fuel counts included). Node-only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dataUrlGlueLoader, Engine, fromPrecompiled, PRECOMPILED_FORMAT, type Component,
} from '../../packages/sandbox/src/engine/index.ts';
import { expectScenario } from './expectations.ts';
import { buildFixtures, type HostFixtures } from './fixtures/index.ts';
import { precompileAll } from './precompile.ts';
import { COMPONENTS, runScenario, SCENARIOS, type FixtureModules } from './scenarios/index.ts';

/** A place scenarios run: in-process Node, a workerd isolate, a Chromium worker. */
export interface Host {
  run(scenario: string): Promise<unknown>;
  dispose(): Promise<void>;
}

export interface StartOptions {
  fixtures: HostFixtures;
  /** Shared with the Node reference, so each component is transpiled once per suite. */
  engine: Engine;
}

export type StartHost = (options: StartOptions) => Promise<Host>;

/** Node itself: compiles the core fixtures and loads each component with `Engine.load`, in this process. */
export const startNode: StartHost = async ({ fixtures, engine }) => {
  const modules: FixtureModules = {};
  for (const [name, bytes] of Object.entries(fixtures.modules)) modules[name] = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  const components: Record<string, Component> = {};
  for (const [name, bytes] of Object.entries(fixtures.components)) components[name] = await engine.load(bytes, COMPONENTS[name]);
  return { run: (scenario) => runScenario(scenario, { modules, components }), dispose: async () => {} };
};

/**
 * Node running what `engine.precompile` wrote instead of `Engine.load`: the
 * workerd/Chromium path without their sandboxes, so a difference the
 * precompile step itself introduces shows up here first.
 */
export const startNodePrecompiled: StartHost = async ({ fixtures, engine }) => {
  const components: Record<string, Component> = {};
  for (const [name, { files, manifest }] of Object.entries(await precompileAll(engine, fixtures.components))) {
    const glue = await dataUrlGlueLoader.load(files[manifest.files.glue] as string, manifest.hash);
    const compile = (file: string) => WebAssembly.compile(files[file] as Uint8Array<ArrayBuffer>);
    const modules: Record<string, WebAssembly.Module> = {};
    for (const [module, file] of Object.entries(manifest.files.modules)) modules[module] = await compile(file);
    const inline = await Promise.all(manifest.files.inline.map(compile));
    components[name] = fromPrecompiled({ format: PRECOMPILED_FORMAT, manifest, glue, exhausted: await compile(manifest.files.exhausted), modules, inline });
  }
  const modules: FixtureModules = {};
  for (const [name, bytes] of Object.entries(fixtures.modules)) modules[name] = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  return { run: (scenario) => runScenario(scenario, { modules, components }), dispose: async () => {} };
};

/**
 * Registers the suite for `host`. With `compareWithNode` each result must also
 * deep-equal the in-process Node result of the same scenario.
 */
export function describeHost(options: { host: string; start: StartHost; compareWithNode: boolean }): void {
  describe(`sandbox on ${options.host}`, () => {
    let host: Host;
    let reference: Host | undefined;

    beforeAll(async () => {
      const engine = new Engine();
      const fixtures = await buildFixtures();
      if (options.compareWithNode) reference = await startNode({ fixtures, engine });
      host = await options.start({ fixtures, engine });
    });

    afterAll(async () => {
      await host?.dispose();
      await reference?.dispose();
    });

    for (const scenario of SCENARIOS) {
      it(scenario.name, async () => {
        const result = await host.run(scenario.name);
        expectScenario(scenario.name, result);
        if (reference) expect(result).toEqual(await reference.run(scenario.name));
      });
    }
  });
}
