/**
 * Build-time step of the hosts that run precompiled components (workerd,
 * Chromium): `engine.precompile` each component with the load options the
 * scenarios declare, exactly as a deployment would before bundling. Node-only.
 */
import type { Engine, Precompiled } from '../../packages/sandbox/src/engine/index.ts';
import { COMPONENTS } from './scenarios/index.ts';

/**
 * Precompiles every component in `components` (bytes by name).
 * @throws what `engine.precompile` throws, or an Error for a component without load options.
 */
export async function precompileAll(engine: Engine, components: Record<string, Uint8Array>): Promise<Record<string, Precompiled>> {
  const out: Record<string, Precompiled> = {};
  for (const [name, bytes] of Object.entries(components)) {
    const options = COMPONENTS[name];
    if (!options) throw new Error(`component '${name}' has no load options in test/hosts/scenarios/components.ts`);
    out[name] = await engine.precompile(bytes, options);
  }
  return out;
}
