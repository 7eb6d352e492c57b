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
   * Starts a size-prefixed region (section, function body): reserves 5 bytes
   * and returns the mark to hand to `endSized`.
   */
  beginSized(): number {
    this.ensure(5);
    const mark = this.pos;
    this.pos += 5;
    return mark;
  }

  /** Writes the region's size as a minimal LEB, shifting the payload back over unused bytes. */
  endSized(mark: number): void {
    const size = this.pos - mark - 5;
    let width = 1;
    for (let v = size >>> 7; v !== 0; v >>>= 7) width++;
    const gap = 5 - width;
    if (gap > 0) this.buf.copyWithin(mark + width, mark + 5, this.pos);
    let p = mark;
    let v = size;
    while (v >= 0x80) {
      this.buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[p] = v;
    this.pos -= gap;
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
