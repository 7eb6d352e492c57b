/**
 * What a host scenario is and what it reports. Results are JSON (no bigint, no
 * messages that differ between engines) so hosts can be compared with deep equality.
 */
import type { Component } from '../../../packages/sandbox/src/engine/index.ts';
import { isAgentOsError } from '../../../packages/sandbox/src/errors/index.ts';

/** Compiled core fixtures by name: hosts compile (or, on workerd, bundle) them before the scenario runs. */
export type FixtureModules = Record<string, WebAssembly.Module>;

/** What a host hands a scenario: what it asked for, ready to instantiate. */
export interface ScenarioContext {
  modules: FixtureModules;
  /** Loaded components by name (see ./components.ts for how each is loaded). */
  components: Record<string, Component>;
}

export interface Scenario {
  /** Stated as behaviour; also the key hosts are asked to run. */
  name: string;
  /** Core fixtures (test/hosts/fixtures/<name>.wat) the scenario needs. */
  modules?: string[];
  /** Components (COMPONENTS in ./components.ts) the scenario needs. */
  components?: string[];
  run(context: ScenarioContext): Promise<unknown>;
}

/** How a call ended: its value, or the stable code of the error it threw. */
export type Outcome = { returned: unknown } | { threw: string };

/**
 * Runs `call` and reports how it ended. An AgentOsError keeps its code; a
 * WebAssembly trap becomes `wasm-trap`; anything else is a harness bug and is rethrown.
 */
export async function outcomeOf(call: () => unknown): Promise<Outcome> {
  try {
    return { returned: await call() };
  } catch (error) {
    if (isAgentOsError(error)) return { threw: error.code };
    if (error instanceof WebAssembly.RuntimeError) return { threw: 'wasm-trap' };
    throw error;
  }
}
