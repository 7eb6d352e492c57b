/**
 * Reads the types of a module's exports straight from its bytes.
 *
 * The JS API cannot tell us an export's signature (type reflection is behind a
 * flag), yet the harness needs it to build the driver that calls the export
 * from inside WebAssembly. Only modules V8 already accepted are read here, so
 * this reader trusts its input and understands just the sections it needs.
 */

/** A value type, kept with its exact encoding so drivers can repeat it. */
export interface ValType {
  /** 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref' | 'ref' | ... */
  name: string;
  bytes: number[];
}

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

export type ExportType =
  | { kind: 'func'; type: FuncType }
  | { kind: 'global'; type: ValType; mutable: boolean }
  | { kind: 'other' };

const SIMPLE_TYPES: Record<number, string> = {
  0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128',
  0x70: 'funcref', 0x6f: 'externref', 0x69: 'exnref',
};

/** True for types the driver moves through linear memory (bit-exact); refs travel through JS. */
export function isNumeric(type: ValType): boolean {
  return type.name === 'i32' || type.name === 'i64' || type.name === 'f32' || type.name === 'f64' || type.name === 'v128';
}

/** Byte width of a numeric type in the driver's scratch memory. */
export function byteWidth(type: ValType): number {
  return { i32: 4, i64: 8, f32: 4, f64: 8, v128: 16 }[type.name] ?? 0;
}

class Reader {
  pos = 0;
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
  byte(): number {
    if (this.pos >= this.bytes.length) throw new RangeError('unexpected end of module');
    return this.bytes[this.pos++];
  }
  /** Unsigned or signed LEB128; the value is only used for small counts and indices. */
  leb(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return result;
    }
  }
  skip(n: number): void {
    this.pos += n;
  }
  name(): string {
    const length = this.leb();
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(this.bytes.subarray(this.pos, this.pos + length));
    this.pos += length;
    return text;
  }
  valType(): ValType {
    const start = this.pos;
    const code = this.byte();
    const simple = SIMPLE_TYPES[code];
    if (simple !== undefined) return { name: simple, bytes: [code] };
    if (code === 0x63 || code === 0x64) {
      this.leb(); // heap type (s33)
      return { name: code === 0x63 ? 'ref null' : 'ref', bytes: [...this.bytes.subarray(start, this.pos)] };
    }
    throw new RangeError(`unknown value type 0x${code.toString(16)}`);
  }
  limits(): void {
    const flags = this.byte();
    this.leb();
    if (flags & 1) this.leb();
  }
  /** Skips a constant expression (global initialisers), including extended-const and SIMD. */
  constExpr(): void {
    for (;;) {
      const op = this.byte();
      if (op === 0x0b) return;
      if (op === 0x41 || op === 0x42 || op === 0x23 || op === 0xd2) this.leb();
      else if (op === 0x43) this.skip(4);
      else if (op === 0x44) this.skip(8);
      else if (op === 0xd0) this.leb(); // ref.null's heap type
      else if (op === 0xfd) {
        this.leb(); // v128.const is the only SIMD constant instruction
        this.skip(16);
      }
      // arithmetic of extended-const (i32/i64 add, sub, mul) has no immediates
    }
  }
}

/**
 * Returns the type of every export of a module, by export name.
 * @throws RangeError when the bytes are not a module this reader understands.
 */
export function readExportTypes(bytes: Uint8Array): Map<string, ExportType> {
  const r = new Reader(bytes);
  r.skip(8);
  const types: FuncType[] = [];
  const funcs: number[] = []; // type index of every function, imports first
  const globals: { type: ValType; mutable: boolean }[] = [];
  const exports = new Map<string, ExportType>();
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.leb();
    const end = r.pos + size;
    if (id === 1) readTypes(r, types);
    else if (id === 2) readImports(r, funcs, globals);
    else if (id === 3) for (let n = r.leb(); n > 0; n--) funcs.push(r.leb());
    else if (id === 6) {
      for (let n = r.leb(); n > 0; n--) {
        const type = r.valType();
        const mutable = r.byte() === 1;
        r.constExpr();
        globals.push({ type, mutable });
      }
    } else if (id === 7) {
      for (let n = r.leb(); n > 0; n--) {
        const name = r.name();
        const kind = r.byte();
        const index = r.leb();
        if (kind === 0) exports.set(name, { kind: 'func', type: types[funcs[index]] });
        else if (kind === 3) exports.set(name, { kind: 'global', ...globals[index] });
        else exports.set(name, { kind: 'other' });
      }
    }
    r.pos = end;
  }
  return exports;
}

function readTypes(r: Reader, types: FuncType[]): void {
  for (let n = r.leb(); n > 0; n--) {
    const form = r.byte();
    if (form !== 0x60) throw new RangeError(`unsupported type form 0x${form.toString(16)}`);
    const params: ValType[] = [];
    for (let p = r.leb(); p > 0; p--) params.push(r.valType());
    const results: ValType[] = [];
    for (let q = r.leb(); q > 0; q--) results.push(r.valType());
    types.push({ params, results });
  }
}

function readImports(r: Reader, funcs: number[], globals: { type: ValType; mutable: boolean }[]): void {
  for (let n = r.leb(); n > 0; n--) {
    r.name();
    r.name();
    const kind = r.byte();
    if (kind === 0) funcs.push(r.leb());
    else if (kind === 1) {
      r.valType();
      r.limits();
    } else if (kind === 2) r.limits();
    else if (kind === 3) {
      const type = r.valType();
      globals.push({ type, mutable: r.byte() === 1 });
    } else if (kind === 4) {
      r.byte();
      r.leb();
    } else throw new RangeError(`unknown import kind ${kind}`);
  }
}
