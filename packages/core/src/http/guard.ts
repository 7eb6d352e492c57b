/**
 * The SSRF guard for one hop: scheme, host (as an address or a name), the
 * egress allowlist, and — where the host can resolve names — every address
 * the name resolves to. The result says which checked address to connect
 * to, so the transport cannot be sent elsewhere by a second DNS answer.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { formatIp, parseIp, type IpAddress } from './address.ts';
import { classifyAddress } from './classify.ts';
import { forbiddenName, parseHost, portOf } from './host.ts';
import { checkAllowed, type EgressPolicy, type HttpMethod } from './policy.ts';

/** Resolves a host name to its addresses (text form, as a resolver writes them). */
export type Resolve = (hostname: string, signal: AbortSignal) => Promise<readonly string[]>;

export interface GuardOptions {
  policy: EgressPolicy;
  resolve?: Resolve;
  /** Test-only exemptions: exact addresses (`127.0.0.1`) or sockets (`127.0.0.1:8080`, `[::1]:8080`). */
  allowPrivateAddresses: readonly string[];
  signal: AbortSignal;
}

export interface CheckedHop {
  /** Normalized host (name or canonical address). */
  host: string;
  port: number;
  /** The address to connect to, when the name was resolved here. */
  address?: { address: string; family: 4 | 6 };
}

function exempt(options: GuardOptions, address: IpAddress, port: number): boolean {
  const text = formatIp(address);
  const socket = address.family === 6 ? `[${text}]:${port}` : `${text}:${port}`;
  return options.allowPrivateAddresses.some((entry) => entry === text || entry === socket);
}

function checkAddress(options: GuardOptions, address: IpAddress, port: number, via: string): void {
  const category = classifyAddress(address);
  if (category === 'public' || exempt(options, address, port)) return;
  throw new AgentOsError('policy-denied', `${via} is a ${category} address (${formatIp(address)}); only public addresses may be reached.`, {
    details: { reason: 'private-address', category, address: formatIp(address) },
  });
}

/** Canonical text of a rule's host when it is an IP literal (so `0x7f.1` and `127.0.0.1` are one rule). */
function ruleIp(pattern: string): string | undefined {
  try {
    const host = parseHost(pattern);
    return host.kind === 'ip' ? host.name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks one hop before any connection is made.
 * @throws AgentOsError 'policy-denied' (details.reason 'private-address',
 *   'forbidden-hostname', 'scheme-not-allowed', 'host-not-allowed',
 *   'port-not-allowed', 'method-not-allowed'), 'invalid-argument' for a
 *   malformed host, 'connection-failed' when a name does not resolve.
 */
export async function checkHop(url: URL, method: HttpMethod, options: GuardOptions): Promise<CheckedHop> {
  const scheme = url.protocol.slice(0, -1);
  if (scheme !== 'http' && scheme !== 'https') {
    throw new AgentOsError('policy-denied', `Only http and https URLs may be fetched, not ${scheme}:.`, { details: { reason: 'scheme-not-allowed', scheme } });
  }
  const host = parseHost(url.hostname);
  const port = portOf(url);
  if (host.kind === 'ip') checkAddress(options, host.address, port, host.name);
  else {
    const why = forbiddenName(host.name);
    if (why !== undefined) {
      throw new AgentOsError('policy-denied', `${host.name} cannot be reached: ${why}.`, { details: { reason: 'forbidden-hostname', host: host.name } });
    }
  }
  checkAllowed(options.policy, { scheme, host: host.name, port, method }, ruleIp);
  if (host.kind === 'ip' || options.resolve === undefined) return { host: host.name, port };

  let answers: readonly string[];
  try {
    answers = await options.resolve(host.name, options.signal);
  } catch (cause) {
    if (options.signal.aborted) throw options.signal.reason;
    throw new AgentOsError('connection-failed', `Could not resolve ${host.name}.`, { cause, details: { reason: 'connection-failed', host: host.name } });
  }
  if (answers.length === 0) {
    throw new AgentOsError('connection-failed', `${host.name} has no addresses.`, { details: { reason: 'connection-failed', host: host.name } });
  }
  // Every answer must be public: a resolver may mix one private address among public ones.
  const addresses = answers.map((text) => {
    const address = parseIp(text);
    if (!address) throw new AgentOsError('connection-failed', `The resolver returned a malformed address for ${host.name}.`, { details: { reason: 'connection-failed' } });
    checkAddress(options, address, port, `${host.name} resolves to an address that`);
    return address;
  });
  const first = addresses[0];
  return { host: host.name, port, address: { address: formatIp(first), family: first.family } };
}
