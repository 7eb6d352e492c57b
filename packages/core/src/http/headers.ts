/**
 * Request header checks. A guest's headers are data for the remote server,
 * never instructions to the host: names must be RFC 9110 tokens, values may
 * not hold CR, LF, NUL or other control characters (no request splitting or
 * header injection), and headers that steer the connection or framing
 * (Host, Content-Length, Transfer-Encoding, Connection and the other
 * hop-by-hop headers, proxy credentials) are refused: the host sets those.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

export type HeaderList = [string, string][];

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** HTAB, visible ASCII, space and obs-text (0x80–0xFF); nothing else. */
const VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** Headers the host owns: connection management, framing, routing and proxy auth. */
export const FORBIDDEN_REQUEST_HEADERS: ReadonlySet<string> = new Set([
  'host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'content-length', 'expect', 'http2-settings', 'proxy-authorization', 'proxy-authenticate',
]);

/** Headers a server of another origin must not receive when a redirect leaves the origin (as in the Fetch standard). */
export const CROSS_ORIGIN_STRIPPED: ReadonlySet<string> = new Set(['authorization', 'cookie', 'cookie2', 'proxy-authorization']);

export const MAX_HEADERS = 100;
export const MAX_HEADER_BYTES = 64 * 1024;

/**
 * Checks the guest's request headers.
 * @throws AgentOsError 'invalid-argument' (details.reason 'invalid-header',
 *   'forbidden-header' or 'headers-too-large') for the first offending header.
 */
export function checkRequestHeaders(headers: HeaderList): void {
  if (headers.length > MAX_HEADERS) {
    throw new AgentOsError('invalid-argument', `At most ${MAX_HEADERS} request headers, got ${headers.length}.`, { details: { reason: 'headers-too-large' } });
  }
  let size = 0;
  for (const [name, value] of headers) {
    size += name.length + value.length + 4;
    if (!TOKEN.test(name)) {
      throw new AgentOsError('invalid-argument', `Header name ${JSON.stringify(name.slice(0, 100))} is not an HTTP token.`, {
        details: { reason: 'invalid-header' },
      });
    }
    if (!VALUE.test(value)) {
      throw new AgentOsError('invalid-argument', `The value of header ${name} holds a control character (CR, LF, NUL, ...) or a character above U+00FF.`, {
        details: { reason: 'invalid-header', header: name.toLowerCase() },
      });
    }
    const lower = name.toLowerCase();
    if (FORBIDDEN_REQUEST_HEADERS.has(lower) || lower.startsWith('proxy-')) {
      throw new AgentOsError('invalid-argument', `Header ${name} is set by the host, not the guest; remove it.`, {
        details: { reason: 'forbidden-header', header: lower },
      });
    }
  }
  if (size > MAX_HEADER_BYTES) {
    throw new AgentOsError('invalid-argument', `Request headers total ${size} bytes, more than ${MAX_HEADER_BYTES}.`, { details: { reason: 'headers-too-large' } });
  }
}

/** The list without the headers named in `names` (lower case). */
export function withoutHeaders(headers: HeaderList, names: ReadonlySet<string>): HeaderList {
  return headers.filter(([name]) => !names.has(name.toLowerCase()));
}

/** The first value of a header, case-insensitively. */
export function headerValue(headers: HeaderList, name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}
