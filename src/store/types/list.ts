// List values. Redis 7.0 keeps every list as a quicklist (a linked list of listpack nodes, or
// "plain" nodes for elements of quicklist-packed-threshold bytes and more) and OBJECT ENCODING
// always says "quicklist". Two representations stand behind it here:
//   - compact: one Redis listpack in a latin1 string (store/encodings/listpack.ts), exactly the
//     single node Redis would have, kept while the list fits one node under Redis's rules
//     (_quicklistNodeAllowInsert with the list's fill, from list-max-listpack-size: positive =
//     entries, -1..-5 = 4..64 KB; an element of packed-threshold bytes and more never fits).
//     About 2 bytes of overhead per short element: this is what keeps many small lists small.
//   - big: a StringDeque (store/types/string-deque.ts) once Redis would need a second node: O(1)
//     push and pop at both ends and O(1) index access at any length. It never goes back, as a
//     7.0 quicklist never merges back into one node on its own.
// The node layout Redis would give a big list (for DUMP, RDB and DEBUG OBJECT) is rebuilt on
// demand by nodes(), packing the elements in order with the same rules.

import {
  LP_EMPTY, lpAppend, lpDelete, lpDeleteRange, lpEntryBytes, lpEquals, lpFirst, lpFromArray, lpGet, lpGetDetached, lpInsertAfter,
  lpInsertBefore, lpLast, lpLength, lpNext, lpPrepend, lpPrev, lpReplace, lpSeek, lpWriteElement, type LpElementSink,
} from '../encodings/listpack.js';
import { StringDeque } from './string-deque.js';

/** Which end of a list: Redis's LIST_HEAD (left) and LIST_TAIL (right). */
export const HEAD = 0;
export const TAIL = 1;
export type ListEnd = typeof HEAD | typeof TAIL;

/** Where elements are written without an intermediate array (a ReplyWriter fits). */
export type ElementSink = LpElementSink;

/** quicklist.c's optimization_level: node byte limits for fill -1 .. -5. */
const SIZE_LEVELS = [4096, 8192, 16384, 32768, 65536];
/** SIZE_SAFETY_LIMIT: a count-limited node stops growing past this many bytes. */
const SIZE_SAFETY_LIMIT_BYTES = 8192;
/** SIZE_ESTIMATE_OVERHEAD: what an entry may add beyond its bytes. */
const ENTRY_OVERHEAD_ESTIMATE_BYTES = 8;
/** quicklistSetFill's bounds (FILL_MAX for 16 fill bits, and -5). */
const FILL_MAX = 32767;
const FILL_MIN = -5;
const DEFAULT_PACKED_THRESHOLD_BYTES = 1 << 30;
/** quicklistisSetPackedThreshold refuses anything above 4 GB - 1 MB. */
const MAX_PACKED_THRESHOLD_BYTES = 2 ** 32 - 2 ** 20;

/**
 * Elements of this many bytes or more get a plain node of their own (Redis's packed_threshold,
 * a process-wide setting changed only by DEBUG QUICKLIST-PACKED-THRESHOLD).
 */
let packedThresholdBytes = DEFAULT_PACKED_THRESHOLD_BYTES;

/** DEBUG QUICKLIST-PACKED-THRESHOLD: 0 restores the default; false when out of range. */
export function setPackedThreshold(sizeBytes: number): boolean {
  if (sizeBytes > MAX_PACKED_THRESHOLD_BYTES || sizeBytes < 0) return false;
  packedThresholdBytes = sizeBytes === 0 ? DEFAULT_PACKED_THRESHOLD_BYTES : sizeBytes;
  return true;
}

function isLargeElement(sizeBytes: number): boolean {
  return sizeBytes >= packedThresholdBytes;
}

/** A quicklist's fill from list-max-listpack-size, clamped as quicklistSetFill does. */
export function clampFill(listMaxListpackSize: number): number {
  return Math.max(FILL_MIN, Math.min(FILL_MAX, listMaxListpackSize));
}

/** _quicklistNodeAllowInsert: whether a packed node of `nodeBytes`/`nodeCount` takes one more element. */
function nodeAllowsInsert(nodeBytes: number, nodeCount: number, fill: number, elementBytes: number): boolean {
  if (isLargeElement(elementBytes)) return false;
  const newBytes = nodeBytes + elementBytes + ENTRY_OVERHEAD_ESTIMATE_BYTES;
  if (fill < 0) {
    if (newBytes <= SIZE_LEVELS[-fill - 1]) return true;
  }
  if (newBytes > SIZE_SAFETY_LIMIT_BYTES) return false;
  return nodeCount < fill;
}

/** One node of the quicklist Redis would hold: a listpack, or one raw element (plain). */
export interface QuicklistNode {
  plain: boolean;
  /** The listpack bytes, or the element itself for a plain node. */
  bytes: string;
  count: number;
}

/** Options a quicklist keeps from its creation (DEBUG OBJECT shows them, RDB saving reads the depth). */
const FILL_MASK = 0xffff;
const DEPTH_SHIFT = 16;
/**
 * list-compress-depth as kept per list: Redis caps it at 65535 (16 bits); 15 bits keep the
 * options word a small integer. A depth past 32767 only differs on lists of 65535+ nodes.
 */
const MAX_KEPT_DEPTH = 0x7fff;

export class ListValue {
  /** Access clock (see store/db.ts), kept on the object like Redis's robj lru field. */
  lru = 0;
  /** Bytes the store last counted for this value (store/memory-estimate.ts). */
  memBytes = 0;
  /** A listpack (compact form) or the deque (big form). */
  private data: string | StringDeque;
  /** Fill (16 bits, two's complement) and the compress depth above it, fixed at creation. */
  private readonly options: number;

  /**
   * An empty list with Redis's per-list options from the configuration of the moment:
   * list-max-listpack-size and whether list-compress-depth is set.
   */
  constructor(listMaxListpackSize: number, compressDepth: number, data: string | StringDeque = LP_EMPTY) {
    this.options = (clampFill(listMaxListpackSize) & FILL_MASK) | (Math.min(compressDepth, MAX_KEPT_DEPTH) << DEPTH_SHIFT);
    this.data = data;
  }

  /** TYPE's answer; a prototype getter, so it costs no memory per list. */
  get kind(): 'list' {
    return 'list';
  }

  /** OBJECT ENCODING's name: Redis 7.0 reports every list as a quicklist. */
  encoding(): string {
    return 'quicklist';
  }

  /** The fill this list was created with (quicklist->fill; DEBUG OBJECT's ql_listpack_max). */
  get fill(): number {
    const f = this.options & FILL_MASK;
    return f >= 0x8000 ? f - 0x10000 : f;
  }

  /** Whether list-compress-depth was set when it was created (DEBUG OBJECT's ql_compressed). */
  get compressed(): boolean {
    return this.compressDepth !== 0;
  }

  /** list-compress-depth when it was created: nodes this far from both ends stay uncompressed. */
  get compressDepth(): number {
    return this.options >>> DEPTH_SHIFT;
  }

  /** True while the list is one listpack (the compact form). */
  get isCompact(): boolean {
    return typeof this.data === 'string';
  }

  /** The listpack's byte length while compact, else -1 (memory accounting). */
  get compactBytes(): number {
    const data = this.data;
    return typeof data === 'string' ? data.length : -1;
  }

  /** A deep copy (COPY): a compact list shares its immutable listpack, a big one is copied. */
  clone(): ListValue {
    const data = this.data;
    const fill = this.fill;
    if (typeof data === 'string') return new ListValue(fill, this.compressDepth, data);
    const copy = new StringDeque();
    for (let i = 0; i < data.length; i++) copy.pushTail(data.get(i));
    return new ListValue(fill, this.compressDepth, copy);
  }

  get length(): number {
    const data = this.data;
    return typeof data === 'string' ? lpLength(data) : data.length;
  }

  /** Switches to the big form; elements are copied out so none keeps the listpack alive. */
  private toDeque(): StringDeque {
    const data = this.data;
    if (typeof data !== 'string') return data;
    const deque = new StringDeque();
    for (let off = lpFirst(data); off !== -1; off = lpNext(data, off)) deque.pushTail(lpGetDetached(data, off));
    this.data = deque;
    return deque;
  }

  /** Whether the compact form takes `element` (else Redis would start a second node). */
  private fitsOneMore(lp: string, element: string): boolean {
    return nodeAllowsInsert(lp.length, lpLength(lp), this.fill, element.length);
  }

  push(element: string, where: ListEnd): void {
    let data = this.data;
    if (typeof data === 'string') {
      if (this.fitsOneMore(data, element) || (lpLength(data) === 0 && !isLargeElement(element.length))) {
        this.data = where === HEAD ? lpPrepend(data, element) : lpAppend(data, element);
        return;
      }
      data = this.toDeque();
    }
    if (where === HEAD) data.pushHead(element);
    else data.pushTail(element);
  }

  /**
   * Removes and returns the element at one end; the list must not be empty. From a listpack the
   * text may be a view into it: fine for a reply, use popDetached for an element kept elsewhere.
   */
  pop(where: ListEnd): string {
    const data = this.data;
    if (typeof data !== 'string') return where === HEAD ? data.popHead() : data.popTail();
    const off = where === HEAD ? lpFirst(data) : lpLast(data);
    const element = lpGet(data, off);
    this.data = lpDelete(data, off);
    return element;
  }

  /** pop() for an element that is stored again (LMOVE): shares no memory with this list. */
  popDetached(where: ListEnd): string {
    const data = this.data;
    if (typeof data !== 'string') return where === HEAD ? data.popHead() : data.popTail();
    const off = where === HEAD ? lpFirst(data) : lpLast(data);
    const element = lpGetDetached(data, off);
    this.data = lpDelete(data, off);
    return element;
  }

  /**
   * Pops up to `count` elements from one end into `sink`, in popping order (from the tail: the
   * last element first); returns how many. One listpack rewrite for the whole range.
   */
  popInto(where: ListEnd, count: number, sink: ElementSink): number {
    const data = this.data;
    if (typeof data !== 'string') {
      const n = Math.min(count, data.length);
      for (let i = 0; i < n; i++) sink.bulk(where === HEAD ? data.popHead() : data.popTail());
      return n;
    }
    const length = lpLength(data);
    const n = Math.min(count, length);
    let off = where === HEAD ? lpFirst(data) : lpLast(data);
    for (let i = 0; i < n; i++) {
      lpWriteElement(data, off, sink);
      off = where === HEAD ? lpNext(data, off) : lpPrev(data, off);
    }
    this.data = where === HEAD ? lpDeleteRange(data, 0, n) : lpDeleteRange(data, length - n, n);
    return n;
  }

  /** Element `index` counted from the head, negative from the tail (-1 = last); undefined when out of range. */
  at(index: number): string | undefined {
    const data = this.data;
    if (typeof data === 'string') {
      const off = lpSeek(data, index);
      return off === -1 ? undefined : lpGet(data, off);
    }
    const n = data.length;
    const i = index < 0 ? n + index : index;
    return i < 0 || i >= n ? undefined : data.get(i);
  }

  /**
   * LSET: false when the index is out of range. A listpack takes any replacement but a large
   * element, which Redis puts in a plain node of its own (quicklistReplaceEntry).
   */
  setAt(index: number, element: string): boolean {
    let data = this.data;
    if (typeof data === 'string') {
      const off = lpSeek(data, index);
      if (off === -1) return false;
      if (!isLargeElement(element.length)) {
        this.data = lpReplace(data, off, element);
        return true;
      }
      data = this.toDeque();
    }
    const n = data.length;
    const i = index < 0 ? n + index : index;
    if (i < 0 || i >= n) return false;
    data.set(i, element);
    return true;
  }

  /** LINSERT: puts `element` before or after the first `pivot` from the head; false when there is none. */
  insertAtPivot(pivot: string, element: string, after: boolean): boolean {
    let data = this.data;
    if (typeof data === 'string') {
      let off = lpFirst(data);
      while (off !== -1 && !lpEquals(data, off, pivot)) off = lpNext(data, off);
      if (off === -1) return false;
      if (this.fitsOneMore(data, element)) {
        this.data = after ? lpInsertAfter(data, off, element) : lpInsertBefore(data, off, element);
        return true;
      }
      data = this.toDeque();
    }
    const n = data.length;
    for (let i = 0; i < n; i++) {
      if (data.get(i) !== pivot) continue;
      data.insertAt(after ? i + 1 : i, element);
      return true;
    }
    return false;
  }

  /** LREM: removes up to |count| elements equal to `element` (all with 0; from the tail when negative). */
  removeEqual(element: string, count: number): number {
    const data = this.data;
    const max = Math.abs(count);
    const fromTail = count < 0;
    if (typeof data !== 'string') return data.removeEqual(element, max, fromTail);
    // Matches are found first, then deleted from the highest offset down, so the offsets of the
    // ones still to delete stay valid.
    const offsets: number[] = [];
    let off = fromTail ? lpLast(data) : lpFirst(data);
    while (off !== -1 && (max === 0 || offsets.length < max)) {
      if (lpEquals(data, off, element)) offsets.push(off);
      off = fromTail ? lpPrev(data, off) : lpNext(data, off);
    }
    if (offsets.length === 0) return 0;
    if (!fromTail) offsets.reverse();
    let lp = data;
    for (let i = 0; i < offsets.length; i++) lp = lpDelete(lp, offsets[i]);
    this.data = lp;
    return offsets.length;
  }

  /** Removes `fromHead` elements at the head and `fromTail` at the tail (LTRIM). */
  trim(fromHead: number, fromTail: number): void {
    const data = this.data;
    if (typeof data !== 'string') {
      data.dropHead(fromHead);
      data.dropTail(fromTail);
      return;
    }
    let lp = fromHead > 0 ? lpDeleteRange(data, 0, fromHead) : data;
    if (fromTail > 0) lp = lpDeleteRange(lp, lpLength(lp) - fromTail, fromTail);
    this.data = lp;
  }

  /** Writes `count` elements from `start` on (0 <= start, start + count <= length) to `sink`: LRANGE. */
  writeRange(start: number, count: number, sink: ElementSink): void {
    const data = this.data;
    if (typeof data !== 'string') {
      for (let i = start; i < start + count; i++) sink.bulk(data.get(i));
      return;
    }
    let off = lpSeek(data, start);
    for (let i = 0; i < count && off !== -1; i++) {
      lpWriteElement(data, off, sink);
      off = lpNext(data, off);
    }
  }

  /**
   * A cursor on element `index` (0 <= index < length) walking toward the tail (`forward`) or the
   * head; each next() returns one element, null past the end. Valid until the list changes.
   */
  cursor(index: number, forward: boolean): ListCursor {
    const data = this.data;
    if (typeof data === 'string') return new ListpackCursor(data, lpSeek(data, index), forward);
    return new DequeCursor(data, index, forward);
  }

  /**
   * The quicklist Redis would hold for this list: the listpack itself while compact, else the
   * elements packed in order as successive tail pushes would pack them (plain nodes for large
   * elements). For DUMP/RDB and DEBUG OBJECT.
   */
  nodes(): QuicklistNode[] {
    const data = this.data;
    if (typeof data === 'string') return lpLength(data) === 0 ? [] : [{ plain: false, bytes: data, count: lpLength(data) }];
    const nodes: QuicklistNode[] = [];
    const fill = this.fill;
    let start = 0;
    let nodeBytes = LP_EMPTY.length;
    for (let i = 0; i <= data.length; i++) {
      const element = i < data.length ? data.get(i) : null;
      const large = element !== null && isLargeElement(element.length);
      // The node being filled ends at the end, before a large element, or when full.
      if (i > start && (element === null || large || !nodeAllowsInsert(nodeBytes, i - start, fill, element.length))) {
        const packed: string[] = [];
        for (let j = start; j < i; j++) packed.push(data.get(j));
        nodes.push({ plain: false, bytes: lpFromArray(packed), count: i - start });
        start = i;
        nodeBytes = LP_EMPTY.length;
      }
      if (element === null) break;
      if (large) {
        nodes.push({ plain: true, bytes: element, count: 1 });
        start = i + 1;
        continue;
      }
      nodeBytes += lpEntryBytes(element);
    }
    return nodes;
  }

  /**
   * A list restored from quicklist nodes (RESTORE, RDB loading; listpacks already validated):
   * one packed node is kept as it is, the compact form, as Redis keeps the nodes it loads; more
   * nodes go to the deque.
   */
  static fromNodes(nodes: readonly QuicklistNode[], listMaxListpackSize: number, compressDepth: number): ListValue {
    if (nodes.length === 1 && !nodes[0].plain) return new ListValue(listMaxListpackSize, compressDepth, nodes[0].bytes);
    const deque = new StringDeque();
    for (const node of nodes) {
      if (node.plain) {
        deque.pushTail(node.bytes);
        continue;
      }
      const lp = node.bytes;
      for (let off = lpFirst(lp); off !== -1; off = lpNext(lp, off)) deque.pushTail(lpGetDetached(lp, off));
    }
    return new ListValue(listMaxListpackSize, compressDepth, deque.length === 0 ? LP_EMPTY : deque);
  }

  /**
   * A list restored from elements (RESTORE, RDB loading), compact when Redis's pushes would keep
   * them in one node.
   */
  static fromElements(elements: readonly string[], listMaxListpackSize: number, compressDepth: number): ListValue {
    const list = new ListValue(listMaxListpackSize, compressDepth);
    for (let i = 0; i < elements.length; i++) list.push(elements[i], TAIL);
    return list;
  }
}

/** Walks a list one element at a time (see ListValue.cursor). */
export interface ListCursor {
  next(): string | null;
}

class ListpackCursor implements ListCursor {
  constructor(private readonly lp: string, private off: number, private readonly forward: boolean) {}

  next(): string | null {
    const off = this.off;
    if (off === -1) return null;
    this.off = this.forward ? lpNext(this.lp, off) : lpPrev(this.lp, off);
    return lpGet(this.lp, off);
  }
}

class DequeCursor implements ListCursor {
  constructor(private readonly items: StringDeque, private index: number, private readonly forward: boolean) {}

  next(): string | null {
    const i = this.index;
    if (i < 0 || i >= this.items.length) return null;
    this.index = this.forward ? i + 1 : i - 1;
    return this.items.get(i);
  }
}
