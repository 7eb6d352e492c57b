/**
 * A live component instance in a Store. Calls are serialized (the component
 * model forbids re-entering an instance), raced against the store's deadline,
 * and every failure comes out as an `AgentOsError`. After a trap the instance
 * is poisoned, as in the component model: make a new one (cheap) to go on.
 */
import { AgentOsError } from '../errors/index.ts';
import { withoutVersion } from './imports.ts';
import { toCamel, type ExportedFunction } from './signatures.ts';
import type { Store } from './store.ts';
import { isWasiExit } from '../wasi/index.ts';

export interface ComponentInstanceParts {
  exports: Record<string, unknown>;
  store: Store;
  functions: readonly ExportedFunction[];
}

export class ComponentInstance {
  readonly store: Store;
  readonly functions: readonly ExportedFunction[];
  readonly #exports: Record<string, unknown>;
  #queue: Promise<unknown> = Promise.resolve();
  #trap: AgentOsError | undefined;

  constructor(parts: ComponentInstanceParts) {
    this.#exports = parts.exports;
    this.store = parts.store;
    this.functions = parts.functions;
  }

  /** The trap that poisoned this instance, if any. */
  get trap(): AgentOsError | undefined {
    return this.#trap;
  }

  /** The signature of an export path, or undefined when jco's typings do not describe it. */
  describe(path: string): ExportedFunction | undefined {
    const [iface, func] = splitPath(path);
    return this.functions.find((f) =>
      f.name === func && (iface === undefined ? f.interface === undefined : f.interface !== undefined && (f.interface === iface || withoutVersion(f.interface) === withoutVersion(iface))),
    );
  }

  /**
   * Calls an export: `iface#func` (e.g. `docs:adder/add@0.1.0#add`, version optional) or a
   * world-level `func`. Arguments are JS values as jco maps WIT types (bigint for 64-bit ints).
   * @throws AgentOsError: 'not-found' for an unknown export, 'illegal-state' after a trap,
   *   'out-of-fuel', 'deadline', 'trap', 'capability-denied', 'limit-exceeded' from the guest.
   */
  call(path: string, args: unknown[] = []): Promise<unknown> {
    const run = this.#queue.then(() => this.#run(path, this.#resolve(path), args));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #run(path: string, fn: (...args: unknown[]) => unknown, args: unknown[]): Promise<unknown> {
    if (this.#trap) {
      throw new AgentOsError('illegal-state', `This instance trapped earlier (${this.#trap.code}); instantiate the component again.`, { cause: this.#trap });
    }
    const store = this.store;
    store.beginCall();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const result = fn(...args);
      if (!(result instanceof Promise)) return result;
      if (store.timeoutMs === undefined) return await result;
      // Only helps while the guest is suspended; a spinning guest is stopped by the slice hook.
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(store.deadlineError()), Math.max(0, store.msLeft));
      });
      return await Promise.race([result, deadline]);
    } catch (error) {
      if (isWasiExit(error)) {
        // The guest ended itself (wasi:cli/exit): success for code 0; either way it cannot be called again.
        this.#trap = new AgentOsError('illegal-state', `The guest exited with code ${error.code}.`, { details: { exitCode: error.code } });
        if (error.code === 0) return undefined;
        throw new AgentOsError('trap', `${path}: the guest exited with code ${error.code}.`, { details: { kind: 'exit', exitCode: error.code } });
      }
      const mapped = store.explain(error, path);
      this.#trap = mapped;
      throw mapped;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      store.endCall();
    }
  }

  #resolve(path: string): (...args: unknown[]) => unknown {
    const [iface, func] = splitPath(path);
    let holder: unknown = this.#exports;
    if (iface !== undefined) {
      holder = this.#exports[iface] ?? Object.entries(this.#exports).find(([key]) => withoutVersion(key) === withoutVersion(iface))?.[1];
    }
    const fn = holder && typeof holder === 'object' ? (holder as Record<string, unknown>)[toCamel(func)] : undefined;
    if (typeof fn !== 'function' || !Object.hasOwn(holder as object, toCamel(func))) {
      const known = this.functions.map((f) => f.path).join(', ') || '(none)';
      throw new AgentOsError('not-found', `The component has no exported function '${path}'. Exported: ${known}.`, { details: { path } });
    }
    return fn as (...args: unknown[]) => unknown;
  }
}

/** `iface#func` → [iface, func]; `func` → [undefined, func]. */
function splitPath(path: string): [string | undefined, string] {
  const hash = path.lastIndexOf('#');
  return hash < 0 ? [undefined, path] : [path.slice(0, hash), path.slice(hash + 1)];
}
