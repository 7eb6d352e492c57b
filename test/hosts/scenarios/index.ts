/**
 * The scenarios every host runs: the same code, on Node, inside workerd and in
 * a Chromium module worker. Hosts differ only in how they obtain compiled core
 * fixtures and loaded components; the suites then demand identical results
 * (fuel included).
 */
import { COMPONENT_SCENARIOS } from './components.ts';
import { CORE_SCENARIOS } from './core.ts';
import type { Scenario, ScenarioContext } from './types.ts';

export type { FixtureModules, Outcome, Scenario, ScenarioContext } from './types.ts';
export { SPIN_FUEL } from './core.ts';
export { ALLOC_CAP_BYTES, COMPONENTS, SPIN_COMPONENT_FUEL } from './components.ts';

export const SCENARIOS: readonly Scenario[] = [...CORE_SCENARIOS, ...COMPONENT_SCENARIOS];

/** Every core fixture any scenario needs. */
export function moduleNames(): string[] {
  return [...new Set(SCENARIOS.flatMap((s) => s.modules ?? []))].sort();
}

/** Every component any scenario needs. */
export function componentNames(): string[] {
  return [...new Set(SCENARIOS.flatMap((s) => s.components ?? []))].sort();
}

/**
 * Runs the named scenario and returns its JSON result.
 * Throws a TypeError for an unknown name or a missing fixture (a harness bug, not a host difference).
 */
export async function runScenario(name: string, context: ScenarioContext): Promise<unknown> {
  const scenario = SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new TypeError(`unknown scenario '${name}'`);
  for (const module of scenario.modules ?? []) {
    if (!(context.modules[module] instanceof WebAssembly.Module)) throw new TypeError(`scenario '${name}' needs core fixture '${module}'`);
  }
  for (const component of scenario.components ?? []) {
    if (!context.components[component]) throw new TypeError(`scenario '${name}' needs component '${component}'`);
  }
  return scenario.run(context);
}
