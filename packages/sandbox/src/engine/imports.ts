/**
 * Wires host imports (keyed by WIT interface name, e.g. `test:lists/test`) to
 * what the glue asks for. Deny by default: an interface the host does not
 * provide is linked to a stub whose every function throws
 * `AgentOsError('capability-denied')` when called. We link rather than refuse
 * because most toolchains import interfaces they never call on the happy path
 * (wit-bindgen's Rust std pulls in `wasi:cli/stderr` for panics); refusing at
 * link time would reject almost every real component, while the stub still
 * stops the first actual use.
 */
import { AgentOsError } from '../errors/index.ts';
import { toCamel } from './signatures.ts';
import { hostImportError } from './traps.ts';

/** Host import implementations: interface name → object of functions/classes. */
export type HostImports = Record<string, Record<string, unknown>>;

/** `wasi:cli/stderr@0.2.0` → `wasi:cli/stderr`. */
export function withoutVersion(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
}

/**
 * Builds the glue's `imports` argument: every specifier it reads, taken from
 * `provided` (matched with or without a version) or a denying stub.
 */
export function linkImports(specifiers: readonly string[], provided: HostImports): Record<string, unknown> {
  const byBareName = new Map<string, Record<string, unknown>>();
  for (const [key, value] of Object.entries(provided)) byBareName.set(withoutVersion(key), value);
  const linked: Record<string, unknown> = Object.create(null);
  for (const specifier of specifiers) {
    linked[specifier] = provided[specifier] ?? byBareName.get(withoutVersion(specifier)) ?? denyingInterface(specifier);
  }
  return linked;
}

/** An interface whose members all throw capability-denied when used. */
export function denyingInterface(iface: string): Record<string, unknown> {
  const members = new Map<string, unknown>();
  return new Proxy(Object.create(null) as Record<string, unknown>, {
    get(_target, key) {
      if (typeof key !== 'string' || key === 'then') return undefined;
      let member = members.get(key);
      if (member === undefined) {
        // A plain function (not an arrow) so the glue may also treat it as a resource class.
        member = function denied(): never {
          throw new AgentOsError('capability-denied', `The guest used ${iface}#${key}, which this host does not grant; provide it in the imports (CLI: --imports) if the guest should have it.`, {
            details: { interface: iface, member: key },
          });
        };
        members.set(key, member);
      }
      return member;
    },
  });
}

/**
 * Wraps the async host imports (`iface#func`, or `func` at world level, as given to
 * `engine.load`) in `linked` so that a rejection also rejects the returned promise, which the
 * boundary races every suspended import against (see `hostFailure` in boundary/hooks.ts).
 * Each wrapped interface object is replaced by a copy (same prototype, same members).
 */
export function watchAsyncImports(linked: Record<string, unknown>, asyncImports: readonly string[]): Promise<never> {
  let fail!: (error: unknown) => void;
  const failure = new Promise<never>((_, reject) => (fail = reject));
  failure.catch(() => undefined);
  for (const name of asyncImports) {
    const hash = name.lastIndexOf('#');
    const iface = hash < 0 ? name : name.slice(0, hash);
    const member = hash < 0 ? 'default' : toCamel(name.slice(hash + 1));
    const key = Object.keys(linked).find((k) => k === iface || withoutVersion(k) === withoutVersion(iface));
    const holder = key === undefined ? undefined : (linked[key] as Record<string, unknown>);
    const fn = holder?.[member];
    // Only what the host provided: a denied interface stays the denying stub.
    if (key === undefined || !holder || typeof fn !== 'function' || !Object.hasOwn(holder, member)) continue;
    const copy = Object.create(Object.getPrototypeOf(holder), Object.getOwnPropertyDescriptors(holder)) as Record<string, unknown>;
    copy[member] = function (this: unknown, ...args: unknown[]): unknown {
      const result = (fn as (...a: unknown[]) => unknown).apply(this, args);
      if (!(result instanceof Promise)) return result;
      return result.catch((error: unknown) => {
        const mapped = hostImportError(error, name);
        fail(mapped);
        throw mapped;
      });
    };
    linked[key] = copy;
  }
  return failure;
}
