/**
 * `exportState`: makes a core module's state readable from JS so a durable
 * agent can be snapshotted between invocations. Every defined memory and every
 * defined mutable global is exported under a reserved name (exporting a mutable
 * global is part of wasm 2.0), so a host can copy them out and back in.
 *
 * Some state cannot be copied that way. Tables changed at run time
 * (`table.set/grow/fill/copy/init`, `elem.drop`) hold function references JS
 * cannot re-create in a fresh instance, a dropped data segment would come back
 * alive, and reference or v128 globals cannot be read or written from JS. Such a
 * module gets no state exports but one marker, `agentos:state/unsupported/<why>`,
 * so whoever captures the state refuses it with the reason instead of restoring
 * something that differs. Imported memories and globals are left to the module
 * that defines (and exports) them.
 */
import { AgentOsError } from '../errors/index.ts';
import { bodyReader, countImports, readInstruction, type ScanState, type WasmModule } from '../wasm/index.ts';

/** Prefix of every export `exportState` adds; modules may not use it themselves. */
export const STATE_EXPORT_PREFIX = 'agentos:state/';
export const STATE_MEMORY_PREFIX = `${STATE_EXPORT_PREFIX}memory/`;
export const STATE_GLOBAL_PREFIX = `${STATE_EXPORT_PREFIX}global/`;
export const STATE_UNSUPPORTED_PREFIX = `${STATE_EXPORT_PREFIX}unsupported/`;

/** Opcodes (as `readInstruction` keys) that change a table or its segments after instantiation. */
const TABLE_MUTATIONS = new Map<number, string>([
  [0x26, 'table.set'],
  [0xfc000c, 'table.init'],
  [0xfc000d, 'elem.drop'],
  [0xfc000e, 'table.copy'],
  [0xfc000f, 'table.grow'],
  [0xfc0011, 'table.fill'],
  [0xfc0009, 'data.drop'],
]);

const NUMERIC = new Set([0x7f, 0x7e, 0x7d, 0x7c]);

/** What `exportState` did to a module. */
export interface StateExports {
  /** Defined memories exported (by their position among the module's defined memories). */
  memories: number;
  /** Defined mutable globals exported. */
  globals: number;
  /** Why the module's state cannot be captured faithfully; undefined when it can. */
  unsupported: string | undefined;
}

/**
 * Adds the state exports (or the `unsupported` marker) to a decoded module, in place.
 * Runs before metering, so the fuel import's renumbering shifts these exports too.
 * @throws AgentOsError 'invalid-component' when the module already exports a name under `agentos:state/`.
 */
export function addStateExports(m: WasmModule, state: ScanState): StateExports {
  const taken = m.exports.find((e) => e.name.startsWith(STATE_EXPORT_PREFIX));
  if (taken) {
    throw new AgentOsError('invalid-component', `the module exports "${taken.name}" itself; names under "${STATE_EXPORT_PREFIX}" are reserved for state exports`, {
      details: { name: taken.name },
    });
  }
  const unsupported = whyUncapturable(m, state);
  if (unsupported) {
    // A constant global is the smallest entity that can carry a name.
    const index = countImports(m, 'global') + m.globals.length;
    m.globals.push({ type: { valType: 0x7f, mutable: false }, init: new Uint8Array([0x41, 0x00, 0x0b]) });
    m.exports.push({ name: `${STATE_UNSUPPORTED_PREFIX}${unsupported}`, kind: 'global', index });
    return { memories: 0, globals: 0, unsupported };
  }
  const memoryBase = countImports(m, 'memory');
  m.memories.forEach((_, i) => m.exports.push({ name: `${STATE_MEMORY_PREFIX}${i}`, kind: 'memory', index: memoryBase + i }));
  const globalBase = countImports(m, 'global');
  let globals = 0;
  m.globals.forEach((g, i) => {
    if (!g.type.mutable) return;
    m.exports.push({ name: `${STATE_GLOBAL_PREFIX}${i}`, kind: 'global', index: globalBase + i });
    globals++;
  });
  return { memories: m.memories.length, globals, unsupported: undefined };
}

/** The first reason the module's state cannot be copied out and back in, or undefined. */
function whyUncapturable(m: WasmModule, state: ScanState): string | undefined {
  const global = m.globals.find((g) => g.type.mutable && !NUMERIC.has(g.type.valType));
  if (global) return global.type.valType === 0x7b ? 'v128-global' : 'reference-global';
  // The scan only reads; feature bits it sets are already known from the metering walk.
  const scan: ScanState = { typeCount: state.typeCount, features: state.features };
  for (const fn of m.code) {
    const r = bodyReader(fn);
    while (r.pos < r.end) {
      const name = TABLE_MUTATIONS.get(readInstruction(r, scan));
      if (name) return name;
    }
  }
  return undefined;
}
