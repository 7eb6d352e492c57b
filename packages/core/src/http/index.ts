/**
 * HTTP egress: the host side of the guest's `http.fetch` capability.
 * `createHttpCapability` returns the runtime's `HttpImplementation`: a
 * per-policy allowlist of hosts, methods, ports and schemes; an SSRF guard
 * that refuses private, loopback, link-local, CGNAT, multicast, reserved and
 * metadata addresses in every spelling (legacy IPv4 forms, IPv6 with embedded
 * IPv4, zone ids) before any connection, re-checks every redirect hop under a
 * hop cap and, with a resolver, every resolved address (the Node adapter then
 * pins the connection to it); header checks; byte and time caps; credential
 * injection from `secrets/`. Portable: the transport and resolver are injected.
 */
export { parseIp, parseIpv4, parseIpv6, formatIp, endsInNumber, type IpAddress } from './address.ts';
export { ADDRESS_CATEGORIES, classifyAddress, type AddressCategory } from './classify.ts';
export { forbiddenName, parseHost, parseUrl, portOf, type Host } from './host.ts';
export {
  checkAllowed, egressPolicySchema, egressRuleSchema, hostMatches, HTTP_METHODS, parseEgressPolicy,
  type Destination, type EgressPolicy, type EgressPolicyInput, type EgressRule, type EgressRuleInput, type HttpMethod,
} from './policy.ts';
export { checkRequestHeaders, CROSS_ORIGIN_STRIPPED, FORBIDDEN_REQUEST_HEADERS, type HeaderList } from './headers.ts';
export { readCapped } from './body.ts';
export { checkHop, type CheckedHop, type GuardOptions, type Resolve } from './guard.ts';
export { fetchTransport, type FetchFunction, type HttpTransport, type TransportRequest, type TransportResponse } from './transport.ts';
export { createHttpCapability, type HttpCapabilityOptions, type HttpSecrets } from './capability.ts';
