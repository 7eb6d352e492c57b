/**
 * Real HTTP listeners on 127.0.0.1 (random ports) for the egress suites. Each
 * counts every request it receives — a connection the guard should have
 * refused shows up here — and answers by route: echo the request, redirect,
 * stream an oversized or endless body, or stall.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: string[];
  body: string;
}

export interface Listener {
  port: number;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Every request received, in order. */
  seen: SeenRequest[];
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** Starts a counting listener; `handler` answers (default: 200 "ok"). */
export async function listen(handler: Handler = (_req, res) => res.end('ok')): Promise<Listener> {
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body });
      handler(req, res, body);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Answers with the request itself as JSON (method, url, headers, body): a server that echoes credentials. */
export const echo: Handler = (req, res, body) => {
  res.setHeader('content-type', 'application/json');
  res.setHeader('x-echo-authorization', String(req.headers.authorization ?? ''));
  res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
};
