/**
 * Instance state: what a durable agent snapshots between invocations and puts
 * back into a fresh instance of the same component, so that replay starts from
 * the snapshot instead of the beginning of its journal.
 *
 * The state is the memories and mutable globals of every core instance of the
 * component, in instantiation order, plus the fuel the store has used. It is
 * readable only when the core modules were instrumented with `exportState`
 * (metering/export-state.ts): `Component.instantiate` records each core instance
 * on its Store (`recordCoreInstance`), and the reserved `agentos:state/…` exports
 * give the rest. A module whose state cannot be copied faithfully (tables changed
 * at run time, reference globals) carries an `agentos:state/unsupported/<why>`
 * marker, and capturing its store is refused with that reason.
 *
 * Capture only at a quiescent point: no guest call on the stack (between
 * invocations). The jco glue's JS-side state (resource handle tables) is not part
 * of the capture; it is empty when no resource handle is live across invocations.
 */
import { AgentOsError } from '../errors/index.ts';
import type { Store } from './store.ts';

const MEMORY = 'agentos:state/memory/';
const GLOBAL = 'agentos:state/global/';
const UNSUPPORTED = 'agentos:state/unsupported/';
const PAGE = 65536;

const instances = new WeakMap<Store, WebAssembly.Instance[]>();

/** The live state of a store's instance: references, not copies. */
export interface StateView {
  memories: WebAssembly.Memory[];
  globals: WebAssembly.Global[];
}

/** A copy of a store's instance state. */
export interface InstanceState {
  fuelUsed: bigint;
  memories: Uint8Array[];
  /** i64 globals are bigints, the other numeric types numbers. */
  globals: (number | bigint)[];
}

/** Called by `Component.instantiate` for every core instance it creates, in order. */
export function recordCoreInstance(store: Store, instance: WebAssembly.Instance): void {
  coreInstances(store).push(instance);
}

/** The list `recordCoreInstance` appends to (looked up once per component instantiation, not per core instance). */
export function coreInstances(store: Store): WebAssembly.Instance[] {
  let list = instances.get(store);
  if (!list) instances.set(store, (list = []));
  return list;
}

/**
 * The memories and mutable globals of every core instance in `store`, in instantiation order.
 * @throws AgentOsError 'unsupported-feature' when a core module's state cannot be captured
 *   (the reason is in the message and `details.reason`), or the component was not loaded with
 *   state exports (`LoadOptions`/instrument `exportState`); 'illegal-state' when nothing was
 *   instantiated into the store.
 */
export function stateView(store: Store): StateView {
  const list = instances.get(store);
  if (!list || list.length === 0) throw new AgentOsError('illegal-state', 'No component was instantiated into this store, so it has no state to capture.');
  const view: StateView = { memories: [], globals: [] };
  let exported = false;
  list.forEach((instance, position) => {
    const exports = instance.exports;
    for (const name in exports) {
      if (name.startsWith(UNSUPPORTED)) {
        const reason = name.slice(UNSUPPORTED.length);
        throw new AgentOsError('unsupported-feature', `This agent cannot be snapshotted: core instance ${position} uses ${reason}, state JS cannot copy into a fresh instance. Recover it by replaying its journal from the start instead.`, {
          details: { reason, instance: position },
        });
      }
      if (name.startsWith(MEMORY)) {
        view.memories.push(exports[name] as WebAssembly.Memory);
        exported = true;
      } else if (name.startsWith(GLOBAL)) {
        view.globals.push(exports[name] as WebAssembly.Global);
        exported = true;
      }
    }
  });
  if (!exported && list.some((i) => Object.values(i.exports).some((v) => v instanceof WebAssembly.Memory))) {
    throw new AgentOsError('unsupported-feature', 'This component was loaded without state exports; load it with an instrument that sets `exportState: true` to snapshot it.', {
      details: { reason: 'no-state-exports' },
    });
  }
  return view;
}

/**
 * Copies the state of `store`'s instance (call between invocations, never during one).
 * @throws AgentOsError as `stateView`.
 */
export function captureState(store: Store): InstanceState {
  const view = stateView(store);
  return {
    fuelUsed: store.fuel.used,
    memories: view.memories.map((m) => new Uint8Array(m.buffer).slice()),
    globals: view.globals.map((g) => g.value as number | bigint),
  };
}

/**
 * Writes captured state into a fresh instance of the same component in `store`:
 * memories (grown to the captured size), globals, and the fuel used, so the
 * instance continues exactly as the captured one would have.
 * @throws AgentOsError 'illegal-state' when the instance has other memories or globals than the state,
 *   a memory larger than captured (memories cannot shrink), or has already used more fuel than captured;
 *   as `stateView` otherwise.
 */
export function restoreState(store: Store, state: Pick<InstanceState, 'fuelUsed' | 'memories' | 'globals'>): void {
  const view = stateView(store);
  if (view.memories.length !== state.memories.length || view.globals.length !== state.globals.length) {
    throw new AgentOsError('illegal-state', `The state holds ${state.memories.length} memories and ${state.globals.length} globals; this instance has ${view.memories.length} and ${view.globals.length}. Restore into an instance of the same component.`);
  }
  const used = store.fuel.used;
  if (used > state.fuelUsed) {
    throw new AgentOsError('illegal-state', `This instance has already used ${used} fuel, more than the captured ${state.fuelUsed}; restore into a freshly instantiated one.`);
  }
  view.memories.forEach((memory, i) => {
    const saved = state.memories[i];
    const have = memory.buffer.byteLength;
    if (have > saved.length) throw new AgentOsError('illegal-state', `Memory ${i} is already ${have} bytes, larger than the captured ${saved.length}.`);
    if (have < saved.length) memory.grow((saved.length - have) / PAGE);
    new Uint8Array(memory.buffer).set(saved);
  });
  view.globals.forEach((global, i) => {
    global.value = state.globals[i];
  });
  // The counter counts down: spending the difference makes `used` equal the captured figure.
  // A result below zero is refilled (or stops the guest) at its next check, as any overrun.
  store.fuel.global.value -= state.fuelUsed - used;
  store.sampleMemory();
}
