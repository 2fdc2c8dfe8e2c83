// List values. Redis 7.0 keeps every list as a quicklist (OBJECT ENCODING "quicklist"); the
// representation behind it here is a StringDeque (store/types/string-deque.ts): O(1) push and
// pop at both ends and O(1) access by index.

import { StringDeque } from './string-deque.js';

/** Which end of a list: Redis's LIST_HEAD (left) and LIST_TAIL (right). */
export const HEAD = 0;
export const TAIL = 1;
export type ListEnd = typeof HEAD | typeof TAIL;

export class ListValue {
  /** Access clock (see store/db.ts), kept on the object like Redis's robj lru field. */
  lru = 0;
  private readonly items: StringDeque;

  constructor(items?: StringDeque) {
    this.items = items ?? new StringDeque();
  }

  /** TYPE's answer; a prototype getter, so it costs no memory per list. */
  get kind(): 'list' {
    return 'list';
  }

  /** OBJECT ENCODING's name: Redis 7.0 reports every list as a quicklist. */
  encoding(): string {
    return 'quicklist';
  }

  /** A deep copy (COPY): shares nothing mutable with this list. */
  clone(): ListValue {
    const copy = new StringDeque();
    const items = this.items;
    for (let i = 0; i < items.length; i++) copy.pushTail(items.get(i));
    return new ListValue(copy);
  }

  get length(): number {
    return this.items.length;
  }

  push(element: string, where: ListEnd): void {
    if (where === HEAD) this.items.pushHead(element);
    else this.items.pushTail(element);
  }

  /** Removes and returns the element at one end; the list must not be empty. */
  pop(where: ListEnd): string {
    return where === HEAD ? this.items.popHead() : this.items.popTail();
  }

  /** Element `index` counted from the head, negative from the tail (-1 = last); undefined when out of range. */
  at(index: number): string | undefined {
    const n = this.items.length;
    const i = index < 0 ? n + index : index;
    return i < 0 || i >= n ? undefined : this.items.get(i);
  }

  /** LSET: false when the index is out of range. */
  setAt(index: number, element: string): boolean {
    const n = this.items.length;
    const i = index < 0 ? n + index : index;
    if (i < 0 || i >= n) return false;
    this.items.set(i, element);
    return true;
  }

  /** LINSERT: puts `element` before or after the first `pivot` from the head; false when there is none. */
  insertAtPivot(pivot: string, element: string, after: boolean): boolean {
    const items = this.items;
    const n = items.length;
    for (let i = 0; i < n; i++) {
      if (items.get(i) !== pivot) continue;
      items.insertAt(after ? i + 1 : i, element);
      return true;
    }
    return false;
  }

  /** LREM: removes up to |count| elements equal to `element` (all with 0; from the tail when negative). */
  removeEqual(element: string, count: number): number {
    return this.items.removeEqual(element, Math.abs(count), count < 0);
  }

  /** Removes `fromHead` elements at the head and `fromTail` at the tail (LTRIM, counted pops). */
  trim(fromHead: number, fromTail: number): void {
    this.items.dropHead(fromHead);
    this.items.dropTail(fromTail);
  }

  /**
   * A cursor on element `index` (0 <= index < length) walking toward the tail (`forward`) or the
   * head; each next() returns one element, null past the end. Valid until the list changes.
   */
  cursor(index: number, forward: boolean): ListCursor {
    return new ListCursor(this.items, index, forward);
  }
}

export class ListCursor {
  constructor(private readonly items: StringDeque, private index: number, private readonly forward: boolean) {}

  next(): string | null {
    const i = this.index;
    if (i < 0 || i >= this.items.length) return null;
    this.index = this.forward ? i + 1 : i - 1;
    return this.items.get(i);
  }
}
