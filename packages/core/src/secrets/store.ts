/**
 * Where secret values live. The runtime only ever asks by name; a backend may
 * be a vault, an environment the host reads, or (tests, local runs) memory.
 */

export interface SecretStore {
  /** The value of `name`, or `undefined` when there is none. */
  get(name: string): string | undefined | Promise<string | undefined>;
}

/** Secrets held in memory, e.g. read by the host from its environment at start. */
export class MemorySecretStore implements SecretStore {
  readonly #values: Map<string, string>;

  constructor(values: Record<string, string> = {}) {
    this.#values = new Map(Object.entries(values));
  }

  get(name: string): string | undefined {
    return this.#values.get(name);
  }

  /** Sets or rotates a value (the old one stays redacted by any Redactor that saw it). */
  set(name: string, value: string): void {
    this.#values.set(name, value);
  }
}
