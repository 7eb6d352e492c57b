/**
 * `instrument`: the one pass every core module goes through before it is
 * compiled: static limits, validation, memory/table caps and fuel metering.
 */
import { AgentOsError } from '../errors/index.ts';
import {
  ByteWriter, countImports, decodeModule, lebWidth, encodeModule, featureNames, scanCode, type ScanState, type WasmModule,
} from '../wasm/index.ts';
import { applyCaps } from './caps.ts';
import { addStateExports, type StateExports } from './export-state.ts';
import { hostValidate, hostValidationMessage } from './host-validate.ts';
import { checkLimits, checkModuleSize, DEFAULT_LIMITS, type ModuleLimits } from './limits.ts';
import { FUEL_MODULE, injectFuelImports } from './renumber.ts';
import { applyPlan, noPassing, planPassing } from './counter-passing.ts';
import { writeEntryTrampoline } from './emit.ts';
import { type CodeRewrite, type CounterPlacement, writeMeteredCode } from './metered-code.ts';

export interface InstrumentOptions {
  /** Inject fuel metering (default true). `false` applies only caps and limits. */
  meter?: boolean;
  /** Cap on every memory's size in bytes (rounded down to whole 64 KiB pages). */
  maxMemoryBytes?: number;
  /** Cap on every defined table's size in elements. */
  maxTableElements?: number;
  /** Static limits; missing fields take `DEFAULT_LIMITS`. */
  limits?: Partial<ModuleLimits>;
  /**
   * Where a running function keeps the counter: `'auto'` (default: internal functions
   * take it as an extra last parameter and result, so calls between them keep it in
   * registers; elsewhere a local copy in functions with loops, the imported global in
   * the others), `'global'` (always the imported global) or `'local'` (always a local
   * copy, synced to the global around calls, returns and `exhausted`). Functions with
   * exception handlers always use the global. Fuel numbers are the same for all three.
   * Measured in bench/metering/counter-placement and bench/sandbox/metering-overhead.
   */
  counter?: CounterPlacement;
  /** Run the host's `WebAssembly.validate` on the input when available (default true). */
  validate?: boolean;
  /**
   * Export every defined memory and mutable global under `agentos:state/…` so a host can
   * snapshot the instance (default false). A module whose state cannot be copied (tables
   * changed at run time, reference globals) gets a marker export instead; see export-state.ts.
   */
  exportState?: boolean;
}

export interface InstrumentStats {
  /** Functions defined in the input module (imports not counted); the output keeps them first, at the same positions. */
  functions: number;
  /** Entry trampolines appended after them (emit.ts `writeEntryTrampoline`): one per function whose entry check stayed. */
  trampolines: number;
  /** Bytes of function bodies in the input. */
  codeBytes: number;
  /** Feature names seen, e.g. 'simd', 'bulk-memory', 'threads'. */
  features: string[];
}

export interface InstrumentResult {
  bytes: Uint8Array;
  stats: InstrumentStats;
  /** What `exportState` exported, when it was asked for. */
  state?: StateExports;
}

/**
 * Rewrites a core module for the sandbox.
 * @throws AgentOsError
 *   'invalid-component' when the bytes are malformed or invalid (the host says so),
 *     the module imports from "agentos:fuel" itself, or (with `exportState`) exports a name under "agentos:state/";
 *   'unsupported-feature' for opcodes or features we cannot meter (GC, memory64);
 *   'limit-exceeded' when a static limit is passed;
 *   'memory-limit' when a memory or table starts above its cap;
 *   'invalid-argument' when `bytes` is not a Uint8Array.
 */
export function instrument(bytes: Uint8Array, options: InstrumentOptions = {}): InstrumentResult {
  // By tag, not instanceof: bytes may come from another realm (a worker, a vm context).
  if (Object.prototype.toString.call(bytes) !== '[object Uint8Array]') {
    throw new AgentOsError('invalid-argument', 'instrument() needs the module bytes as a Uint8Array');
  }
  checkOptions(options);
  const limits: ModuleLimits = { ...DEFAULT_LIMITS, ...options.limits };
  checkModuleSize(bytes.length, limits);
  const m = decodeModule(bytes);
  refuseUnsupported(m);
  const codeBytes = checkLimits(m, limits);
  if (options.validate !== false && hostValidate(bytes) === false) {
    throw new AgentOsError('invalid-component', `invalid WebAssembly module: ${hostValidationMessage(bytes)}`);
  }
  applyCaps(m, options);
  const meter = options.meter !== false;
  const state: ScanState = { typeCount: m.types.length, features: m.features };
  // Before metering: the fuel import's renumbering then shifts these exports like any other.
  const exported = options.exportState ? addStateExports(m, state) : undefined;
  let out: Uint8Array;
  if (meter) {
    const counts = { functions: countImports(m, 'func') + m.functions.length, globals: countImports(m, 'global') + m.globals.length };
    const counter = options.counter ?? 'auto';
    const imported = countImports(m, 'func');
    const job: CodeRewrite = {
      module: m, functionCount: counts.functions, globalCount: counts.globals,
      maxLocalsPerFunction: limits.maxLocalsPerFunction, counter,
      plan: counter === 'auto' ? planPassing(m, imported) : noPassing(m, imported),
    };
    // The code first: it settles which functions get the counter passed, which the name section needs.
    const code = meterCode(job, state, codeBytes);
    injectFuelImports(m, counts, state, job.plan);
    // Sized for the output (the rest grows by a few bytes per function and type), so the
    // result is a view of the encoder's buffer rather than a copy of it.
    const capacity = bytes.length - codeBytes + code.length + 8 * m.functions.length + 16 * m.types.length + 1024;
    out = encodeModule(m, { capacity, code });
  } else {
    state.features = scanCode(m);
    out = encodeModule(m, { capacity: bytes.length + 1024 });
  }
  const stats = { functions: m.code.length, trampolines: m.functions.length - m.code.length, codeBytes, features: featureNames(state.features) };
  return exported ? { bytes: out, stats, state: exported } : { bytes: out, stats };
}

/**
 * The metered code section payload. The plan of which functions get the counter passed is
 * checked while the code streams; when the code contradicts it (a `ref.func`, a handler, a
 * tail call), the code is written once more without those functions.
 */
function meterCode(job: CodeRewrite, state: ScanState, codeBytes: number): Uint8Array {
  // Metered code is ~1.2-1.4x its input; the writer grows if it must.
  const w = new ByteWriter(codeBytes * 1.5 + 16 * job.module.code.length + 1024);
  // The function count goes in front of the bodies once the trampolines are known: 5 bytes
  // reserved for it saves copying the whole code into another buffer.
  w.pos = 5;
  let written = writeMeteredCode(w, job, state);
  const { conflicts } = written;
  if (conflicts.any) {
    const plan = job.plan.passedType;
    for (let i = 0; i < plan.length; i++) if (conflicts.tailCalls || conflicts.drop[i]) plan[i] = -1;
    w.pos = 5;
    written = writeMeteredCode(w, job, state);
  }
  applyPlan(job.module, job.plan);
  // The entry trampolines go after the module's own functions, with their functions' final types.
  const { trampolines } = written;
  for (const t of trampolines) {
    writeEntryTrampoline(w, t);
    job.module.functions.push(job.module.functions[t.definedIndex]);
  }
  const count = job.module.code.length + trampolines.length;
  const start = 5 - lebWidth(count);
  const end = w.pos;
  w.pos = start;
  w.u32(count);
  return w.buf.subarray(start, end);
}

/** Option values that cannot work are refused up front with a message that says what to pass instead. */
function checkOptions(options: InstrumentOptions): void {
  const bad = (message: string): never => {
    throw new AgentOsError('invalid-argument', message);
  };
  for (const key of ['maxMemoryBytes', 'maxTableElements'] as const) {
    const v = options[key];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) bad(`instrument(): ${key} must be a non-negative number, got ${v}`);
  }
  if (options.counter !== undefined && !['global', 'local', 'auto'].includes(options.counter)) {
    bad(`instrument(): counter must be 'auto', 'global' or 'local', got ${String(options.counter)}`);
  }
  for (const [key, v] of Object.entries(options.limits ?? {})) {
    if (!(key in DEFAULT_LIMITS)) bad(`instrument(): unknown limit '${key}'; known limits: ${Object.keys(DEFAULT_LIMITS).join(', ')}`);
    if (!(typeof v === 'number' && v >= 0)) bad(`instrument(): limits.${key} must be a non-negative number, got ${v}`);
  }
}

function refuseUnsupported(m: WasmModule): void {
  const mem64 = m.memories.some((l) => l.is64) || m.imports.some((i) => i.desc.kind === 'memory' && i.desc.limits.is64);
  const table64 = m.tables.some((t) => t.limits.is64) || m.imports.some((i) => i.desc.kind === 'table' && i.desc.table.limits.is64);
  if (mem64 || table64) {
    throw new AgentOsError('unsupported-feature', `${mem64 ? 'memory64' : 'table64'} modules are not supported by the metering rewriter`, {
      details: { feature: mem64 ? 'memory64' : 'table64' },
    });
  }
  const own = m.imports.find((i) => i.module === FUEL_MODULE);
  if (own) {
    throw new AgentOsError('invalid-component', `the module imports "${FUEL_MODULE}" "${own.name}" itself; that namespace is reserved for the fuel counter`, {
      details: { module: own.module, name: own.name },
    });
  }
}
