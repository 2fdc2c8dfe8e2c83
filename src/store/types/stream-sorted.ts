// An ordered collection of items keyed by stream ID, for the stream's nodes (keyed by their
// master ID, Redis's rax of listpacks) and for pending-entry lists (keyed by entry ID). Items
// sit in blocks of at most BLOCK_ITEMS, found by binary search over the blocks' first items
// and then within a block, so lookups are O(log n) and an insertion or removal moves at most
// one block's items plus, when a block is created or emptied, the list of blocks (n / 128 slots).

import { compareParts, type StreamId } from './stream-id.js';

/** What an item exposes: its key, as the four 32-bit halves of an ID. */
export interface IdKeyed {
  msHi: number;
  msLo: number;
  seqHi: number;
  seqLo: number;
}

/** Items per block: big enough for short block lists, small enough for cheap splices. */
const BLOCK_ITEMS = 128;

/** A position in a SortedIds (valid until the collection changes). */
export class IdCursor {
  block = 0;
  index = 0;
}

function compareItem(item: IdKeyed, id: StreamId): number {
  return compareParts(item.msHi, item.msLo, item.seqHi, item.seqLo, id.msHi, id.msLo, id.seqHi, id.seqLo);
}

export class SortedIds<T extends IdKeyed> {
  private blocks: T[][] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  first(): T | undefined {
    return this.blocks.length === 0 ? undefined : this.blocks[0][0];
  }

  last(): T | undefined {
    const blocks = this.blocks;
    if (blocks.length === 0) return undefined;
    const block = blocks[blocks.length - 1];
    return block[block.length - 1];
  }

  /** Adds an item whose key is greater than every key present (the common append). */
  push(item: T): void {
    const blocks = this.blocks;
    const lastBlock = blocks.length === 0 ? null : blocks[blocks.length - 1];
    if (lastBlock === null || lastBlock.length >= BLOCK_ITEMS) blocks.push([item]);
    else lastBlock.push(item);
    this.count++;
  }

  /** Adds an item at its place; the key must not be present already. */
  insert(item: T, key: StreamId): void {
    const last = this.last();
    if (last === undefined || compareItem(last, key) < 0) {
      this.push(item);
      return;
    }
    const b = this.blockFor(key);
    const block = this.blocks[b];
    const i = lowerBound(block, key);
    block.splice(i, 0, item);
    this.count++;
    if (block.length > BLOCK_ITEMS * 2) {
      // Keep blocks bounded when inserts land in the middle (rare: PEL reassignments by FORCE).
      this.blocks.splice(b + 1, 0, block.splice(BLOCK_ITEMS));
    }
  }

  /** The item with exactly this key. */
  get(key: StreamId): T | undefined {
    if (this.count === 0) return undefined;
    const block = this.blocks[this.blockFor(key)];
    const i = lowerBound(block, key);
    return i < block.length && compareItem(block[i], key) === 0 ? block[i] : undefined;
  }

  /** Removes the item with this key; returns it, or undefined when absent. */
  remove(key: StreamId): T | undefined {
    if (this.count === 0) return undefined;
    const b = this.blockFor(key);
    const block = this.blocks[b];
    const i = lowerBound(block, key);
    if (i >= block.length || compareItem(block[i], key) !== 0) return undefined;
    const item = block[i];
    this.removeAt(b, i);
    return item;
  }

  /** Removes the item under the cursor; the cursor then points at the following item. */
  removeAtCursor(cursor: IdCursor): void {
    const blockCount = this.blocks.length;
    this.removeAt(cursor.block, cursor.index);
    if (this.blocks.length < blockCount) cursor.index = 0;
    else if (cursor.index >= this.blocks[cursor.block].length) {
      cursor.block++;
      cursor.index = 0;
    }
  }

  private removeAt(b: number, i: number): void {
    const block = this.blocks[b];
    if (i === 0 && block.length > 1) block.shift();
    else block.splice(i, 1);
    this.count--;
    if (block.length === 0) this.blocks.splice(b, 1);
  }

  clear(): void {
    this.blocks = [];
    this.count = 0;
  }

  // -------------------------------------------------------------------------------- cursors

  /** Positions the cursor on the first item; returns it. */
  seekFirst(cursor: IdCursor): T | undefined {
    cursor.block = 0;
    cursor.index = 0;
    return this.at(cursor);
  }

  /** Positions the cursor on the last item; returns it. */
  seekLast(cursor: IdCursor): T | undefined {
    const blocks = this.blocks;
    if (blocks.length === 0) {
      cursor.block = 0;
      cursor.index = 0;
      return undefined;
    }
    cursor.block = blocks.length - 1;
    cursor.index = blocks[cursor.block].length - 1;
    return this.at(cursor);
  }

  /** Positions the cursor on the first item with a key >= `key`; returns it (undefined past the end). */
  seekCeil(key: StreamId, cursor: IdCursor): T | undefined {
    if (this.count === 0) {
      cursor.block = 0;
      cursor.index = 0;
      return undefined;
    }
    const b = this.blockFor(key);
    cursor.block = b;
    cursor.index = lowerBound(this.blocks[b], key);
    if (cursor.index >= this.blocks[b].length) {
      cursor.block++;
      cursor.index = 0;
    }
    return this.at(cursor);
  }

  /** Positions the cursor on the last item with a key <= `key`; returns it (undefined when none). */
  seekFloor(key: StreamId, cursor: IdCursor): T | undefined {
    if (this.count === 0) {
      cursor.block = -1;
      cursor.index = 0;
      return undefined;
    }
    const b = this.blockFor(key);
    const block = this.blocks[b];
    let i = lowerBound(block, key);
    if (i < block.length && compareItem(block[i], key) === 0) {
      cursor.block = b;
      cursor.index = i;
      return block[i];
    }
    i--;
    if (i < 0) {
      // blockFor picks block 0 for keys below every item: nothing is <= key.
      cursor.block = -1;
      cursor.index = 0;
      return undefined;
    }
    cursor.block = b;
    cursor.index = i;
    return block[i];
  }

  /** The item under the cursor (undefined when it is past either end). */
  at(cursor: IdCursor): T | undefined {
    const block = cursor.block >= 0 ? this.blocks[cursor.block] : undefined;
    return block === undefined ? undefined : block[cursor.index];
  }

  /** Moves to the next item; returns it. */
  next(cursor: IdCursor): T | undefined {
    const block = this.blocks[cursor.block];
    if (block === undefined) return undefined;
    if (++cursor.index >= block.length) {
      cursor.block++;
      cursor.index = 0;
    }
    return this.at(cursor);
  }

  /** Moves to the previous item; returns it. */
  prev(cursor: IdCursor): T | undefined {
    if (cursor.block < 0) return undefined;
    if (--cursor.index < 0) {
      cursor.block--;
      if (cursor.block < 0) return undefined;
      cursor.index = this.blocks[cursor.block].length - 1;
    }
    return this.at(cursor);
  }

  /** Every item in key order (whole-value work: copies, serialization, counting). */
  *[Symbol.iterator](): IterableIterator<T> {
    for (const block of this.blocks) yield* block;
  }

  /** The block whose range holds `key`: the last block whose first item is <= key (or 0). */
  private blockFor(key: StreamId): number {
    const blocks = this.blocks;
    let lo = 0;
    let hi = blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (compareItem(blocks[mid][0], key) <= 0) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}

/** Index of the first item of `block` whose key is >= key (block.length when none). */
function lowerBound<T extends IdKeyed>(block: T[], key: StreamId): number {
  let lo = 0;
  let hi = block.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareItem(block[mid], key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
