/**
 * Redaction at the places data comes to rest: wrap a sink (audit append, log
 * implementation, journal writer) or a Store once, where the host wires them,
 * and nothing written through it can carry a known secret.
 */
import type { BatchOp, Store } from '../store/index.ts';
import type { Redactor } from './redactor.ts';

/** `sink` with every argument redacted (deeply) before it is called. */
export function redacting<A extends unknown[], R>(sink: (...args: A) => R, redactor: Redactor): (...args: A) => R {
  return (...args: A) => sink(...(args.map((a) => redactor.redactValue(a)) as A));
}

/** A Store whose written values (and keys) are redacted; reads pass through. */
export function redactingStore(store: Store, redactor: Redactor): Store {
  const op = (o: BatchOp): BatchOp =>
    o.type === 'put' ? { type: 'put', key: redactor.redact(o.key), value: redactor.redactBytes(o.value) } : { type: 'delete', key: redactor.redact(o.key) };
  return {
    get: (key) => store.get(key),
    put: (key, value) => store.put(redactor.redact(key), redactor.redactBytes(value)),
    delete: (key) => store.delete(key),
    list: (options) => store.list(options),
    batch: (ops, options) => store.batch(ops.map(op), options),
  };
}
