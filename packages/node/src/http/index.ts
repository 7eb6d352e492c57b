/**
 * HTTP egress on Node: the portable http capability with a system resolver
 * and a transport that connects to the checked address only, so no DNS
 * answer can change between the SSRF check and the connection.
 */
import { createHttpCapability, type HttpCapabilityOptions } from '../../../core/src/http/index.ts';
import type { HttpImplementation } from '../../../core/src/runtime/index.ts';
import { nodeResolve } from './resolve.ts';
import { nodeTransport } from './transport.ts';

export { nodeResolve } from './resolve.ts';
export { nodeTransport, type NodeTransportOptions } from './transport.ts';

/**
 * `createHttpCapability` with Node's resolver and pinned transport as defaults
 * (either may still be injected, e.g. a resolver for tests).
 * @throws AgentOsError 'invalid-policy' when a static policy is invalid.
 */
export function createNodeHttpCapability(options: HttpCapabilityOptions): HttpImplementation {
  return createHttpCapability({ ...options, resolve: options.resolve ?? nodeResolve, transport: options.transport ?? nodeTransport() });
}
