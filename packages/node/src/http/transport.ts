/**
 * The Node transport: one hop over `node:http`/`node:https`, connected to the
 * address the guard checked. Node's built-in `fetch` (undici) takes no custom
 * `lookup`, so a name would be resolved a second time at connect, and a DNS
 * answer that changes between check and connect (rebinding) would slip
 * through. Here `lookup` hands the socket the checked address and nothing
 * else; the URL's host still goes out as `Host` and as the TLS server name, so
 * virtual hosting and certificate checks work as usual. A host name without a
 * checked address is refused rather than resolved.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { HeaderList, HttpTransport, TransportRequest, TransportResponse } from '../../../core/src/http/index.ts';

export interface NodeTransportOptions {
  /** Largest response head (status line + headers) in bytes; default 16 KiB (Node's default). */
  maxHeaderBytes?: number;
}

/** The transport for `createHttpCapability({ transport })` on Node. */
export function nodeTransport(options: NodeTransportOptions = {}): HttpTransport {
  return (request) => sendOnce(request, options.maxHeaderBytes ?? 16 * 1024);
}

function pinnedLookup(pinned: { address: string; family: 4 | 6 }): LookupFunction {
  return (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) {
      (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: pinned.address, family: pinned.family }]);
    } else callback(null, pinned.address, pinned.family);
  };
}

function sendOnce(request: TransportRequest, maxHeaderSize: number): Promise<TransportResponse> {
  const url = new URL(request.url);
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (isIP(hostname) === 0 && request.address === undefined) {
    return Promise.reject(new AgentOsError('internal', `Refusing to connect to ${hostname} without a checked address (the guard resolves names on Node).`, {
      details: { reason: 'unpinned' },
    }));
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of request.headers) {
    const key = name.toLowerCase();
    headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
  }
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)({
      protocol: url.protocol,
      hostname,
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: request.method,
      headers,
      agent: false,
      maxHeaderSize,
      signal: request.signal,
      lookup: request.address ? pinnedLookup(request.address) : undefined,
      servername: secure && isIP(hostname) === 0 ? hostname : undefined,
    });
    req.once('error', reject);
    req.once('response', (res: IncomingMessage) => {
      const list: HeaderList = [];
      for (let i = 0; i < res.rawHeaders.length; i += 2) list.push([res.rawHeaders[i].toLowerCase(), res.rawHeaders[i + 1]]);
      const empty = request.method === 'HEAD' || res.statusCode === 204 || res.statusCode === 304;
      if (empty) res.resume();
      resolve({ status: res.statusCode ?? 0, headers: list, body: empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>) });
    });
    req.end(request.body);
  });
}
