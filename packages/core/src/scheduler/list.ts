/**
 * Intrusive, circular doubly-linked lists with a sentinel head.
 *
 * Nodes carry their own links, so FIFO queues get O(1) append, pop, unlink of
 * any node, and splicing a whole list onto another (which is how MLFQ's
 * priority boost moves every queued process to the top level in O(levels)).
 */

export interface ListNode {
  prev: ListNode;
  next: ListNode;
}

/** Makes an empty list: a sentinel that links to itself. */
export function createList(): ListNode {
  const head = { prev: undefined, next: undefined } as unknown as ListNode;
  head.prev = head;
  head.next = head;
  return head;
}

export function isEmpty(head: ListNode): boolean {
  return head.next === head;
}

export function append(head: ListNode, node: ListNode): void {
  const last = head.prev;
  node.prev = last;
  node.next = head;
  last.next = node;
  head.prev = node;
}

/** Unlinks `node` from whatever list holds it; the node then links to itself. */
export function unlink(node: ListNode): void {
  node.prev.next = node.next;
  node.next.prev = node.prev;
  node.prev = node;
  node.next = node;
}

/** True when `node` is in some list (unlinked nodes link to themselves). */
export function isLinked(node: ListNode): boolean {
  return node.next !== node;
}

/** Removes and returns the first node, or undefined when the list is empty. */
export function shift(head: ListNode): ListNode | undefined {
  const first = head.next;
  if (first === head) return undefined;
  unlink(first);
  return first;
}

/** Moves every node of `from` to the end of `to`, keeping their order; `from` ends empty. */
export function spliceAll(to: ListNode, from: ListNode): void {
  if (from.next === from) return;
  const first = from.next;
  const last = from.prev;
  const tail = to.prev;
  tail.next = first;
  first.prev = tail;
  last.next = to;
  to.prev = last;
  from.next = from;
  from.prev = from;
}
