/**
 * Signed tools (`RuntimeOptions.trust`): `registerTool(name, bytes, { manifest })`
 * loads a tool only through `TrustStore.admit` — signature, component hash,
 * publisher key and surface pins — and the capabilities it may use are the
 * ones policy grants from what the manifest requests. Those become the
 * entitlement of agent type `<name>` for the configured tenants (a tool
 * spawned as an agent runs under that type), and decide whether a tool run
 * by `tools.call` may log. With `requireSigned`, unsigned tools are refused.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { CapabilityManager } from '../capabilities/index.ts';
import type { SignedManifest } from '../trust/index.ts';
import type { TrustOptions } from './options.ts';

/**
 * Admits a tool and entitles its type. Returns the granted capabilities, or undefined for
 * an unsigned tool under a runtime that allows those.
 * @throws AgentOsError 'signature-invalid' for an unsigned tool under `requireSigned`;
 *   'invalid-argument' for a manifest without `trust` or naming another tool; the TrustStore's
 *   refusals ('signature-invalid', 'hash-mismatch', 'key-changed', 'manifest-changed', 'not-found').
 */
export async function admitTool(options: {
  trust: TrustOptions | undefined;
  capabilities: CapabilityManager;
  name: string;
  bytes: Uint8Array;
  manifest: SignedManifest | undefined;
}): Promise<readonly string[] | undefined> {
  const { trust, name, manifest } = options;
  if (!manifest) {
    if (trust?.requireSigned) {
      throw new AgentOsError('signature-invalid', `Tool ${name} is unsigned and this runtime loads signed tools only; register it with its signed manifest.`, { details: { name } });
    }
    return undefined;
  }
  if (!trust) throw new AgentOsError('invalid-argument', `Tool ${name} came with a manifest but the runtime has no trust store; pass trust: { store } to the Runtime.`, { details: { name } });
  if (manifest.manifest.name !== name) {
    throw new AgentOsError('invalid-argument', `The manifest is for tool ${manifest.manifest.name}, not ${name}; register a tool under its signed name.`, { details: { name, manifest: manifest.manifest.name } });
  }
  const admitted = await trust.store.admit(manifest, options.bytes);
  const { granted } = admitted.capabilities;
  for (const tenant of trust.tenants ?? []) {
    if (granted.length === 0) options.capabilities.revoke({ tenant, agentType: name });
    else {
      options.capabilities.entitle({
        tenant, agentType: name, capabilities: [...granted], maxCallsPerMinute: trust.maxCallsPerMinute ?? 600, maxTokenBudget: trust.maxTokenBudget ?? 0,
      });
    }
  }
  return granted;
}
