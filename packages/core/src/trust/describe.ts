/**
 * Reading a manifest's fields from the tool itself: the component's
 * `describe` export (run in the sandbox, metered, with logging dropped) gives
 * name, version, description and schemas; its imports give the world and the
 * capabilities it can ask for. `agentos sign` uses this when no manifest file
 * is given, so what is signed is what the component says about itself.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { Engine } from '../../../sandbox/src/index.ts';
import { type ManifestFields, parseManifestFields } from './manifest.ts';

/** The `agentos:runtime` package version of wit/worlds.wit. */
export const WIT_VERSION = '0.1.0';
const PACKAGE = 'agentos:runtime';
/** Interfaces of the plain `tool` world: a tool importing only these needs no capability beyond logging. */
const TOOL_WORLD_IMPORTS = new Set(['log', 'types']);

export interface DescribeToolOptions {
  engine: Engine;
  component: Uint8Array;
  /** Fuel for `describe` (default 10^9: it must be cheap). */
  fuel?: bigint;
  /** Memory cap while describing (default 64 MiB). */
  maxMemoryBytes?: number;
}

/**
 * Loads a tool component, calls its `describe` and derives world and capabilities from its imports.
 * @throws {AgentOsError} the engine's load and run errors ('invalid-component', 'out-of-fuel', 'trap', …);
 *   'invalid-component' when it does not export `describe` and `invoke` or describes itself with
 *   schemas that are not JSON; 'invalid-argument' when the description is not a valid manifest.
 */
export async function describeTool(options: DescribeToolOptions): Promise<ManifestFields> {
  const component = await options.engine.load(options.component, { maxMemoryBytes: options.maxMemoryBytes });
  const exports = new Set(component.functions.map((f) => f.path));
  if (!exports.has('describe') || !exports.has('invoke')) {
    throw new AgentOsError('invalid-component', `The component is not a tool: it must export describe and invoke (it exports ${[...exports].join(', ') || 'nothing'}).`);
  }
  // Loaded here, not at the top: verifying manifests must not pull in the engine and the runtime.
  const [{ Store }, { CAPABILITY_IDS }] = await Promise.all([import('../../../sandbox/src/index.ts'), import('../runtime/index.ts')]);
  const store = new Store({ fuel: options.fuel ?? 1_000_000_000n });
  const instance = await component.instantiate(store, { imports: { [`${PACKAGE}/log`]: { log: () => {} } } });
  const described = (await instance.call('describe')) as Record<string, unknown>;
  const interfaces = component.imports.filter((name) => name.startsWith(`${PACKAGE}/`)).map((name) => name.slice(PACKAGE.length + 1).replace(/@.*$/, ''));
  const world = interfaces.every((i) => TOOL_WORLD_IMPORTS.has(i)) ? 'tool' : 'tool-with-capabilities';
  const ids: string[] = Object.values(CAPABILITY_IDS);
  const capabilities = ids.filter((id) => interfaces.some((i) => id === i || id.startsWith(`${i}.`))).sort();
  return parseManifestFields({
    name: described.name,
    version: described.version,
    description: described.description,
    world: `${PACKAGE}/${world}@${WIT_VERSION}`,
    inputSchema: schema(described.inputSchema, 'input'),
    outputSchema: schema(described.outputSchema, 'output'),
    capabilities,
  });
}

function schema(text: unknown, which: string): unknown {
  try {
    return JSON.parse(String(text));
  } catch (cause) {
    throw new AgentOsError('invalid-component', `The tool's describe() returned an ${which} schema that is not JSON.`, { cause });
  }
}
