/**
 * A growable output buffer with LEB128 writers.
 *
 * One buffer for a whole module: the encoder and the metering rewriter write
 * straight into it, so no per-instruction objects or intermediate arrays exist.
 */

const utf8 = new TextEncoder();

export class ByteWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(initialCapacity = 1024) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(b: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = b;
  }

  bytes(src: Uint8Array): void {
    this.ensure(src.length);
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  /** Copies `src[start, end)`; short runs by hand because `subarray` allocates. */
  copy(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n <= 0) return;
    this.ensure(n);
    if (n < 32) {
      const buf = this.buf;
      let p = this.pos;
      for (let i = start; i < end; i++) buf[p++] = src[i];
    } else {
      this.buf.set(src.subarray(start, end), this.pos);
    }
    this.pos += n;
  }

  /**
   * `copy(src, start, end)`, then `op` and `value` as a u32 LEB: an instruction a rewriter
   * changes, after the unchanged bytes before it. One call where three would be made.
   */
  copyThenOp(src: Uint8Array, start: number, end: number, op: number, value: number): void {
    if (end - start >= 32) {
      this.copy(src, start, end); // a long run: `set` beats the loop below
      start = end;
    }
    this.ensure(end - start + 6);
    const buf = this.buf;
    let p = this.pos;
    for (let i = start; i < end; i++) buf[p++] = src[i];
    buf[p++] = op;
    let v = value >>> 0;
    for (; v >= 0x80; v >>>= 7) buf[p++] = (v & 0x7f) | 0x80;
    buf[p++] = v;
    this.pos = p;
  }

  u32(value: number): void {
    this.ensure(5);
    const buf = this.buf;
    let v = value >>> 0;
    while (v >= 0x80) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[this.pos++] = v;
  }

  s32(value: number): void {
    this.ensure(5);
    let v = value | 0;
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.buf[this.pos++] = b;
        return;
      }
      this.buf[this.pos++] = b | 0x80;
    }
  }

  /** Signed LEB128 for any safe integer (s33 block types, i64 constants that fit in 53 bits). */
  sleb(value: number): void {
    this.ensure(10);
    if (value >= -64 && value < 64) {
      this.buf[this.pos++] = value & 0x7f; // one byte, without the float arithmetic below
      return;
    }
    let v = value;
    for (;;) {
      const b = ((v % 128) + 128) % 128;
      v = Math.floor(v / 128);
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.buf[this.pos++] = b;
        return;
      }
      this.buf[this.pos++] = b | 0x80;
    }
  }

  s64(value: bigint): void {
    this.ensure(10);
    let v = BigInt.asIntN(64, value);
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
        this.buf[this.pos++] = b;
        return;
      }
      this.buf[this.pos++] = b | 0x80;
    }
  }

  /** Writes `value` as a 5-byte padded unsigned LEB at `at` (for back-patching sizes). */
  patchU32Padded(at: number, value: number): void {
    const buf = this.buf;
    buf[at] = (value & 0x7f) | 0x80;
    buf[at + 1] = ((value >>> 7) & 0x7f) | 0x80;
    buf[at + 2] = ((value >>> 14) & 0x7f) | 0x80;
    buf[at + 3] = ((value >>> 21) & 0x7f) | 0x80;
    buf[at + 4] = (value >>> 28) & 0x0f;
  }

  name(text: string): void {
    const encoded = utf8.encode(text);
    this.u32(encoded.length);
    this.bytes(encoded);
  }

  /**
   * Starts a size-prefixed region (section, function body): reserves `reserve` bytes for the
   * size (5 fit any size) and returns the mark to hand to `endSized` with the same `reserve`.
   */
  beginSized(reserve = 5): number {
    this.ensure(reserve);
    const mark = this.pos;
    this.pos += reserve;
    return mark;
  }

  /**
   * Writes the region's size as a minimal LEB, moving the payload over the bytes the size does
   * not use, or forward when `reserve` was too small for it.
   */
  endSized(mark: number, reserve = 5): void {
    const size = this.pos - mark - reserve;
    const width = lebWidth(size);
    if (width !== reserve) {
      this.ensure(width - reserve);
      this.buf.copyWithin(mark + width, mark + reserve, this.pos);
      this.pos += width - reserve;
    }
    let p = mark;
    let v = size;
    while (v >= 0x80) {
      this.buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[p] = v;
  }

  /**
   * The written bytes: a view when the buffer is mostly used (saves a copy of a
   * big module), else an exact copy so the spare capacity can be collected.
   */
  finish(): Uint8Array {
    if (this.pos >= this.buf.length * 0.75) return this.buf.subarray(0, this.pos);
    return this.buf.slice(0, this.pos);
  }
}

/** Bytes of `value` (an unsigned 32-bit integer) as a minimal unsigned LEB128. */
export function lebWidth(value: number): number {
  let width = 1;
  for (let v = value >>> 7; v !== 0; v >>>= 7) width++;
  return width;
}
