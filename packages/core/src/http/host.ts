/**
 * URL and host parsing for egress. The URL is parsed once with the host's
 * WHATWG `URL` (which already folds percent-escapes, IDNA and legacy IPv4
 * spellings), then its host is parsed again by our own address parser, so a
 * URL implementation that leaves `0x7f.1` or `2130706433` as a "domain" is
 * still caught. Names that only ever mean something inside a network
 * (`localhost`, `*.internal`, `metadata.google.internal`, single labels that
 * go through search domains) are refused as names, before any lookup.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import { endsInNumber, formatIp, parseIp, parseIpv6, type IpAddress } from './address.ts';

export type Host =
  | { kind: 'ip'; address: IpAddress; /** canonical text */ name: string }
  | { kind: 'domain'; /** lower case, no trailing dot */ name: string };

/** Suffixes (and the names themselves) that never name a public host. */
const FORBIDDEN_SUFFIXES = [
  'localhost', 'localdomain', 'local', 'internal', 'intranet', 'lan', 'home', 'corp', 'private',
  'home.arpa', 'in-addr.arpa', 'ip6.arpa', 'onion', 'test', 'invalid', 'example',
  'metadata.goog',
];

/** Exact names of metadata services and loopback aliases. */
const FORBIDDEN_NAMES = new Set([
  'metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal',
  'metadata.azure.com', 'metadata.platformequinix.com', 'ip6-localhost', 'ip6-loopback',
]);

/** Why a domain name is refused before any lookup, or `undefined` when it may be resolved. */
export function forbiddenName(name: string): string | undefined {
  if (FORBIDDEN_NAMES.has(name)) return 'metadata or loopback name';
  if (!name.includes('.')) return 'single-label name (resolved through local search domains)';
  for (const suffix of FORBIDDEN_SUFFIXES) {
    if (name === suffix || name.endsWith(`.${suffix}`)) return `.${suffix} names are internal`;
  }
  return undefined;
}

/**
 * Parses an absolute http(s) URL the guest gave.
 * @throws AgentOsError 'invalid-argument' when it is not an absolute URL, or
 *   carries credentials (user:password@), which would be sent in headers.
 */
export function parseUrl(text: string, base?: URL): URL {
  let url: URL;
  try {
    url = base ? new URL(text, base) : new URL(text);
  } catch {
    throw new AgentOsError('invalid-argument', `Not a valid URL: ${JSON.stringify(text.slice(0, 200))}.`, { details: { reason: 'invalid-url' } });
  }
  if (url.username !== '' || url.password !== '') {
    throw new AgentOsError('invalid-argument', 'URLs with credentials (user:password@host) are refused; the host injects credentials per destination.', {
      details: { reason: 'credentials-in-url' },
    });
  }
  return url;
}

/**
 * The host of a URL as an address or a normalized name.
 * @throws AgentOsError 'invalid-argument' when the host ends in a number but is no valid IPv4 address.
 */
export function parseHost(hostname: string): Host {
  const lower = hostname.toLowerCase();
  if (lower.startsWith('[') || lower.includes(':')) {
    const address = parseIpv6(lower);
    if (!address) throw invalidHost(hostname);
    return { kind: 'ip', address, name: formatIp(address) };
  }
  const name = lower.replace(/\.+$/, '');
  if (name === '' ) throw invalidHost(hostname);
  if (endsInNumber(lower)) {
    const address = parseIp(lower);
    if (!address) throw invalidHost(hostname);
    return { kind: 'ip', address, name: formatIp(address) };
  }
  return { kind: 'domain', name };
}

/** The port a URL connects to (its default when none is written). */
export function portOf(url: URL): number {
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

function invalidHost(hostname: string): AgentOsError {
  return new AgentOsError('invalid-argument', `Not a valid host: ${JSON.stringify(hostname)}.`, { details: { reason: 'invalid-host' } });
}
