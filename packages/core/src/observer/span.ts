/**
 * A span: one timed operation (an agent's turn, a tool call, a policy check)
 * with attributes, events and a status. A span records until `end()`; after
 * that it is immutable data (`SpanData`) handed to the tracer's buffer.
 * Limits on attributes and events keep one runaway span from holding
 * unbounded memory; what is dropped is counted, as OTLP expects.
 */

import { isAgentOsError } from '../../../sandbox/src/errors/index.ts';
import type { SpanContext } from './ids.ts';

export type AttributeValue = string | number | boolean | bigint | readonly string[] | readonly number[] | readonly boolean[];
/** Attributes; `undefined` values are skipped, so optional facts can be passed as is. */
export type Attributes = Record<string, AttributeValue | undefined>;

export type SpanKind = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

export interface SpanStatus {
  code: 'unset' | 'ok' | 'error';
  message?: string;
}

export interface SpanEvent {
  name: string;
  /** Clock time (ms since the epoch). */
  timeMs: number;
  attributes: Record<string, AttributeValue>;
  droppedAttributesCount: number;
}

/** A finished span. */
export interface SpanData {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  traceState?: string;
  name: string;
  kind: SpanKind;
  startMs: number;
  endMs: number;
  attributes: Record<string, AttributeValue>;
  droppedAttributesCount: number;
  events: SpanEvent[];
  droppedEventsCount: number;
  status: SpanStatus;
}

export interface SpanLimits {
  /** Attributes per span and per event. Default 128. */
  attributes: number;
  /** Events per span. Default 128. */
  events: number;
}

export const DEFAULT_SPAN_LIMITS: SpanLimits = { attributes: 128, events: 128 };

/**
 * Copies `from` into `into` while `into` has fewer than `limit` keys (`size`
 * of them now); existing keys are overwritten. Returns the new size and how
 * many attributes were dropped.
 */
function mergeAttributes(into: Record<string, AttributeValue>, size: number, from: Attributes | undefined, limit: number): { size: number; dropped: number } {
  let dropped = 0;
  if (!from) return { size, dropped };
  for (const key in from) {
    const value = from[key];
    if (value === undefined) continue;
    const known = Object.hasOwn(into, key);
    if (known || size < limit) {
      into[key] = Array.isArray(value) ? [...value] : value;
      if (!known) size++;
    } else {
      dropped++;
    }
  }
  return { size, dropped };
}

export interface SpanInit {
  name: string;
  kind: SpanKind;
  context: SpanContext;
  parentSpanId: string | undefined;
  startMs: number;
  attributes: Attributes | undefined;
  limits: SpanLimits;
  now: () => number;
  onEnd: (data: SpanData) => void;
}

export class Span {
  readonly name: string;
  readonly context: SpanContext;
  readonly #data: SpanData;
  readonly #limits: SpanLimits;
  readonly #now: () => number;
  readonly #onEnd: (data: SpanData) => void;
  #ended = false;
  #attributeCount = 0;

  constructor(init: SpanInit) {
    this.name = init.name;
    this.context = init.context;
    this.#limits = init.limits;
    this.#now = init.now;
    this.#onEnd = init.onEnd;
    this.#data = {
      traceId: init.context.traceId,
      spanId: init.context.spanId,
      ...(init.parentSpanId === undefined ? {} : { parentSpanId: init.parentSpanId }),
      ...(init.context.traceState === undefined ? {} : { traceState: init.context.traceState }),
      name: init.name,
      kind: init.kind,
      startMs: init.startMs,
      endMs: init.startMs,
      // No prototype: an attribute named __proto__ or constructor is just an attribute.
      attributes: Object.create(null) as Record<string, AttributeValue>,
      droppedAttributesCount: 0,
      events: [],
      droppedEventsCount: 0,
      status: { code: 'unset' },
    };
    this.setAttributes(init.attributes);
  }

  /** False once ended; changes to an ended span are ignored. */
  get isRecording(): boolean {
    return !this.#ended;
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    return this.setAttributes({ [key]: value });
  }

  setAttributes(attributes: Attributes | undefined): this {
    if (this.#ended) return this;
    const { size, dropped } = mergeAttributes(this.#data.attributes, this.#attributeCount, attributes, this.#limits.attributes);
    this.#attributeCount = size;
    this.#data.droppedAttributesCount += dropped;
    return this;
  }

  /** Records something that happened at one instant during the span. */
  addEvent(name: string, attributes?: Attributes, timeMs?: number): this {
    if (this.#ended) return this;
    if (this.#data.events.length >= this.#limits.events) {
      this.#data.droppedEventsCount++;
      return this;
    }
    const eventAttributes = Object.create(null) as Record<string, AttributeValue>;
    const { dropped } = mergeAttributes(eventAttributes, 0, attributes, this.#limits.attributes);
    this.#data.events.push({ name, timeMs: timeMs ?? this.#now(), attributes: eventAttributes, droppedAttributesCount: dropped });
    return this;
  }

  setStatus(status: SpanStatus): this {
    // OTel: once a span is marked ok, it stays ok.
    if (!this.#ended && this.#data.status.code !== 'ok') this.#data.status = { ...status };
    return this;
  }

  /**
   * Marks the span failed and adds an "exception" event (OTel semantic
   * conventions); an AgentOsError's code goes into `agentos.error.code`.
   */
  recordError(error: unknown): this {
    const code = isAgentOsError(error) ? error.code : undefined;
    const message = error instanceof Error ? error.message : String(error);
    const type = isAgentOsError(error) ? 'AgentOsError' : error instanceof Error ? error.name : typeof error;
    this.addEvent('exception', { 'exception.type': type, 'exception.message': message, 'agentos.error.code': code });
    this.setAttribute('agentos.error.code', code);
    return this.setStatus({ code: 'error', message });
  }

  /** Ends the span (at `endMs`, default now) and hands it to the tracer. Only the first call counts. */
  end(endMs?: number): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#data.endMs = Math.max(this.#data.startMs, endMs ?? this.#now());
    this.#onEnd(this.#data);
  }
}
