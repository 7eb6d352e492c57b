/**
 * Static limits: facts about a module we refuse before anything compiles it,
 * so a hostile binary cannot make the host engine spend unbounded time or
 * memory. Defaults sit at or below V8's own hard limits.
 */
import { AgentOsError } from '../errors/index.ts';
import { countImports, type WasmModule } from '../wasm/index.ts';

export interface ModuleLimits {
  /** Size of the whole binary. */
  maxModuleBytes: number;
  /** Defined plus imported functions. */
  maxFunctions: number;
  /** Sum of all function body sizes. */
  maxCodeBytes: number;
  /** One function body (V8 refuses bodies over 7,654,321 bytes). */
  maxFunctionBytes: number;
  /** Sum of all data segment sizes. */
  maxDataBytes: number;
  /** Parameters plus locals of one function (V8's limit is 50,000; metering adds up to 2). */
  maxLocalsPerFunction: number;
  maxImports: number;
  maxExports: number;
  maxGlobals: number;
  maxTypes: number;
  maxTables: number;
  maxMemories: number;
  /** Initial size of any table. */
  maxTableSize: number;
  /** Entries in one element segment. */
  maxElementSegmentSize: number;
  maxElementSegments: number;
  maxDataSegments: number;
}

export const DEFAULT_LIMITS: Readonly<ModuleLimits> = Object.freeze({
  maxModuleBytes: 128 * 1024 * 1024,
  maxFunctions: 100_000,
  maxCodeBytes: 64 * 1024 * 1024,
  maxFunctionBytes: 7_654_321,
  maxDataBytes: 64 * 1024 * 1024,
  maxLocalsPerFunction: 49_998,
  maxImports: 100_000,
  maxExports: 100_000,
  maxGlobals: 1_000_000,
  maxTypes: 1_000_000,
  maxTables: 100,
  maxMemories: 100,
  maxTableSize: 10_000_000,
  maxElementSegmentSize: 10_000_000,
  maxElementSegments: 100_000,
  maxDataSegments: 100_000,
});

function exceeded(what: string, value: number, limit: number): never {
  throw new AgentOsError('limit-exceeded', `the module has ${value} ${what}; the limit is ${limit}. Raise options.limits or shrink the module.`, {
    details: { what, value, limit },
  });
}

/** @throws AgentOsError 'limit-exceeded' when the binary is larger than `limits.maxModuleBytes`. */
export function checkModuleSize(size: number, limits: ModuleLimits): void {
  if (size > limits.maxModuleBytes) exceeded('bytes', size, limits.maxModuleBytes);
}

/**
 * Checks every static limit of a decoded module and returns its code size.
 * @throws AgentOsError 'limit-exceeded' naming the first limit passed.
 */
export function checkLimits(m: WasmModule, limits: ModuleLimits): number {
  const functions = countImports(m, 'func') + m.functions.length;
  if (functions > limits.maxFunctions) exceeded('functions', functions, limits.maxFunctions);
  if (m.imports.length > limits.maxImports) exceeded('imports', m.imports.length, limits.maxImports);
  if (m.exports.length > limits.maxExports) exceeded('exports', m.exports.length, limits.maxExports);
  const globals = countImports(m, 'global') + m.globals.length;
  if (globals > limits.maxGlobals) exceeded('globals', globals, limits.maxGlobals);
  if (m.types.length > limits.maxTypes) exceeded('types', m.types.length, limits.maxTypes);
  const tables = countImports(m, 'table') + m.tables.length;
  if (tables > limits.maxTables) exceeded('tables', tables, limits.maxTables);
  const memories = countImports(m, 'memory') + m.memories.length;
  if (memories > limits.maxMemories) exceeded('memories', memories, limits.maxMemories);
  for (const t of m.tables) {
    if (t.limits.min > limits.maxTableSize) exceeded('initial table elements', t.limits.min, limits.maxTableSize);
  }
  if (m.elements.length > limits.maxElementSegments) exceeded('element segments', m.elements.length, limits.maxElementSegments);
  for (const e of m.elements) {
    const n = e.functions?.length ?? e.exprs?.length ?? 0;
    if (n > limits.maxElementSegmentSize) exceeded('elements in one segment', n, limits.maxElementSegmentSize);
  }
  if (m.data.length > limits.maxDataSegments) exceeded('data segments', m.data.length, limits.maxDataSegments);
  let dataBytes = 0;
  for (const d of m.data) dataBytes += d.data.length;
  if (dataBytes > limits.maxDataBytes) exceeded('bytes of data', dataBytes, limits.maxDataBytes);
  let codeBytes = 0;
  for (const f of m.code) {
    const size = f.size ?? f.body.length;
    if (size > limits.maxFunctionBytes) exceeded('bytes in one function body', size, limits.maxFunctionBytes);
    codeBytes += size;
  }
  if (codeBytes > limits.maxCodeBytes) exceeded('bytes of code', codeBytes, limits.maxCodeBytes);
  return codeBytes;
}
