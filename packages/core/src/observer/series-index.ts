/**
 * The lookup structure behind a metric's series (see metrics.ts).
 */

/**
 * Series indexed by their label values, one Map level per label. Looking up
 * the caller's own strings reuses their cached hashes; a joined string key
 * would be a new string to hash on every update (the main cost of an update).
 */
export class SeriesIndex<S> {
  readonly #depth: number;
  #root: Map<string, unknown> | S | undefined;

  constructor(depth: number) {
    this.#depth = depth;
    this.#root = depth === 0 ? undefined : new Map();
  }

  get(values: readonly string[]): S | undefined {
    if (this.#depth === 0) return this.#root as S | undefined;
    let node = this.#root as Map<string, unknown> | undefined;
    for (let i = 0; i < this.#depth - 1 && node; i++) node = node.get(values[i]) as Map<string, unknown> | undefined;
    return node?.get(values[this.#depth - 1]) as S | undefined;
  }

  set(values: readonly string[], value: S): void {
    if (this.#depth === 0) {
      this.#root = value;
      return;
    }
    let node = this.#root as Map<string, unknown>;
    for (let i = 0; i < this.#depth - 1; i++) {
      let next = node.get(values[i]) as Map<string, unknown> | undefined;
      if (!next) node.set(values[i], (next = new Map()));
      node = next;
    }
    node.set(values[this.#depth - 1], value);
  }
}
