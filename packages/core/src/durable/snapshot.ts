/**
 * Snapshots: an agent instance's state at a quiescent point — the bytes of
 * every linear memory, the values of its mutable globals and the fuel it has
 * used — so that replay can start from the snapshot instead of the beginning
 * of the journal (compaction: entries before `seq` are no longer needed).
 *
 * Binary format `agentos-snapshot/1`: the 4 bytes "AOSN", a u32 (little
 * endian) header length, the header as UTF-8 JSON { format, seq, fuelUsed,
 * memories: [byteLength…], globals: [{ type, value }…], meta? }, then each memory's
 * bytes in order. Memories are copied raw (no compression): capture and
 * restore are one memcpy per memory.
 *
 * `snapshotStore`/`restoreStore` take the state of a whole component instance:
 * JS can read only exported memories and globals, so the component must be
 * loaded with `exportState` (metering/export-state.ts), which exports every
 * core instance's memories and mutable globals (the shadow-stack pointer too);
 * the engine's `stateView` finds them and refuses components whose state JS
 * cannot copy (tables changed at run time).
 */
import { restoreState, stateView, type Store } from '../../../sandbox/src/engine/index.ts';
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

export const SNAPSHOT_FORMAT = 'agentos-snapshot/1';
const MAGIC = [0x41, 0x4f, 0x53, 0x4e]; // "AOSN"
const PAGE = 65536;

/** `'number'`: an i32, f32 or f64 global whose exact type JS does not reveal (the value is kept exactly). */
type GlobalType = 'i32' | 'i64' | 'f32' | 'f64' | 'number';

export interface SnapshotState {
  /** Journal position the snapshot was taken at (replay resumes there). */
  seq: number;
  fuelUsed: bigint;
  memories: Uint8Array[];
  globals: { type: GlobalType; value: number | bigint }[];
  /** What the taker noted with the snapshot (JSON), e.g. where in the agent's life it was taken. */
  meta?: unknown;
}

interface Header {
  format: typeof SNAPSHOT_FORMAT;
  seq: number;
  fuelUsed: string;
  memories: number[];
  globals: { type: GlobalType; value: string }[];
  meta?: unknown;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Captures memories and globals (in the order given) into one byte string. */
export function captureSnapshot(options: {
  seq: number;
  fuelUsed: bigint;
  memories: readonly WebAssembly.Memory[];
  globals?: readonly { type: GlobalType; global: WebAssembly.Global }[];
  /** JSON-encodable note kept with the snapshot. */
  meta?: unknown;
}): Uint8Array {
  const sizes = options.memories.map((m) => m.buffer.byteLength);
  const header: Header = {
    format: SNAPSHOT_FORMAT, seq: options.seq, fuelUsed: options.fuelUsed.toString(), memories: sizes,
    globals: (options.globals ?? []).map(({ type, global }) => ({ type, value: Object.is(global.value, -0) ? '-0' : String(global.value) })),
    ...(options.meta === undefined ? {} : { meta: options.meta }),
  };
  const head = encoder.encode(JSON.stringify(header));
  const out = new Uint8Array(8 + head.length + sizes.reduce((a, b) => a + b, 0));
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, head.length, true);
  out.set(head, 8);
  let offset = 8 + head.length;
  options.memories.forEach((memory, i) => {
    out.set(new Uint8Array(memory.buffer, 0, sizes[i]), offset);
    offset += sizes[i];
  });
  return out;
}

/**
 * Parses a snapshot (memories are views into `bytes`, not copies).
 * @throws AgentOsError 'invalid-argument' when the bytes are not a snapshot of this format.
 */
export function readSnapshot(bytes: Uint8Array): SnapshotState {
  const bad = (why: string) => new AgentOsError('invalid-argument', `Not an agent snapshot (${SNAPSHOT_FORMAT}): ${why}.`);
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) throw bad('wrong magic');
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  let header: Header;
  try {
    header = JSON.parse(decoder.decode(bytes.subarray(8, 8 + length)));
  } catch {
    throw bad('unreadable header');
  }
  if (header?.format !== SNAPSHOT_FORMAT) throw bad(`format ${String(header?.format)}`);
  if (!wellFormed(header)) throw bad('malformed header');
  let offset = 8 + length;
  const memories = header.memories.map((size) => {
    const view = bytes.subarray(offset, offset + size);
    offset += size;
    return view;
  });
  if (offset !== bytes.length) throw bad('memory sizes do not add up');
  const globals = header.globals.map(({ type, value }) => ({ type, value: type === 'i64' ? BigInt(value) : Number(value) }));
  return { seq: header.seq, fuelUsed: BigInt(header.fuelUsed), memories, globals, ...(header.meta === undefined ? {} : { meta: header.meta }) };
}

const DECIMAL = /^-?\d+$/;
const NUMBER = /^(-?\d+(\.\d+)?(e[-+]?\d+)?|-0|NaN|-?Infinity)$/i;

/** A damaged header must be refused as such, not fail later as a TypeError. */
function wellFormed(header: Header): boolean {
  return Number.isSafeInteger(header.seq) && header.seq >= 0 && typeof header.fuelUsed === 'string' && DECIMAL.test(header.fuelUsed)
    && Array.isArray(header.memories) && header.memories.every((size) => Number.isSafeInteger(size) && size >= 0)
    && Array.isArray(header.globals) && header.globals.every((g) => typeof g?.value === 'string'
      && (g.type === 'i64' ? DECIMAL.test(g.value) : ['i32', 'f32', 'f64', 'number'].includes(g.type) && NUMBER.test(g.value)));
}

/**
 * Writes a snapshot's state into a fresh instance's memories and globals
 * (same order as captured), growing memories to the captured size.
 * @throws AgentOsError 'illegal-state' when the instance has other memories or globals than the
 *   snapshot, or a memory already larger than captured (memories cannot shrink).
 */
export function restoreSnapshot(state: SnapshotState, target: { memories: readonly WebAssembly.Memory[]; globals?: readonly WebAssembly.Global[] }): void {
  const globals = target.globals ?? [];
  if (target.memories.length !== state.memories.length || globals.length !== state.globals.length) {
    throw new AgentOsError('illegal-state', `The snapshot holds ${state.memories.length} memories and ${state.globals.length} globals; the instance has ${target.memories.length} and ${globals.length}.`);
  }
  target.memories.forEach((memory, i) => {
    const saved = state.memories[i];
    const have = memory.buffer.byteLength;
    if (have > saved.length) throw new AgentOsError('illegal-state', `Memory ${i} is already ${have} bytes, larger than the snapshot's ${saved.length}.`);
    if (have < saved.length) memory.grow((saved.length - have) / PAGE);
    new Uint8Array(memory.buffer).set(saved);
  });
  globals.forEach((global, i) => {
    global.value = state.globals[i].value;
  });
}

/**
 * Captures the instance in `store` (memories and mutable globals of every core
 * instance, and the fuel it has used) as a snapshot taken at journal position `seq`.
 * Call only between invocations: no guest call may be on the stack.
 * @throws AgentOsError 'unsupported-feature' when the component was loaded without state
 *   exports or its state cannot be copied (see `stateView`); 'illegal-state' when nothing was instantiated.
 */
export function snapshotStore(store: Store, options: { seq: number; meta?: unknown }): Uint8Array {
  const view = stateView(store);
  return captureSnapshot({
    seq: options.seq, fuelUsed: store.fuel.used, memories: view.memories, meta: options.meta,
    globals: view.globals.map((global) => ({ type: typeof global.value === 'bigint' ? 'i64' : 'number', global })),
  });
}

/**
 * Puts a snapshot into a freshly instantiated instance of the same component in
 * `store` (memories, globals, fuel used) and returns the journal position to replay from.
 * @throws AgentOsError 'invalid-argument' for bytes that are not a snapshot; 'illegal-state' when the
 *   instance does not match it (other memories, globals, or sizes) or already ran past it — checked
 *   before anything is written, so the instance is then untouched; as `snapshotStore` otherwise.
 */
export function restoreStore(store: Store, bytes: Uint8Array): { seq: number; fuelUsed: bigint } {
  const state = readSnapshot(bytes);
  checkFits(store, state);
  restoreState(store, { fuelUsed: state.fuelUsed, memories: state.memories, globals: state.globals.map((g) => g.value) });
  return { seq: state.seq, fuelUsed: state.fuelUsed };
}

/**
 * Everything that can refuse a snapshot is checked before the instance is touched, so a
 * refused restore leaves a fresh instance as it was (the runtime then replays from the start).
 * Left to `restoreState`: a memory whose maximum is below the captured size (grow fails).
 */
function checkFits(store: Store, state: SnapshotState): void {
  const view = stateView(store);
  const refuse = (why: string, details: Record<string, unknown>) => new AgentOsError('illegal-state', `The snapshot does not fit this instance: ${why}. It was taken from another component or build.`, { details });
  if (view.memories.length !== state.memories.length || view.globals.length !== state.globals.length) {
    throw refuse(`it holds ${state.memories.length} memories and ${state.globals.length} globals, the instance ${view.memories.length} and ${view.globals.length}`, { reason: 'layout' });
  }
  view.memories.forEach((memory, i) => {
    const saved = state.memories[i].length;
    if (saved % PAGE !== 0 || memory.buffer.byteLength > saved) throw refuse(`memory ${i} is ${memory.buffer.byteLength} bytes, the snapshot's ${saved}`, { reason: 'layout', memory: i });
  });
  view.globals.forEach((global, i) => {
    const i64 = typeof global.value === 'bigint';
    if (i64 !== (state.globals[i].type === 'i64')) throw refuse(`global ${i} is ${i64 ? 'an i64' : 'not an i64'}, the snapshot's ${state.globals[i].type}`, { reason: 'layout', global: i });
  });
  if (store.fuel.used > state.fuelUsed) throw refuse(`the instance already used ${store.fuel.used} fuel, more than the snapshot's ${state.fuelUsed}`, { reason: 'fuel' });
}
