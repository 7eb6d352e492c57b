/**
 * Wiring: how the host's `RuntimeOptions` become the sinks and parts the
 * Runtime is built from — the audit sink (redacted with `secrets`, and feeding
 * the observer's decision events when traced), the implementations with the
 * runtime's defaults (kv, a bus link over `options.bus`) and redacted logs,
 * and the durable side over a redacted store. Kept apart from runtime.ts so
 * the Runtime reads as lifecycle and scheduling, not option plumbing.
 */
import { AuditLog } from '../audit/index.ts';
import { redacting } from '../secrets/index.ts';
import { BusLink } from './bus-link.ts';
import { Durability } from './durability.ts';
import { MemoryKv } from './memory-kv.ts';
import type { RuntimeObserver } from './observer.ts';
import type { AuditSink, Implementations, RuntimeOptions } from './options.ts';
import { redactedDurableStore } from './redaction.ts';

/** The host's audit sink (an AuditLog or a function), redacted; a traced runtime also puts each capability decision on its span. */
export function runtimeAudit(options: RuntimeOptions, observer: RuntimeObserver): AuditSink {
  const log = options.audit;
  const redactor = options.secrets?.redactor;
  let audit: AuditSink = log instanceof AuditLog ? (event) => void log.append(event) : log;
  if (redactor) audit = redacting(audit, redactor);
  if (options.observer?.tracer === undefined) return audit;
  const inner = audit;
  return (event) => {
    inner(event);
    if (event.kind === 'capability.decision') observer.decision(event.data);
  };
}

/** The host's implementations with the runtime's defaults (kv in memory, a bus link over `options.bus`) and redacted logs. */
export function runtimeImplementations(options: RuntimeOptions, now: () => number): Implementations {
  const given = options.implementations ?? {};
  const redactor = options.secrets?.redactor;
  return {
    kv: new MemoryKv(),
    ...(options.bus ? { bus: new BusLink(options.bus, { now }) } : {}),
    ...given,
    ...(redactor && given.log ? { log: redacting(given.log, redactor) } : {}),
  };
}

/** The durable side when `options.durable` is set, writing through the `secrets` redactor when there is one. */
export function runtimeDurability(options: RuntimeOptions): Durability | undefined {
  const { durable } = options;
  const redactor = options.secrets?.redactor;
  if (!durable) return undefined;
  return new Durability(redactor ? { ...durable, store: redactedDurableStore(durable.store, redactor) } : durable);
}
