/**
 * Snapshots: an agent instance's state at a quiescent point — the bytes of
 * every linear memory, the values of its mutable globals and the fuel it has
 * used — so that replay can start from the snapshot instead of the beginning
 * of the journal (compaction: entries before `seq` are no longer needed).
 *
 * Binary format `agentos-snapshot/1`: the 4 bytes "AOSN", a u32 (little
 * endian) header length, the header as UTF-8 JSON { format, seq, fuelUsed,
 * memories: [byteLength…], globals: [{ type, value }…] }, then each memory's
 * bytes in order. Memories are copied raw (no compression): capture and
 * restore are one memcpy per memory.
 *
 * Limit: JS can read only exported memories and globals. A guest whose
 * shadow-stack pointer is an unexported global cannot be snapshotted
 * faithfully until the metering rewriter exports it (see CONTRACTS.md).
 */
import { AgentOsError } from '../../../sandbox/src/errors/index.ts';

export const SNAPSHOT_FORMAT = 'agentos-snapshot/1';
const MAGIC = [0x41, 0x4f, 0x53, 0x4e]; // "AOSN"
const PAGE = 65536;

type GlobalType = 'i32' | 'i64' | 'f32' | 'f64';

export interface SnapshotState {
  /** Journal position the snapshot was taken at (replay resumes there). */
  seq: number;
  fuelUsed: bigint;
  memories: Uint8Array[];
  globals: { type: GlobalType; value: number | bigint }[];
}

interface Header {
  format: typeof SNAPSHOT_FORMAT;
  seq: number;
  fuelUsed: string;
  memories: number[];
  globals: { type: GlobalType; value: string }[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Captures memories and globals (in the order given) into one byte string. */
export function captureSnapshot(options: {
  seq: number;
  fuelUsed: bigint;
  memories: readonly WebAssembly.Memory[];
  globals?: readonly { type: GlobalType; global: WebAssembly.Global }[];
}): Uint8Array {
  const sizes = options.memories.map((m) => m.buffer.byteLength);
  const header: Header = {
    format: SNAPSHOT_FORMAT, seq: options.seq, fuelUsed: options.fuelUsed.toString(), memories: sizes,
    globals: (options.globals ?? []).map(({ type, global }) => ({ type, value: String(global.value) })),
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
  if (header.format !== SNAPSHOT_FORMAT) throw bad(`format ${String(header.format)}`);
  let offset = 8 + length;
  const memories = header.memories.map((size) => {
    const view = bytes.subarray(offset, offset + size);
    offset += size;
    return view;
  });
  if (offset !== bytes.length) throw bad('memory sizes do not add up');
  const globals = header.globals.map(({ type, value }) => ({ type, value: type === 'i64' ? BigInt(value) : Number(value) }));
  return { seq: header.seq, fuelUsed: BigInt(header.fuelUsed), memories, globals };
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
