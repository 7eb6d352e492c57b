/**
 * The crash harness's "outside world": a local HTTP server on 127.0.0.1 (a
 * random port) that performs an effect per POST and counts, per
 * Idempotency-Key, how often it was asked. Like a real idempotent API, a
 * repeated key is answered with the stored response and the effect is not
 * performed again — so the checks are: every effect performed exactly once,
 * a retried key always carried the same body, no request without a key.
 */
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';

export interface EffectRecord {
  key: string;
  body: string;
  /** Requests that carried this key (1 + retries after crashes). */
  requests: number;
}

export interface EffectStats {
  /** Effects in the order they were performed. */
  performed: EffectRecord[];
  /** Requests without an Idempotency-Key (each performed: a bug of the host). */
  withoutKey: number;
  /** Keys retried with a different body (a diverged replay). */
  conflicts: string[];
}

export class EffectServer {
  readonly #server: Server;
  readonly #byKey = new Map<string, EffectRecord & { response: string }>();
  readonly stats: EffectStats = { performed: [], withoutKey: 0, conflicts: [] };
  url = '';

  constructor() {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const key = request.headers['idempotency-key'];
        if (request.method !== 'POST' || typeof key !== 'string' || key === '') {
          if (request.method === 'POST') this.stats.withoutKey++;
          response.writeHead(400).end('an Idempotency-Key header is required');
          return;
        }
        let record = this.#byKey.get(key);
        if (record) {
          record.requests++;
          if (record.body !== body) this.stats.conflicts.push(key);
        } else {
          // The effect: performed once per key. The answer depends only on the body, so it is the same in every run.
          record = { key, body, requests: 1, response: `ack ${createHash('sha256').update(body).digest('hex').slice(0, 12)}` };
          this.#byKey.set(key, record);
          this.stats.performed.push(record);
        }
        response.writeHead(201, { 'content-type': 'text/plain' }).end(record.response);
      });
    });
  }

  /** Starts listening on 127.0.0.1 at a free port; sets `url` (the effect endpoint). */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    const address = this.#server.address() as { port: number };
    this.url = `http://127.0.0.1:${address.port}/effect`;
    return this.url;
  }

  /** Forgets every effect (between agent runs). */
  reset(): void {
    this.#byKey.clear();
    this.stats.performed = [];
    this.stats.withoutKey = 0;
    this.stats.conflicts = [];
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
