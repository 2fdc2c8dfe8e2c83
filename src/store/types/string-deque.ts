// A deque of strings for big lists: O(1) push and pop at both ends and O(1) access by index at
// any length, with no copying of the whole sequence as it grows.
//
// Elements live in fixed-size chunks (arrays of CHUNK_SLOTS strings); a ring of chunk slots
// (`dir`) holds the chunks in order. Every chunk between the first and the last is full, so
// element i sits at global slot `head + i`: chunk (head + i) >> CHUNK_BITS, slot (head + i) &
// CHUNK_MASK. Growing at either end adds a chunk at that end of the ring (the ring doubles when
// full, copying chunk references only); emptying an end chunk drops it. Inserting or removing
// in the middle shifts the shorter side by one, O(min(i, n - i)), as a memmove would.
// Vacated slots are set to "" so no removed element stays reachable.

const CHUNK_BITS = 7;
const CHUNK_SLOTS = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK_SLOTS - 1;
const INITIAL_DIR_SLOTS = 4;

function newChunk(): string[] {
  return new Array<string>(CHUNK_SLOTS).fill('');
}

export class StringDeque {
  /** Ring of chunks; `dir[(first + c) & dirMask]` is chunk c for c < chunkCount. */
  private dir: string[][];
  private dirMask: number;
  private first = 0;
  private chunkCount = 1;
  /** Slot of element 0 inside the first chunk. */
  private head = 0;
  length = 0;
  /** One chunk kept back when an end chunk empties: push/pop across a boundary allocates nothing. */
  private spare: string[] | null = null;

  constructor() {
    this.dir = new Array<string[]>(INITIAL_DIR_SLOTS);
    this.dirMask = INITIAL_DIR_SLOTS - 1;
    this.dir[0] = newChunk();
  }

  /** A deque holding `elements` in order. */
  static from(elements: readonly string[]): StringDeque {
    const deque = new StringDeque();
    for (let i = 0; i < elements.length; i++) deque.pushTail(elements[i]);
    return deque;
  }

  private chunk(c: number): string[] {
    return this.dir[(this.first + c) & this.dirMask];
  }

  private takeChunk(): string[] {
    const spare = this.spare;
    if (spare === null) return newChunk();
    this.spare = null;
    return spare;
  }

  /** Doubles the ring when every slot holds a chunk, keeping the chunks in order from 0. */
  private growDir(): void {
    const oldSize = this.dirMask + 1;
    if (this.chunkCount < oldSize) return;
    const dir = new Array<string[]>(oldSize * 2);
    for (let c = 0; c < this.chunkCount; c++) dir[c] = this.chunk(c);
    this.dir = dir;
    this.dirMask = oldSize * 2 - 1;
    this.first = 0;
  }

  /** Element `index` (0 <= index < length). */
  get(index: number): string {
    const g = this.head + index;
    return this.dir[(this.first + (g >>> CHUNK_BITS)) & this.dirMask][g & CHUNK_MASK];
  }

  /** Replaces element `index` (0 <= index < length). */
  set(index: number, value: string): void {
    const g = this.head + index;
    this.dir[(this.first + (g >>> CHUNK_BITS)) & this.dirMask][g & CHUNK_MASK] = value;
  }

  pushTail(value: string): void {
    const g = this.head + this.length;
    const c = g >>> CHUNK_BITS;
    if (c === this.chunkCount) {
      this.growDir();
      this.dir[(this.first + c) & this.dirMask] = this.takeChunk();
      this.chunkCount++;
    }
    this.chunk(c)[g & CHUNK_MASK] = value;
    this.length++;
  }

  pushHead(value: string): void {
    if (this.head === 0) {
      this.growDir();
      this.first = (this.first - 1) & this.dirMask;
      this.dir[this.first] = this.takeChunk();
      this.chunkCount++;
      this.head = CHUNK_SLOTS;
    }
    this.head--;
    this.dir[this.first][this.head] = value;
    this.length++;
  }

  /** Removes and returns element 0 (the deque must not be empty). */
  popHead(): string {
    const chunk = this.dir[this.first];
    const value = chunk[this.head];
    chunk[this.head] = '';
    this.head++;
    this.length--;
    if (this.length === 0) {
      this.head = 0;
    } else if (this.head === CHUNK_SLOTS) {
      this.spare = chunk;
      this.first = (this.first + 1) & this.dirMask;
      this.chunkCount--;
      this.head = 0;
    }
    return value;
  }

  /** Removes and returns the last element (the deque must not be empty). */
  popTail(): string {
    const g = this.head + this.length - 1;
    const c = g >>> CHUNK_BITS;
    const chunk = this.chunk(c);
    const value = chunk[g & CHUNK_MASK];
    chunk[g & CHUNK_MASK] = '';
    this.length--;
    if (this.length === 0) {
      this.dropChunksAfter(0);
      this.head = 0;
    } else if ((g & CHUNK_MASK) === 0) {
      this.dropChunksAfter(c - 1);
    }
    return value;
  }

  /** Drops every chunk after chunk `last` (keeping one back as the spare). */
  private dropChunksAfter(last: number): void {
    while (this.chunkCount - 1 > last) {
      const at = (this.first + this.chunkCount - 1) & this.dirMask;
      this.spare = this.dir[at];
      this.chunkCount--;
    }
  }

  /** Inserts `value` so that it becomes element `index` (0 <= index <= length). */
  insertAt(index: number, value: string): void {
    const n = this.length;
    if (index < n - index) {
      // Shift the front part one slot toward the head.
      this.pushHead('');
      for (let i = 0; i < index; i++) this.set(i, this.get(i + 1));
    } else {
      this.pushTail('');
      for (let i = n; i > index; i--) this.set(i, this.get(i - 1));
    }
    this.set(index, value);
  }

  /** Removes element `index` (0 <= index < length). */
  removeAt(index: number): void {
    const n = this.length;
    if (index < n - 1 - index) {
      for (let i = index; i > 0; i--) this.set(i, this.get(i - 1));
      this.popHead();
    } else {
      for (let i = index; i < n - 1; i++) this.set(i, this.get(i + 1));
      this.popTail();
    }
  }

  /** Removes the first `count` elements (count <= length). */
  dropHead(count: number): void {
    for (let i = 0; i < count; i++) this.popHead();
  }

  /** Removes the last `count` elements (count <= length). */
  dropTail(count: number): void {
    for (let i = 0; i < count; i++) this.popTail();
  }

  /**
   * Removes elements equal to `element` (LREM): up to `max` of them (0 = all), the first ones
   * from the head, or from the tail with `fromTail`. One pass that closes the gaps; returns how
   * many were removed.
   */
  removeEqual(element: string, max: number, fromTail: boolean): number {
    const n = this.length;
    let removed = 0;
    if (!fromTail) {
      let w = 0;
      for (let r = 0; r < n; r++) {
        const v = this.get(r);
        if (v === element && (max === 0 || removed < max)) removed++;
        else if (w++ !== r) this.set(w - 1, v);
      }
      this.dropTail(removed);
    } else {
      let w = n - 1;
      for (let r = n - 1; r >= 0; r--) {
        const v = this.get(r);
        if (v === element && (max === 0 || removed < max)) removed++;
        else if (w-- !== r) this.set(w + 1, v);
      }
      this.dropHead(removed);
    }
    return removed;
  }
}
