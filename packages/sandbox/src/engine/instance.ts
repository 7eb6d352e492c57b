/**
 * A live component instance in a Store. Calls are serialized (the component
 * model forbids re-entering an instance), raced against the store's deadline,
 * and every failure comes out as an `AgentOsError`. After a trap the instance
 * is poisoned, as in the component model: make a new one (cheap) to go on.
 *
 * Speed: a call into an idle instance runs at once, without queueing behind a
 * Promise, and an export that is not JSPI-wrapped returns synchronously, so
 * `call` only pays for one already-settled Promise; `callSync` skips even that.
 * Exports are resolved once per component and path.
 */
import { AgentOsError } from '../errors/index.ts';
import { isWasiExit } from '../wasi/index.ts';
import { withoutVersion } from './imports.ts';
import { toCamel, type ExportedFunction } from './signatures.ts';
import type { Store } from './store.ts';

export interface ComponentInstanceParts {
  exports: Record<string, unknown>;
  store: Store;
  functions: readonly ExportedFunction[];
  /** True when the glue wraps exports with JSPI (loaded `preemptible` or with `asyncImports`): calls return Promises. */
  async?: boolean;
}

type ExportFn = (...args: unknown[]) => unknown;
/** Where a path lives in the glue's exports: the key of its interface object (undefined: world level) and the member. */
type ExportSite = { key: string | undefined; member: string };

/** Resolved export sites per component (keyed by its `functions` array, shared by all its instances). */
const sites = new WeakMap<readonly ExportedFunction[], Map<string, ExportSite>>();
const settle = () => undefined;

export class ComponentInstance {
  readonly store: Store;
  readonly functions: readonly ExportedFunction[];
  /** True when exports return Promises (JSPI); `callSync` is refused then. */
  readonly async: boolean;
  readonly #exports: Record<string, unknown>;
  /** Exports looked up so far, by path; made on the first call (an instance never called needs none). */
  #resolved: Map<string, ExportFn> | undefined;
  /** Settles (never rejects) when the last queued or in-flight asynchronous call is done; undefined when idle. */
  #tail: Promise<unknown> | undefined;
  /** True while a synchronous export runs (a host import may try to call back in). */
  #running = false;
  #trap: AgentOsError | undefined;

  constructor(parts: ComponentInstanceParts) {
    this.#exports = parts.exports;
    this.store = parts.store;
    this.functions = parts.functions;
    this.async = parts.async ?? false;
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
   * @throws AgentOsError (as a rejection): 'not-found' for an unknown export, 'illegal-state'
   *   after a trap, 'out-of-fuel', 'deadline', 'trap', 'capability-denied', 'limit-exceeded' from the guest.
   */
  call(path: string, args: unknown[] = []): Promise<unknown> {
    if (this.#running) {
      // Called back from a host import during a synchronous call: run after it returns.
      return Promise.resolve().then(() => this.call(path, args));
    }
    if (this.#tail !== undefined) {
      const run = this.#tail.then(() => this.#start(path, args));
      this.#track(run);
      return run;
    }
    return this.#start(path, args);
  }

  /**
   * `call` without a Promise, for exports that are not JSPI-wrapped: returns the result or
   * throws. A store's deadline still applies (its slice hook stops a spinning guest).
   * @throws AgentOsError: what `call` rejects with, and 'illegal-state' when the component was
   *   loaded for async calls (`preemptible`, `asyncImports`) or another call is in flight.
   */
  callSync(path: string, args: unknown[] = []): unknown {
    if (this.async) {
      throw new AgentOsError('illegal-state', `callSync cannot run ${path}: the component was loaded for async calls (preemptible or asyncImports); use call().`);
    }
    if (this.#running || this.#tail !== undefined) {
      throw new AgentOsError('illegal-state', `callSync cannot run ${path} while another call into this instance is in flight; await it or use call().`);
    }
    const result = this.#invoke(path, args);
    if (result instanceof Promise) {
      // Unreachable for glue without JSPI; never leave a call half-tracked if it happens.
      this.#track(result);
      throw new AgentOsError('internal', `${path} returned a Promise although the component was not loaded for async calls.`);
    }
    return result;
  }

  /** Runs a call now; a settled Promise for a synchronous export. */
  #start(path: string, args: unknown[]): Promise<unknown> {
    let result: unknown;
    try {
      result = this.#invoke(path, args);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!(result instanceof Promise)) return Promise.resolve(result);
    this.#track(result);
    return result;
  }

  /**
   * Calls the export; returns its value, or for a JSPI export a Promise that settles the
   * way `call` documents.
   */
  #invoke(path: string, args: unknown[]): unknown {
    const fn = this.#resolve(path);
    if (this.#trap) {
      throw new AgentOsError('illegal-state', `This instance trapped earlier (${this.#trap.code}); instantiate the component again.`, { cause: this.#trap });
    }
    const store = this.store;
    store.beginCall();
    let result: unknown;
    this.#running = true;
    try {
      result = fn(...args);
    } catch (error) {
      store.endCall();
      return this.#fail(path, error);
    } finally {
      this.#running = false;
    }
    if (!(result instanceof Promise)) {
      store.endCall();
      return result;
    }
    return this.#await(path, result);
  }

  async #await(path: string, result: Promise<unknown>): Promise<unknown> {
    const store = this.store;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      if (store.timeoutMs === undefined) return await result;
      // Only helps while the guest is suspended; a spinning guest is stopped by the slice hook.
      // The event loop's clock can lag performance.now() after a synchronous stretch of guest code,
      // so a timer may fire early: re-arm it until the deadline has really passed.
      const deadline = new Promise<never>((_, reject) => {
        const arm = () => {
          timer = setTimeout(() => (store.msLeft > 0 ? arm() : reject(store.deadlineError())), Math.max(0, store.msLeft));
        };
        arm();
      });
      return await Promise.race([result, deadline]);
    } catch (error) {
      return this.#fail(path, error);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      store.endCall();
    }
  }

  /** Maps what a call threw; poisons the instance unless the guest returned `err`. Returns only for a successful exit. */
  #fail(path: string, error: unknown): undefined {
    if (isWasiExit(error)) {
      // The guest ended itself (wasi:cli/exit): success for code 0; either way it cannot be called again.
      this.#trap = new AgentOsError('illegal-state', `The guest exited with code ${error.code}.`, { details: { exitCode: error.code } });
      if (error.code === 0) return undefined;
      throw new AgentOsError('trap', `${path}: the guest exited with code ${error.code}.`, { details: { kind: 'exit', exitCode: error.code } });
    }
    const mapped = this.store.explain(error, path);
    // A returned `err` leaves the guest consistent; anything else poisons the instance.
    if (mapped.code !== 'guest-error') this.#trap = mapped;
    throw mapped;
  }

  /** Keeps later calls queued behind an asynchronous one until it settles. */
  #track(run: Promise<unknown>): void {
    const tail = run.then(settle, settle);
    this.#tail = tail;
    void tail.then(() => {
      if (this.#tail === tail) this.#tail = undefined;
    });
  }

  #resolve(path: string): ExportFn {
    const resolved = (this.#resolved ??= new Map());
    let fn = resolved.get(path);
    if (fn === undefined) {
      fn = this.#lookup(path);
      resolved.set(path, fn);
    }
    return fn;
  }

  #lookup(path: string): ExportFn {
    let known = sites.get(this.functions);
    if (!known) sites.set(this.functions, (known = new Map()));
    let site = known.get(path);
    if (!site) {
      const [iface, func] = splitPath(path);
      const key = iface === undefined || iface in this.#exports ? iface : Object.keys(this.#exports).find((k) => withoutVersion(k) === withoutVersion(iface));
      site = { key: iface === undefined ? undefined : (key ?? iface), member: toCamel(func) };
    }
    const holder = site.key === undefined ? this.#exports : this.#exports[site.key];
    const fn = holder && typeof holder === 'object' && Object.hasOwn(holder, site.member) ? (holder as Record<string, unknown>)[site.member] : undefined;
    if (typeof fn !== 'function') {
      const names = this.functions.map((f) => f.path).join(', ') || '(none)';
      throw new AgentOsError('not-found', `The component has no exported function '${path}'. Exported: ${names}.`, { details: { path } });
    }
    known.set(path, site);
    return fn as ExportFn;
  }
}

/** `iface#func` → [iface, func]; `func` → [undefined, func]. */
function splitPath(path: string): [string | undefined, string] {
  const hash = path.lastIndexOf('#');
  return hash < 0 ? [undefined, path] : [path.slice(0, hash), path.slice(hash + 1)];
}
