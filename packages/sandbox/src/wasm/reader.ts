/**
 * A cursor over WebAssembly bytes with the spec's strict LEB128 rules.
 *
 * Every read checks bounds and LEB length/overflow; a violation throws
 * `AgentOsError('invalid-component')` carrying the absolute byte offset, so a
 * malformed binary is always refused with a message that points at the byte.
 */
import { AgentOsError } from '../errors/index.ts';

/** Throws the decoder's error for a malformed binary at `offset`. */
export function malformed(message: string, offset: number): never {
  throw new AgentOsError('invalid-component', `malformed WebAssembly at byte ${offset}: ${message}`, {
    details: { offset },
  });
}

export class ByteReader {
  readonly bytes: Uint8Array;
  pos: number;
  /** Reads past `end` are malformed (a section or body boundary). */
  end: number;

  constructor(bytes: Uint8Array, pos = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
  }

  get eof(): boolean {
    return this.pos >= this.end;
  }

  /** @throws AgentOsError 'invalid-component' past the end. */
  u8(): number {
    if (this.pos >= this.end) malformed('unexpected end', this.pos);
    return this.bytes[this.pos++];
  }

  /** Returns `n` bytes as a view (no copy). @throws 'invalid-component' past the end. */
  take(n: number): Uint8Array {
    if (n > this.end - this.pos) malformed(`unexpected end (need ${n} bytes)`, this.pos);
    const view = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return view;
  }

  skip(n: number): void {
    if (n > this.end - this.pos) malformed(`unexpected end (need ${n} bytes)`, this.pos);
    this.pos += n;
  }

  /** Unsigned 32-bit LEB128, at most 5 bytes, unused high bits zero. */
  u32(): number {
    const bytes = this.bytes;
    let b = this.pos < this.end ? bytes[this.pos] : -1;
    if (b >= 0 && b < 0x80) {
      this.pos++;
      return b;
    }
    const start = this.pos;
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) malformed('unexpected end in LEB128', this.pos);
      b = bytes[this.pos++];
      if (shift === 28) {
        if (b & 0x80) malformed('integer representation too long', start);
        if (b & 0x70) malformed('integer too large', start);
        return (result | (b << 28)) >>> 0;
      }
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
  }

  /** Signed 32-bit LEB128, at most 5 bytes, unused high bits sign-extend bit 31. */
  s32(): number {
    const start = this.pos;
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) malformed('unexpected end in LEB128', this.pos);
      const b = this.bytes[this.pos++];
      if (shift === 28) {
        if (b & 0x80) malformed('integer representation too long', start);
        const high = b & 0x78;
        if (high !== 0 && high !== 0x78) malformed('integer too large', start);
        return result | (b << 28);
      }
      result |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) return shift < 32 && b & 0x40 ? result | (-1 << shift) : result;
    }
  }

  /** Signed 33-bit LEB128 (block types, heap types): returned as a JS number. */
  s33(): number {
    const start = this.pos;
    let result = 0;
    let mul = 1;
    for (let i = 0; ; i++) {
      if (this.pos >= this.end) malformed('unexpected end in LEB128', this.pos);
      const b = this.bytes[this.pos++];
      if (i === 4) {
        if (b & 0x80) malformed('integer representation too long', start);
        const high = b & 0x70;
        if (high !== 0 && high !== 0x70) malformed('integer too large', start);
        result += (b & 0x7f) * mul;
        // Bit 32 is the sign: subtract 2^35 when set (the byte holds bits 28..34).
        return b & 0x10 ? result - 2 ** 35 : result;
      }
      result += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) return b & 0x40 ? result - mul : result;
    }
  }

  /** Skips a signed 64-bit LEB128 (at most 10 bytes, unused bits sign-extend bit 63). */
  skipS64(): void {
    const start = this.pos;
    for (let i = 0; ; i++) {
      if (this.pos >= this.end) malformed('unexpected end in LEB128', this.pos);
      const b = this.bytes[this.pos++];
      if (i === 9) {
        if (b & 0x80) malformed('integer representation too long', start);
        const high = b & 0x7f;
        if (high !== 0 && high !== 0x7f) malformed('integer too large', start);
        return;
      }
      if ((b & 0x80) === 0) return;
    }
  }

  /** Signed 64-bit LEB128 as a bigint (const exprs, tests; not on hot paths). */
  s64(): bigint {
    const start = this.pos;
    this.skipS64();
    let result = 0n;
    let shift = 0n;
    let b = 0;
    for (let p = start; p < this.pos; p++) {
      b = this.bytes[p];
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
    }
    if (shift < 64n && b & 0x40) result -= 1n << shift;
    return BigInt.asIntN(64, result);
  }

  /** Unsigned 64-bit LEB128 as a number (memory64 offsets; precision beyond 2^53 is not needed to copy). */
  skipU64(): void {
    const start = this.pos;
    for (let i = 0; ; i++) {
      if (this.pos >= this.end) malformed('unexpected end in LEB128', this.pos);
      const b = this.bytes[this.pos++];
      if (i === 9) {
        if (b & 0x80) malformed('integer representation too long', start);
        if (b & 0x7e) malformed('integer too large', start);
        return;
      }
      if ((b & 0x80) === 0) return;
    }
  }

  /** A length-prefixed UTF-8 name; malformed UTF-8 is refused as the spec requires. */
  name(): string {
    const len = this.u32();
    const at = this.pos;
    const raw = this.take(len);
    try {
      return utf8.decode(raw);
    } catch {
      return malformed('malformed UTF-8 encoding', at);
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
