/**
 * `inspectModule`: what a core module imports, exports and uses, without
 * rewriting it (the CLI `inspect` command shows it).
 */
import { countImports, decodeModule, featureNames, scanCode, type ExternKind } from '../wasm/index.ts';

export interface ModuleInspection {
  imports: { module: string; name: string; kind: ExternKind }[];
  exports: { name: string; kind: ExternKind; index: number }[];
  memories: { min: number; max: number | undefined; shared: boolean; imported: boolean }[];
  tables: { min: number; max: number | undefined; imported: boolean }[];
  /** Defined functions (imports not counted). */
  functions: number;
  importedFunctions: number;
  /** Bytes of function bodies. */
  codeBytes: number;
  features: string[];
  customSections: string[];
}

/**
 * Decodes and scans `bytes` (every opcode is read; nothing is written).
 * @throws AgentOsError 'invalid-component' for malformed bytes, 'unsupported-feature' for unknown opcodes.
 */
export function inspectModule(bytes: Uint8Array): ModuleInspection {
  const m = decodeModule(bytes);
  const features = scanCode(m);
  const memories: ModuleInspection['memories'] = [];
  const tables: ModuleInspection['tables'] = [];
  for (const i of m.imports) {
    if (i.desc.kind === 'memory') memories.push({ ...pick(i.desc.limits), imported: true });
    if (i.desc.kind === 'table') tables.push({ min: i.desc.table.limits.min, max: i.desc.table.limits.max, imported: true });
  }
  for (const l of m.memories) memories.push({ ...pick(l), imported: false });
  for (const t of m.tables) tables.push({ min: t.limits.min, max: t.limits.max, imported: false });
  let codeBytes = 0;
  for (const f of m.code) codeBytes += f.size ?? f.body.length;
  return {
    imports: m.imports.map((i) => ({ module: i.module, name: i.name, kind: i.desc.kind })),
    exports: m.exports.map((e) => ({ name: e.name, kind: e.kind, index: e.index })),
    memories,
    tables,
    functions: m.functions.length,
    importedFunctions: countImports(m, 'func'),
    codeBytes,
    features: featureNames(features),
    customSections: m.customs.map((c) => c.name),
  };
}

function pick(l: { min: number; max: number | undefined; shared: boolean }) {
  return { min: l.min, max: l.max, shared: l.shared };
}
