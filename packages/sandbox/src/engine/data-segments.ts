/**
 * Merges a core module's active data segments before it is compiled, because
 * the host initializes each segment separately on every instantiation. A
 * QuickJS tool built by componentize-qjs carries a pre-initialized heap as
 * ~5,000 small segments (Wizer snapshot); initializing them was a quarter of
 * the tool's instantiation time.
 *
 * The rewrite only applies where it provably leaves the initial memory
 * unchanged, and returns the module untouched otherwise:
 * - every segment is active, on memory 0, at an `i32.const` offset, and the
 *   segments are in ascending, non-overlapping order (so the order in which they
 *   are written cannot matter);
 * - memory 0 is defined by the module, not imported: a fresh memory is all
 *   zeros, so the bytes filled into a gap are the ones already there, and if a
 *   segment is out of bounds the instantiation fails either way (the merged
 *   segment ends where the last one did) with no other instance seeing a partial write;
 * - there is no DataCount section, hence no `memory.init`/`data.drop` naming a
 *   segment by index.
 * The `name` section's data segment names (subsection 9) are dropped: they name
 * segments that no longer exist.
 */
import { ByteReader, ByteWriter } from '../wasm/index.ts';

/** Gaps up to this many zero bytes are filled to join two segments. */
const MAX_GAP = 64;

const SECTION_CUSTOM = 0;
const SECTION_IMPORT = 2;
const SECTION_MEMORY = 5;
const SECTION_DATA = 11;
const SECTION_DATA_COUNT = 12;
const NAME_SUBSECTION_DATA = 9;

interface Section {
  id: number;
  start: number;
  end: number;
}

interface Segment {
  offset: number;
  bytes: Uint8Array;
}

/**
 * The module with its active data segments merged where that cannot change the initial memory
 * (see the module comment); `bytes` itself when there is nothing to merge or a condition fails.
 * Never throws: a module it cannot read is returned as it is, for the compiler to judge.
 */
export function mergeDataSegments(bytes: Uint8Array): Uint8Array {
  try {
    return merge(bytes) ?? bytes;
  } catch {
    return bytes;
  }
}

function merge(bytes: Uint8Array): Uint8Array | undefined {
  const sections = readSections(bytes);
  if (sections.some((s) => s.id === SECTION_DATA_COUNT)) return undefined;
  if (!sections.some((s) => s.id === SECTION_MEMORY)) return undefined;
  const imports = sections.find((s) => s.id === SECTION_IMPORT);
  if (imports && importsMemory(new ByteReader(bytes, imports.start, imports.end))) return undefined;
  const data = sections.find((s) => s.id === SECTION_DATA);
  if (!data) return undefined;
  const segments = readActiveSegments(new ByteReader(bytes, data.start, data.end));
  if (!segments || segments.length < 2) return undefined;
  for (let i = 1; i < segments.length; i++) {
    if (segments[i].offset < segments[i - 1].offset + segments[i - 1].bytes.length) return undefined;
  }
  const runs = joinRuns(segments);
  if (runs.length === segments.length) return undefined;
  const out = new ByteWriter(bytes.length + 64);
  out.copy(bytes, 0, 8);
  for (const section of sections) {
    if (section.id === SECTION_DATA) {
      writeSection(out, SECTION_DATA, (w) => writeSegments(w, runs));
    } else if (section.id === SECTION_CUSTOM && isNameSection(bytes, section)) {
      writeNameSection(out, bytes, section);
    } else {
      writeSection(out, section.id, (w) => w.copy(bytes, section.start, section.end));
    }
  }
  return out.finish();
}

function readSections(bytes: Uint8Array): Section[] {
  const reader = new ByteReader(bytes, 8);
  const sections: Section[] = [];
  while (!reader.eof) {
    const id = reader.u8();
    const size = reader.u32();
    const start = reader.pos;
    reader.skip(size);
    sections.push({ id, start, end: start + size });
  }
  return sections;
}

/** True when an import is a memory; throws on an import kind it does not know (the caller then leaves the module alone). */
function importsMemory(reader: ByteReader): boolean {
  for (let n = reader.u32(); n > 0; n--) {
    reader.skip(reader.u32());
    reader.skip(reader.u32());
    const kind = reader.u8();
    if (kind === 0x02) return true;
    if (kind === 0x00) reader.u32();
    else if (kind === 0x01) {
      refType(reader);
      limits(reader);
    } else if (kind === 0x03) {
      refType(reader);
      reader.u8();
    } else if (kind === 0x04) {
      reader.u8();
      reader.u32();
    } else throw new Error(`import kind ${kind}`);
  }
  return false;
}

/** A value or reference type: one byte, or `ref`/`ref null` and a heap type. */
function refType(reader: ByteReader): void {
  const type = reader.u8();
  if (type === 0x63 || type === 0x64) reader.s33();
}

function limits(reader: ByteReader): void {
  const flags = reader.u8();
  const count = flags & 1 ? 2 : 1;
  for (let i = 0; i < count; i++) {
    if (flags & 4) reader.skipU64();
    else reader.u32();
  }
}

/** Segments in section order, or undefined when one is passive, on another memory or has a non-constant offset. */
function readActiveSegments(reader: ByteReader): Segment[] | undefined {
  const segments: Segment[] = [];
  for (let n = reader.u32(); n > 0; n--) {
    const flags = reader.u32();
    if (flags === 2 && reader.u32() !== 0) return undefined;
    if (flags !== 0 && flags !== 2) return undefined;
    if (reader.u8() !== 0x41) return undefined;
    const offset = reader.s32() >>> 0;
    if (reader.u8() !== 0x0b) return undefined;
    segments.push({ offset, bytes: reader.take(reader.u32()) });
  }
  return reader.eof ? segments : undefined;
}

/** Consecutive segments at most MAX_GAP bytes apart, each run as one segment (gaps zero-filled). */
function joinRuns(segments: Segment[]): Segment[] {
  const runs: Segment[] = [];
  let first = 0;
  for (let i = 1; i <= segments.length; i++) {
    const previous = segments[i - 1];
    if (i < segments.length && segments[i].offset - (previous.offset + previous.bytes.length) <= MAX_GAP) continue;
    if (i - first === 1) {
      runs.push(segments[first]);
    } else {
      const start = segments[first].offset;
      const joined = new Uint8Array(previous.offset + previous.bytes.length - start);
      for (let j = first; j < i; j++) joined.set(segments[j].bytes, segments[j].offset - start);
      runs.push({ offset: start, bytes: joined });
    }
    first = i;
  }
  return runs;
}

function writeSegments(w: ByteWriter, segments: Segment[]): void {
  w.u32(segments.length);
  for (const segment of segments) {
    w.u8(0);
    w.u8(0x41);
    w.s32(segment.offset | 0);
    w.u8(0x0b);
    w.u32(segment.bytes.length);
    w.bytes(segment.bytes);
  }
}

function writeSection(out: ByteWriter, id: number, body: (w: ByteWriter) => void): void {
  out.u8(id);
  const mark = out.beginSized();
  body(out);
  out.endSized(mark);
}

function isNameSection(bytes: Uint8Array, section: Section): boolean {
  const reader = new ByteReader(bytes, section.start, section.end);
  return reader.name() === 'name';
}

/** The name section without its data segment names. */
function writeNameSection(out: ByteWriter, bytes: Uint8Array, section: Section): void {
  const reader = new ByteReader(bytes, section.start, section.end);
  const nameStart = reader.pos;
  reader.name();
  const headerEnd = reader.pos;
  writeSection(out, SECTION_CUSTOM, (w) => {
    w.copy(bytes, nameStart, headerEnd);
    while (!reader.eof) {
      const start = reader.pos;
      const id = reader.u8();
      reader.skip(reader.u32());
      if (id !== NAME_SUBSECTION_DATA) w.copy(bytes, start, reader.pos);
    }
  });
}
