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
export function linkImports(specifiers: string[], provided: HostImports): Record<string, unknown> {
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
