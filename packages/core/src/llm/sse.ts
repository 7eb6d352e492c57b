/**
 * Server-Sent Events, read incrementally from a byte stream (the WHATWG
 * `text/event-stream` format): lines end in CR, LF or CRLF; `data:` lines of
 * one event are joined with LF; a blank line dispatches the event; lines
 * starting with `:` are comments (keep-alives). Both the OpenAI streaming
 * API and MCP's Streamable HTTP transport speak it, so it lives here once.
 * The total size is capped: the other side is outside input and must not be
 * able to make the host buffer without bound.
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

/** One dispatched event. */
export interface SseEvent {
  /** The `event:` field; `message` when the event named none. */
  event: string;
  /** The `data:` lines joined with LF. */
  data: string;
  /** The last `id:` seen so far (it carries over to later events, as the format says). */
  id?: string;
}

export interface ReadSseOptions {
  /** Most bytes read from the stream in total; default 8 MiB. */
  maxBytes?: number;
  /** Most characters (UTF-16 code units) in one event or line; default 1 Mi. */
  maxEventBytes?: number;
}

const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

/**
 * Yields the events of an SSE byte stream as they complete. An event cut off
 * by the end of the stream (no blank line after it) is dropped, as the format
 * says. Stopping the iteration early cancels the stream.
 * @throws AgentOsError 'limit-exceeded' when the stream or one event passes its cap;
 *   'invalid-argument' when the bytes are not UTF-8.
 */
export async function* readSseEvents(body: ReadableStream<Uint8Array>, options: ReadSseOptions = {}): AsyncGenerator<SseEvent> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const reader = body.getReader();
  const parser = new SseParser(maxEventBytes);
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        throw new AgentOsError('limit-exceeded', `The event stream passed ${maxBytes} bytes; refusing to read more.`, { details: { maxBytes } });
      }
      yield* parser.push(decode(decoder, value, true));
    }
    yield* parser.push(decode(decoder, undefined, false));
  } finally {
    // Cancelling a finished stream is a no-op; an abandoned one must not keep its connection open.
    await reader.cancel().catch(() => {});
    reader.releaseLock();
  }
}

function decode(decoder: TextDecoder, bytes: Uint8Array | undefined, stream: boolean): string {
  try {
    return decoder.decode(bytes, { stream });
  } catch (error) {
    throw new AgentOsError('invalid-argument', 'The event stream is not valid UTF-8.', { cause: error });
  }
}

/** The line and field state machine, fed text chunks of any size. */
class SseParser {
  readonly #maxEventBytes: number;
  #buffer = '';
  /** A chunk ended in CR: a LF starting the next chunk belongs to that line end. */
  #skipLf = false;
  #event = '';
  #data: string[] = [];
  #id: string | undefined;
  #size = 0;

  constructor(maxEventBytes: number) {
    this.#maxEventBytes = maxEventBytes;
  }

  *push(text: string): Generator<SseEvent> {
    if (this.#skipLf && text.startsWith('\n')) text = text.slice(1);
    this.#skipLf = false;
    this.#buffer += text;
    let start = 0;
    for (;;) {
      const end = lineEnd(this.#buffer, start);
      if (end === -1) break;
      const line = this.#buffer.slice(start, end);
      if (this.#buffer[end] === '\r') {
        if (end + 1 === this.#buffer.length) this.#skipLf = true;
        start = this.#buffer[end + 1] === '\n' ? end + 2 : end + 1;
      } else {
        start = end + 1;
      }
      const event = this.#line(line);
      if (event) yield event;
    }
    this.#buffer = this.#buffer.slice(start);
    if (this.#buffer.length + this.#size > this.#maxEventBytes) this.#tooLarge();
  }

  #line(line: string): SseEvent | undefined {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    this.#size += line.length;
    if (this.#size > this.#maxEventBytes) this.#tooLarge();
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id' && !value.includes('\u0000')) this.#id = value;
    return undefined;
  }

  #dispatch(): SseEvent | undefined {
    const hasData = this.#data.length > 0;
    const event: SseEvent = { event: this.#event || 'message', data: this.#data.join('\n') };
    if (this.#id !== undefined) event.id = this.#id;
    this.#event = '';
    this.#data = [];
    this.#size = 0;
    // An event without data lines is not dispatched (the format's rule).
    return hasData ? event : undefined;
  }

  #tooLarge(): never {
    throw new AgentOsError('limit-exceeded', `One server-sent event passed ${this.#maxEventBytes} bytes.`, { details: { maxEventBytes: this.#maxEventBytes } });
  }
}

function lineEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return -1;
}
