/**
 * Trace and span ids in the W3C Trace Context format.
 *
 * A trace id is 16 random bytes, a span id 8, both written as lowercase hex;
 * all-zero ids are invalid and never handed out. The bytes come from an
 * injectable source (WebCrypto by default) so a test or a replay gets the
 * same ids every run. `traceparent` headers carry a span context across
 * processes and hosts (a tool call to an HTTP service, a message on the bus).
 */
import { toHex } from '../audit/index.ts';

/** Fills `bytes` with random bytes (the shape of `crypto.getRandomValues`). */
export type RandomBytes = (bytes: Uint8Array) => void;

export interface SpanContext {
  /** 32 lowercase hex characters. */
  traceId: string;
  /** 16 lowercase hex characters. */
  spanId: string;
  /** W3C trace flags; bit 0 = sampled. */
  traceFlags: number;
  /** The vendor `tracestate` header, passed along untouched. */
  traceState?: string;
}

export const webCryptoRandomBytes: RandomBytes = (bytes) => {
  crypto.getRandomValues(bytes);
};

/**
 * Makes trace and span ids from a random source. Bytes are drawn 4 KiB at a
 * time: a WebCrypto call costs microseconds, far more than the span it names.
 */
export class IdGenerator {
  readonly #random: RandomBytes;
  readonly #pool = new Uint8Array(4096);
  #offset = 4096;

  constructor(random: RandomBytes = webCryptoRandomBytes) {
    this.#random = random;
  }

  traceId(): string {
    return this.#nonZeroHex(16);
  }

  spanId(): string {
    return this.#nonZeroHex(8);
  }

  #nonZeroHex(length: number): string {
    // A zero id is invalid in W3C Trace Context; the chance is 2^-64 or less,
    // but a deterministic test source may well produce one.
    for (let tries = 0; tries < 8; tries++) {
      if (this.#offset + length > this.#pool.length) {
        this.#random(this.#pool);
        this.#offset = 0;
      }
      const from = this.#offset;
      this.#offset += length;
      for (let i = from; i < from + length; i++) if (this.#pool[i] !== 0) return toHex(this.#pool, from, length);
    }
    return `${'0'.repeat(length * 2 - 2)}01`;
  }
}

/**
 * A deterministic byte source for tests and replays (xorshift32 from `seed`).
 * Not for anything that needs unpredictable ids.
 */
export function seededRandomBytes(seed: number): RandomBytes {
  let state = seed >>> 0 || 0x9e3779b9;
  return (bytes) => {
    for (let i = 0; i < bytes.length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      bytes[i] = state & 0xff;
    }
  };
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The `traceparent` header value for a span context (version 00). */
export function formatTraceparent(context: SpanContext): string {
  return `00-${context.traceId}-${context.spanId}-${(context.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/**
 * Reads a `traceparent` header. Returns undefined for anything invalid
 * (W3C says to ignore such a header and start a new trace): bad shape,
 * uppercase hex, version ff, all-zero ids, or extra fields on version 00.
 */
export function parseTraceparent(header: string, traceState?: string): SpanContext | undefined {
  const match = TRACEPARENT.exec(header.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  const context: SpanContext = { traceId, spanId, traceFlags: Number.parseInt(flags, 16) };
  if (traceState) context.traceState = traceState;
  return context;
}
