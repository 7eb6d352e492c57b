/**
 * A binary min-heap of nodes ordered by (`key`, `seq`), where each node remembers
 * its own position so it can be removed in O(log n) without a search.
 *
 * Policies give every queued process one node; `seq` is a global arrival
 * counter, so equal keys leave in arrival order and every ordering is total
 * (which keeps runs deterministic).
 */

export interface HeapNode {
  key: number;
  seq: number;
  /** Position in the heap array, or -1 when not in a heap. */
  heapIndex: number;
}

function less(a: HeapNode, b: HeapNode): boolean {
  return a.key < b.key || (a.key === b.key && a.seq < b.seq);
}

export class IndexedHeap<T extends HeapNode> {
  #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(node: T): void {
    node.heapIndex = this.#items.length;
    this.#items.push(node);
    this.#up(node.heapIndex);
  }

  pop(): T | undefined {
    const items = this.#items;
    if (items.length === 0) return undefined;
    const top = items[0];
    const last = items.pop() as T;
    if (items.length > 0) {
      items[0] = last;
      last.heapIndex = 0;
      this.#down(0);
    }
    top.heapIndex = -1;
    return top;
  }

  /** Removes `node` if it is in this heap; returns whether it was. */
  remove(node: T): boolean {
    const items = this.#items;
    const index = node.heapIndex;
    if (index < 0 || items[index] !== node) return false;
    const last = items.pop() as T;
    if (index < items.length) {
      items[index] = last;
      last.heapIndex = index;
      // The moved node may belong above or below its new spot.
      this.#down(index);
      this.#up(last.heapIndex);
    }
    node.heapIndex = -1;
    return true;
  }

  /** Restores order after `node.key` changed while the node is in the heap. */
  update(node: T): void {
    this.#down(node.heapIndex);
    this.#up(node.heapIndex);
  }

  #up(index: number): void {
    const items = this.#items;
    const node = items[index];
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = items[parentIndex];
      if (!less(node, parent)) break;
      items[index] = parent;
      parent.heapIndex = index;
      index = parentIndex;
    }
    items[index] = node;
    node.heapIndex = index;
  }

  #down(index: number): void {
    const items = this.#items;
    const length = items.length;
    const node = items[index];
    for (;;) {
      let child = 2 * index + 1;
      if (child >= length) break;
      const right = child + 1;
      if (right < length && less(items[right], items[child])) child = right;
      if (!less(items[child], node)) break;
      items[index] = items[child];
      items[index].heapIndex = index;
      index = child;
    }
    items[index] = node;
    node.heapIndex = index;
  }
}
