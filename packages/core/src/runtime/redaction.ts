/**
 * Secrets never come to rest through the runtime (`RuntimeOptions.secrets`):
 * the audit sink, the guest log sink and the durable Store (records,
 * approvals, journal) are wrapped once with the host's Redactor.
 *
 * Why redacting the journal keeps replay exact: the journal records the
 * values handed to the guest and the guest's arguments, and a guest never
 * holds a secret — the host injects credentials into requests itself
 * (`createHttpCapability({ secrets })`), and scrubs any a server echoes
 * back *before* the guest sees the response. So a recorded value already
 * equals its redaction and replay hands the guest the very bytes it got live.
 * The rule hosts must keep: never hand a guest a secret value (no
 * implementation may return one unredacted). If one did, its replay would
 * see `[REDACTED:<name>]` instead — a different value, caught as
 * 'replay-divergence' where it changes the guest's later calls.
 *
 * Component bytes (`components/<sha256>`) are stored as they are: they are
 * checked against their hash on load, and a component is no place for a secret.
 */
import type { Redactor } from '../secrets/index.ts';
import type { BatchOp, Store } from '../store/index.ts';

const COMPONENTS = 'components/';

/** The durable store with every write but component bytes redacted (keys too); reads pass through. */
export function redactedDurableStore(store: Store, redactor: Redactor): Store {
  const op = (o: BatchOp): BatchOp => {
    if (o.type === 'delete') return { type: 'delete', key: redactor.redact(o.key) };
    return o.key.startsWith(COMPONENTS) ? o : { type: 'put', key: redactor.redact(o.key), value: redactor.redactBytes(o.value) };
  };
  return {
    get: (key) => store.get(key),
    list: (options) => store.list(options),
    delete: (key) => store.delete(redactor.redact(key)),
    put: (key, value) => {
      const written = op({ type: 'put', key, value }) as Extract<BatchOp, { type: 'put' }>;
      return store.put(written.key, written.value);
    },
    batch: (ops, options) => store.batch(ops.map(op), options),
  };
}
