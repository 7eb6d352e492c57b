/**
 * A world: one run of a script, with its own spectest module, its own registry
 * of named and registered instances, and a transform applied to every module
 * before it is compiled (none for the plain world, metering for the other).
 * Two worlds never share an instance, so a metered module only ever links
 * against metered modules.
 */

import { isAgentOsError } from '../../../packages/sandbox/src/errors/index.ts';
import type { Action } from './commands.ts';
import type { Driver } from './driver.ts';
import type { ExportType } from './module-types.ts';
import { outcomeOf, type Outcome } from './outcome.ts';
import { createSpectest } from './spectest.ts';
import { toArgument } from './values.ts';

/** Rewrites a module's bytes (metering); may throw to refuse it. */
export type Transform = (bytes: Uint8Array) => Uint8Array;

export interface WorldOptions {
  driver: Driver;
  transform?: Transform;
  /** Import modules only this world provides (the metered world's `agentos:fuel`). */
  hostModules?: Record<string, Record<string, WebAssembly.ImportValue>>;
}

/** An instantiated module and the export types read from its original bytes. */
interface ModuleRecord {
  instance: WebAssembly.Instance;
  types: Map<string, ExportType>;
}

export class World {
  private readonly driver: Driver;
  private readonly transform: Transform | undefined;
  private readonly registry = new Map<string, Record<string, unknown>>();
  private readonly named = new Map<string, ModuleRecord | string>();
  /** The latest module, or why it is missing. */
  private current: ModuleRecord | string = 'no module defined yet';

  constructor(options: WorldOptions) {
    this.driver = options.driver;
    this.transform = options.transform;
    this.registry.set('spectest', createSpectest());
    for (const [name, exports] of Object.entries(options.hostModules ?? {})) this.registry.set(name, exports);
  }

  /** Transforms and compiles `bytes`; the outcome is a module or why there is none. */
  compile(bytes: Uint8Array): WebAssembly.Module | Outcome {
    let input = bytes;
    if (this.transform) {
      try {
        input = this.transform(bytes);
      } catch (error) {
        if (isAgentOsError(error)) return { kind: 'refused', code: error.code, message: error.message };
        return { kind: 'error', message: `transform threw ${(error as Error)?.name}: ${(error as Error)?.message}` };
      }
    }
    try {
      return new WebAssembly.Module(input as Uint8Array<ArrayBuffer>);
    } catch (error) {
      return outcomeOf(error);
    }
  }

  /**
   * Compiles, links and instantiates a module; on success it becomes the current
   * module (and `name`'s module). On failure the current module is cleared, as
   * the reference interpreter does, with the reason kept for later commands.
   */
  define(options: { bytes: Uint8Array; types: Map<string, ExportType>; name?: string; keep?: boolean }): Outcome {
    const outcome = this.instantiate(options.bytes);
    const record = 'instance' in outcome ? { instance: outcome.instance, types: options.types } : `module failed: ${outcome.kind}`;
    if (options.keep !== false) {
      this.current = record;
      if (options.name) this.named.set(options.name, record);
    }
    return 'instance' in outcome ? { kind: 'instantiated' } : outcome;
  }

  /** Marks the current (and `name`'s) module as missing, e.g. because it was skipped. */
  forget(reason: string, name?: string): void {
    this.current = reason;
    if (name) this.named.set(name, reason);
  }

  /** Makes a module's exports importable under `as`. */
  register(as: string, name?: string): void {
    const record = name ? this.named.get(name) : this.current;
    if (record && typeof record !== 'string') this.registry.set(as, record.instance.exports);
    else this.registry.delete(as);
  }

  /** Why the module an action targets is missing, or undefined when it is there. */
  missing(action: Action): string | undefined {
    const record = action.module ? this.named.get(action.module) : this.current;
    if (record === undefined) return `unknown module ${action.module}`;
    return typeof record === 'string' ? record : undefined;
  }

  /** Runs an `invoke` or `get` action through a driver, bit-exactly. */
  perform(action: Action): Outcome {
    const record = action.module ? this.named.get(action.module) : this.current;
    if (record === undefined || typeof record === 'string') return { kind: 'error', message: record ?? 'no module' };
    const type = record.types.get(action.field);
    const target = record.instance.exports[action.field] as object | undefined;
    if (!type || target === undefined) return { kind: 'error', message: `no export ${JSON.stringify(action.field)}` };
    try {
      if (action.type === 'get' && type.kind === 'global') {
        return { kind: 'values', values: [this.driver.read({ global: target, type: type.type, mutable: type.mutable })] };
      }
      if (action.type === 'invoke' && type.kind === 'func') {
        return { kind: 'values', values: this.driver.call({ fn: target, type: type.type, args: action.args.map(toArgument) }) };
      }
      return { kind: 'error', message: `cannot ${action.type} export ${JSON.stringify(action.field)} of kind ${type.kind}` };
    } catch (error) {
      return outcomeOf(error);
    }
  }

  private instantiate(bytes: Uint8Array): { instance: WebAssembly.Instance } | Outcome {
    const module = this.compile(bytes);
    if (!(module instanceof WebAssembly.Module)) return module;
    const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
    for (const { module: from, name } of WebAssembly.Module.imports(module)) {
      const exports = this.registry.get(from);
      if (!exports || !(name in exports)) return { kind: 'link-error', message: `unknown import ${from}.${name}` };
      (imports[from] ??= {})[name] = exports[name] as WebAssembly.ImportValue;
    }
    try {
      return { instance: new WebAssembly.Instance(module, imports) };
    } catch (error) {
      return outcomeOf(error);
    }
  }
}
