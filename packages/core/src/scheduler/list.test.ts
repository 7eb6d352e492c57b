import { describe, expect, it } from 'vitest';
import { append, createList, isEmpty, isLinked, shift, spliceAll, unlink, type ListNode } from './list.ts';

interface Item extends ListNode {
  name: string;
}

function item(name: string): Item {
  const node = { name } as Item;
  node.prev = node;
  node.next = node;
  return node;
}

function names(head: ListNode): string[] {
  const out: string[] = [];
  for (let node = head.next; node !== head; node = node.next) out.push((node as Item).name);
  return out;
}

describe('intrusive list', () => {
  it('keeps FIFO order and unlinks from the middle', () => {
    const list = createList();
    const [a, b, c] = [item('a'), item('b'), item('c')];
    append(list, a);
    append(list, b);
    append(list, c);
    unlink(b);
    expect(isLinked(b)).toBe(false);
    expect(names(list)).toEqual(['a', 'c']);
    expect((shift(list) as Item).name).toBe('a');
    expect(names(list)).toEqual(['c']);
  });

  it('splices a whole list onto the end of another and leaves the source empty', () => {
    const to = createList();
    const from = createList();
    append(to, item('a'));
    append(from, item('b'));
    append(from, item('c'));
    spliceAll(to, from);
    expect(names(to)).toEqual(['a', 'b', 'c']);
    expect(isEmpty(from)).toBe(true);
    spliceAll(to, from);
    expect(names(to)).toEqual(['a', 'b', 'c']);
  });
});
