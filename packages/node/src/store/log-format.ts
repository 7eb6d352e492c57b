/**
 * The byte format of a journal log (see journal-log.ts): a sequence of
 * records, each written by one `write()`:
 *
 *   header (20 bytes, little-endian): magic u32 | CRC-32 u32 | body length u32 | LSN u64
 *   body: entry count u32, then per entry: key length u16 | key (UTF-16BE, keys.ts) | value length u32 | value
 *
 * The CRC covers the length, the LSN and the body, so a record cut by a crash
 * (torn tail), bytes left over from before a truncation (stale tail) or any
 * other damage never reads as a record. LSNs (log sequence numbers) count up
 * by one per record; a reader applies only the records that continue, without
 * a gap, from the last LSN it knows was applied, and stops at the first byte
 * that does not — everything after is garbage by construction.
 */
import { crc32 } from 'node:zlib';

export const HEADER_BYTES = 20;
const MAGIC = 0x4c4a4f41; // "AOJL" read as little-endian bytes

/** One decoded record: its LSN, and its puts as encoded keys and values (views of the bytes read). */
export interface LogRecord {
  lsn: number;
  keys: Uint8Array[];
  values: Uint8Array[];
  /** Sum of the values' sizes. */
  bytes: number;
  /** The keys as strings, when the record comes from memory rather than a file. */
  names?: readonly string[];
}

/** Bytes of the record holding these puts (encoded keys). */
export function recordSize(keys: readonly Uint8Array[], values: readonly Uint8Array[]): number {
  let size = HEADER_BYTES + 4;
  for (let i = 0; i < keys.length; i++) size += 6 + keys[i].byteLength + values[i].byteLength;
  return size;
}

/**
 * Writes the record holding `values[i]` under `keys[i]` (encoded keys) into `record`, which is
 * exactly `recordSize` bytes, and returns the values' copies in it (the caller's buffers may be
 * reused once this returns).
 */
export function writeRecord(record: Uint8Array, lsn: number, keys: readonly Uint8Array[], values: readonly Uint8Array[]): Uint8Array[] {
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  view.setUint32(0, MAGIC, true);
  view.setUint32(8, record.byteLength - HEADER_BYTES, true);
  view.setUint32(12, lsn % 0x1_0000_0000, true);
  view.setUint32(16, Math.floor(lsn / 0x1_0000_0000), true);
  view.setUint32(HEADER_BYTES, keys.length, true);
  const copies = new Array<Uint8Array>(keys.length);
  let offset = HEADER_BYTES + 4;
  for (let i = 0; i < keys.length; i++) {
    view.setUint16(offset, keys[i].byteLength, true);
    record.set(keys[i], offset + 2);
    offset += 2 + keys[i].byteLength;
    view.setUint32(offset, values[i].byteLength, true);
    record.set(values[i], offset + 4);
    copies[i] = record.subarray(offset + 4, offset + 4 + values[i].byteLength);
    offset += 4 + values[i].byteLength;
  }
  view.setUint32(4, checksum(record), true);
  return copies;
}

/** `writeRecord` into a fresh buffer. */
export function encodeRecord(lsn: number, keys: readonly Uint8Array[], values: readonly Uint8Array[]): { record: Uint8Array; copies: Uint8Array[] } {
  const record = new Uint8Array(recordSize(keys, values));
  return { record, copies: writeRecord(record, lsn, keys, values) };
}

/**
 * The records of `bytes` (a log file, or records concatenated) that continue the applied LSN
 * `after`: records with an LSN ≤ `after` are skipped (already applied; left by a truncation that
 * did not reach the disk), then LSNs must run after+1, after+2, … Reading stops at the first
 * record that is torn, damaged or out of sequence.
 */
export function* readRecords(bytes: Uint8Array, after: number): Generator<LogRecord> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let expected = after + 1;
  let offset = 0;
  while (offset + HEADER_BYTES <= bytes.byteLength) {
    if (view.getUint32(offset, true) !== MAGIC) return;
    const length = view.getUint32(offset + 8, true);
    const end = offset + HEADER_BYTES + length;
    if (length < 4 || end > bytes.byteLength) return;
    const record = bytes.subarray(offset, end);
    if (checksum(record) !== view.getUint32(offset + 4, true)) return;
    const lsn = view.getUint32(offset + 12, true) + view.getUint32(offset + 16, true) * 0x1_0000_0000;
    offset = end;
    if (lsn <= after && expected === after + 1) continue;
    if (lsn !== expected) return;
    const decoded = decodeBody(record, lsn);
    if (decoded === undefined) return;
    yield decoded;
    expected++;
  }
}

/** CRC-32 of a whole record's length, LSN and body (all that follows the CRC field). */
function checksum(record: Uint8Array): number {
  return crc32(record.subarray(8));
}

/** The entries of a record whose checksum matched; undefined if they overrun it (a bug, not damage). */
function decodeBody(record: Uint8Array, lsn: number): LogRecord | undefined {
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const count = view.getUint32(HEADER_BYTES, true);
  const keys = new Array<Uint8Array>(count);
  const values = new Array<Uint8Array>(count);
  let bytes = 0;
  let offset = HEADER_BYTES + 4;
  for (let i = 0; i < count; i++) {
    if (offset + 2 > record.byteLength) return undefined;
    const keyLength = view.getUint16(offset, true);
    keys[i] = record.subarray(offset + 2, offset + 2 + keyLength);
    offset += 2 + keyLength;
    if (offset + 4 > record.byteLength) return undefined;
    const valueLength = view.getUint32(offset, true);
    if (offset + 4 + valueLength > record.byteLength) return undefined;
    values[i] = record.subarray(offset + 4, offset + 4 + valueLength);
    offset += 4 + valueLength;
    bytes += valueLength;
  }
  return { lsn, keys, values, bytes };
}
