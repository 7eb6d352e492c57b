/**
 * A walker over the sections of a WebAssembly component binary.
 *
 * A component (component-model binary, layer 1) is a sequence of sections like
 * a core module, but with its own section ids: 1 holds a whole core module,
 * 4 a whole nested component. `agentos inspect` and the metering step need
 * the core modules inside, so this walks the tree and returns each core module
 * as a view into the original bytes (no copy), with its byte range and its
 * place in the nesting. Portable: only `Uint8Array`.
 */
import { AgentOsError } from '../errors/index.ts';
import { ByteReader, malformed } from './reader.ts';

/** Section ids of the component binary format (component-model Binary.md). */
export const COMPONENT_SECTION = {
  custom: 0,
  coreModule: 1,
  coreInstance: 2,
  coreType: 3,
  component: 4,
  instance: 5,
  alias: 6,
  type: 7,
  canon: 8,
  start: 9,
  import: 10,
  export: 11,
  value: 12,
} as const;

const SECTION_NAMES: readonly string[] = Object.keys(COMPONENT_SECTION);

/** What kind of binary the preamble announces. */
export type BinaryKind = 'module' | 'component';

/** One section of a component, as found in the binary. */
export interface ComponentSection {
  /** Section id (see `COMPONENT_SECTION`). */
  id: number;
  /** Readable name of the id (`core-module`, `custom`...); `unknown-<id>` for ids we do not know. */
  name: string;
  /** Absolute offset of the section's contents (after id and size). */
  offset: number;
  /** Size of the contents in bytes. */
  size: number;
  /** For custom sections: the section's name. */
  customName?: string;
}

/** A core module found inside a component, possibly in a nested component. */
export interface CoreModuleEntry {
  /** Position among all core modules of the tree, in binary order (0-based). */
  index: number;
  /** Indices of the nested components leading to it; `[]` at the top level. */
  componentPath: number[];
  /** Absolute offset of the module's first byte (its `\0asm` magic). */
  offset: number;
  /** The module's bytes: a view into the component bytes. */
  bytes: Uint8Array;
}

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

/**
 * Tells a core module from a component by the preamble.
 * @throws AgentOsError 'invalid-component' when the bytes are not WebAssembly at all.
 */
export function binaryKind(bytes: Uint8Array): BinaryKind {
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new AgentOsError('invalid-component', 'not a WebAssembly binary (the \\0asm magic is missing)', {
      details: { offset: 0 },
    });
  }
  // Core modules have version 1 and layer 0; components have layer 1.
  const layer = bytes[6] | (bytes[7] << 8);
  return layer === 1 ? 'component' : 'module';
}

/**
 * Lists the sections of one component level, starting at the preamble at
 * `start` and ending at `end` (nested components are not entered).
 * @throws AgentOsError 'invalid-component' for a bad preamble or a section that
 * runs past the end.
 */
export function componentSections(bytes: Uint8Array, start = 0, end = bytes.length): ComponentSection[] {
  const level = bytes.subarray(start, end);
  if (binaryKind(level) !== 'component') {
    throw new AgentOsError('invalid-component', `expected a component at byte ${start}, found a core module`, {
      details: { offset: start },
    });
  }
  const reader = new ByteReader(bytes, start + 8, end);
  const sections: ComponentSection[] = [];
  while (!reader.eof) {
    const id = reader.u8();
    const size = reader.u32();
    const offset = reader.pos;
    if (size > end - offset) malformed(`section ${id} of ${size} bytes runs past the end`, offset);
    const section: ComponentSection = { id, name: sectionName(id), offset, size };
    if (id === COMPONENT_SECTION.custom) section.customName = customSectionName(bytes, offset, offset + size);
    sections.push(section);
    reader.skip(size);
  }
  return sections;
}

/**
 * Finds every core module in a component, including those in nested
 * components, in binary order. A core module passed in is returned as the
 * only entry, so callers can treat both kinds alike.
 * @throws AgentOsError 'invalid-component' when the binary is malformed.
 */
export function coreModules(bytes: Uint8Array): CoreModuleEntry[] {
  if (binaryKind(bytes) === 'module') return [{ index: 0, componentPath: [], offset: 0, bytes }];
  const found: CoreModuleEntry[] = [];
  collect(bytes, 0, bytes.length, [], found);
  return found;
}

function collect(bytes: Uint8Array, start: number, end: number, path: number[], out: CoreModuleEntry[]): void {
  let nested = 0;
  for (const section of componentSections(bytes, start, end)) {
    const sectionEnd = section.offset + section.size;
    if (section.id === COMPONENT_SECTION.coreModule) {
      out.push({
        index: out.length,
        componentPath: path,
        offset: section.offset,
        bytes: bytes.subarray(section.offset, sectionEnd),
      });
    } else if (section.id === COMPONENT_SECTION.component) {
      collect(bytes, section.offset, sectionEnd, [...path, nested++], out);
    }
  }
}

function sectionName(id: number): string {
  const camel = SECTION_NAMES[id];
  return camel === undefined ? `unknown-${id}` : camel.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function customSectionName(bytes: Uint8Array, start: number, end: number): string {
  const reader = new ByteReader(bytes, start, end);
  const length = reader.u32();
  return new TextDecoder('utf-8', { fatal: true }).decode(reader.take(length));
}
