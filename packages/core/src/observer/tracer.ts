/**
 * The tracer: starts spans, records instant events, and collects finished
 * spans in a bounded buffer until they are exported as OTLP/JSON.
 *
 * There is no implicit "current span" (that would need AsyncLocalStorage,
 * which is not portable): a child names its parent, either a live `Span` or a
 * `SpanContext` from a `traceparent` header. Time comes from an injected
 * `Clock`, ids from an injected byte source, so a test can pin both.
 */

import { type Clock, realClock } from '../clock/index.ts';
import { IdGenerator, type RandomBytes, type SpanContext } from './ids.ts';
import { type ExportTraceServiceRequest, type OtlpExportOptions, toOtlpTraceRequest } from './otlp.ts';
import { BoundedBuffer, type BufferOptions } from './span-buffer.ts';
import { type Attributes, DEFAULT_SPAN_LIMITS, Span, type SpanData, type SpanKind, type SpanLimits } from './span.ts';

export interface TracerOptions {
  clock?: Clock;
  /** Source of id bytes; default WebCrypto. */
  randomBytes?: RandomBytes;
  buffer?: BufferOptions;
  limits?: Partial<SpanLimits>;
  /** Resource and scope written into every export (service.name, host, version). */
  export?: OtlpExportOptions;
  /** Sees every finished span (e.g. to feed metrics), before it is buffered. */
  onEnd?: (span: SpanData) => void;
}

export interface StartSpanOptions {
  attributes?: Attributes;
  /** A live span, or a remote context (from `parseTraceparent`). None → a new trace. */
  parent?: Span | SpanContext;
  /** Default 'internal'. */
  kind?: SpanKind;
  /** Start time (ms since the epoch); default now. */
  startMs?: number;
}

function contextOf(parent: Span | SpanContext): SpanContext {
  return parent instanceof Span ? parent.context : parent;
}

export class Tracer {
  readonly #clock: Clock;
  readonly #ids: IdGenerator;
  readonly #buffer: BoundedBuffer<SpanData>;
  readonly #limits: SpanLimits;
  readonly #exportOptions: OtlpExportOptions;
  readonly #onEnd: ((span: SpanData) => void) | undefined;
  // Made once and shared by every span, rather than two closures per span.
  readonly #now = (): number => this.#clock.now();
  readonly #finish = (data: SpanData): void => {
    this.#onEnd?.(data);
    this.#buffer.push(data);
  };

  /** @throws AgentOsError 'invalid-argument' for bad buffer options. */
  constructor(options: TracerOptions = {}) {
    this.#clock = options.clock ?? realClock;
    this.#ids = new IdGenerator(options.randomBytes);
    this.#buffer = new BoundedBuffer(options.buffer);
    this.#limits = { ...DEFAULT_SPAN_LIMITS, ...options.limits };
    this.#exportOptions = options.export ?? {};
    this.#onEnd = options.onEnd;
  }

  /** Finished spans waiting for export. */
  get buffered(): number {
    return this.#buffer.size;
  }

  /** Finished spans lost to a full buffer since the tracer was made. */
  get dropped(): number {
    return this.#buffer.dropped;
  }

  /** Starts a span; call `end()` on it when the operation finishes. */
  startSpan(name: string, options: StartSpanOptions = {}): Span {
    const parent = options.parent === undefined ? undefined : contextOf(options.parent);
    const context: SpanContext = {
      traceId: parent?.traceId ?? this.#ids.traceId(),
      spanId: this.#ids.spanId(),
      traceFlags: parent?.traceFlags ?? 1,
      ...(parent?.traceState === undefined ? {} : { traceState: parent.traceState }),
    };
    return new Span({
      name,
      kind: options.kind ?? 'internal',
      context,
      parentSpanId: parent?.spanId,
      startMs: options.startMs ?? this.#clock.now(),
      attributes: options.attributes,
      limits: this.#limits,
      now: this.#now,
      onEnd: this.#finish,
    });
  }

  /**
   * Records something that happened at an instant. With a live parent span
   * it becomes an event of that span; otherwise (no parent, an ended one,
   * or a remote context) a zero-length span named `name`, so nothing is lost.
   */
  event(name: string, attributes?: Attributes, options: { parent?: Span | SpanContext } = {}): void {
    const parent = options.parent;
    if (parent instanceof Span && parent.isRecording) {
      parent.addEvent(name, attributes);
      return;
    }
    const now = this.#clock.now();
    this.startSpan(name, { attributes, parent, startMs: now }).end(now);
  }

  /**
   * Runs `work` inside a span that ends when it settles; a thrown error is
   * recorded on the span (status error) and rethrown, a result sets status ok.
   * @throws what `work` throws.
   */
  async withSpan<T>(name: string, options: StartSpanOptions, work: (span: Span) => Promise<T>): Promise<T> {
    const span = this.startSpan(name, options);
    try {
      const result = await work(span);
      span.setStatus({ code: 'ok' });
      return result;
    } catch (error) {
      span.recordError(error);
      throw error;
    } finally {
      span.end();
    }
  }

  /** Removes up to `max` finished spans from the buffer, oldest first. */
  drain(max?: number): SpanData[] {
    return this.#buffer.drain(max);
  }

  /** Drains the buffer into one OTLP/JSON `ExportTraceServiceRequest`. */
  exportOtlp(max?: number): ExportTraceServiceRequest {
    return toOtlpTraceRequest(this.drain(max), this.#exportOptions);
  }
}
