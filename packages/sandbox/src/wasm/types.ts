/**
 * The decoded shape of a core WebAssembly module.
 *
 * Sections are parsed into plain data; code bodies and constant expressions
 * stay as views into the original bytes (instructions are read on demand by
 * whoever needs them), which keeps decoding a 2 MB module cheap.
 */

/**
 * A value type. Below 256 it is the single-byte type code (0x7f i32 … 0x70
 * funcref, 0x6f externref); a typed reference `(ref null? ht)` is
 * `code + 256 * (heapType + 128)` with code 0x63/0x64 (see `refType`).
 */
export type ValType = number;

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

export interface Limits {
  min: number;
  max: number | undefined;
  shared: boolean;
  /** memory64 / table64 (index type i64). */
  is64: boolean;
}

export interface TableType {
  elemType: ValType;
  limits: Limits;
  /** function-references tables with an explicit initializer (`0x40 0x00` form). */
  init?: Uint8Array;
}

export interface GlobalType {
  valType: ValType;
  mutable: boolean;
}

export type ImportDesc =
  | { kind: 'func'; typeIndex: number }
  | { kind: 'table'; table: TableType }
  | { kind: 'memory'; limits: Limits }
  | { kind: 'global'; global: GlobalType }
  | { kind: 'tag'; typeIndex: number };

export type ExternKind = ImportDesc['kind'];

export interface Import {
  module: string;
  name: string;
  desc: ImportDesc;
}

export interface Export {
  name: string;
  kind: ExternKind;
  index: number;
}

export interface Global {
  type: GlobalType;
  /** The constant expression including its final `end` (0x0b). */
  init: Uint8Array;
}

export interface ElementSegment {
  /** The encoding flags 0..7 (kept so a round trip writes the same form). */
  flags: number;
  mode: 'active' | 'passive' | 'declarative';
  tableIndex: number;
  offset: Uint8Array | undefined;
  /** Element kind byte (flags 1,2,3: 0x00 = funcref) or reference type (flags 5,6,7). */
  elemType: ValType;
  /** Function indices (flags 0-3) … */
  functions: number[] | undefined;
  /** … or constant expressions, each with its `end` (flags 4-7). */
  exprs: Uint8Array[] | undefined;
}

export interface DataSegment {
  /** 0 active memory 0, 1 passive, 2 active with memory index. */
  flags: number;
  memoryIndex: number;
  offset: Uint8Array | undefined;
  data: Uint8Array;
}

export interface LocalGroup {
  count: number;
  type: ValType;
}

export interface FunctionBody {
  locals: LocalGroup[];
  /** The instructions including the final `end`. */
  body: Uint8Array;
  /** Absolute offset of `body` in the decoded bytes (for messages). */
  offset: number;
  /** Encoded size of the whole body (locals and instructions), when decoded. */
  size?: number;
}

export interface CustomSection {
  name: string;
  payload: Uint8Array;
  /** Rank (see `SECTION_RANK`) of the last known section before it; 0 = before all. */
  after: number;
}

export interface WasmModule {
  types: FuncType[];
  imports: Import[];
  /** Type index of each defined function. */
  functions: number[];
  tables: TableType[];
  memories: Limits[];
  tags: number[];
  globals: Global[];
  exports: Export[];
  start: number | undefined;
  elements: ElementSegment[];
  dataCount: number | undefined;
  code: FunctionBody[];
  data: DataSegment[];
  customs: CustomSection[];
  /** Section ids that were present (so empty sections survive a round trip). */
  present: Set<number>;
  /** Feature bits seen while decoding sections (not code; see `scanCode`). */
  features: number;
}

export const SECTION_CUSTOM = 0;
export const SECTION_TYPE = 1;
export const SECTION_IMPORT = 2;
export const SECTION_FUNCTION = 3;
export const SECTION_TABLE = 4;
export const SECTION_MEMORY = 5;
export const SECTION_GLOBAL = 6;
export const SECTION_EXPORT = 7;
export const SECTION_START = 8;
export const SECTION_ELEMENT = 9;
export const SECTION_CODE = 10;
export const SECTION_DATA = 11;
export const SECTION_DATA_COUNT = 12;
export const SECTION_TAG = 13;

/** Order in which known sections must appear, by id (custom sections go anywhere). */
export const SECTION_RANK: Record<number, number> = {
  1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13,
};
/** Section ids in canonical order. */
export const SECTION_ORDER = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11];

/** Packs a typed reference type into a `ValType`. */
export function refType(nullable: boolean, heapType: number): ValType {
  return (nullable ? 0x63 : 0x64) + 256 * (heapType + 128);
}

export function countImports(module: WasmModule, kind: ExternKind): number {
  let n = 0;
  for (const imp of module.imports) if (imp.desc.kind === kind) n++;
  return n;
}
