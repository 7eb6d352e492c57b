/**
 * Reads a response body under a byte cap, by streaming: the stream is cut
 * (cancelled) as soon as the cap is passed, so an endless or huge body costs
 * at most the cap in memory, and a declared Content-Length above the cap is
 * refused before reading anything.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

/** A signal that never aborts, for reads without a deadline of their own. */
const NEVER = new AbortController().signal;

/**
 * Collects the body into one array.
 * @throws AgentOsError 'limit-exceeded' (details.reason 'response-too-large')
 *   when the body passes `maxBytes`; rejects with the signal's reason when it aborts.
 */
export async function readCapped(options: {
  body: ReadableStream<Uint8Array> | null;
  maxBytes: number;
  /** Ends the read early (a deadline); none means the caller's own timeouts apply. */
  signal?: AbortSignal;
  declaredLength?: string | null;
}): Promise<Uint8Array> {
  const { body, maxBytes } = options;
  const signal = options.signal ?? NEVER;
  if (body === null) return new Uint8Array(0);
  const tooLarge = (seen: number) =>
    new AgentOsError('limit-exceeded', `The response body passed the cap of ${maxBytes} bytes; it was cut off.`, {
      details: { reason: 'response-too-large', limitBytes: maxBytes, seenBytes: seen },
    });
  const declared = options.declaredLength == null ? NaN : Number(options.declaredLength);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await body.cancel().catch(() => {});
    throw tooLarge(declared);
  }
  const reader = body.getReader();
  // A transport may not tie its stream to the signal; cancelling the reader ends a pending read.
  const onAbort = () => void reader.cancel(signal.reason).catch(() => {});
  signal.addEventListener('abort', onAbort, { once: true });
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const { done, value } = await reader.read();
      if (signal.aborted) throw signal.reason;
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge(total);
      }
      chunks.push(value);
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    reader.releaseLock();
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
