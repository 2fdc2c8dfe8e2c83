// The big sorted-set encoding (Redis's "skiplist": a skiplist plus a dict). Here: a treap with
// subtree sizes (an order-statistic tree) ordered by (score, member), plus a Map member -> node.
// Every operation that Redis's skiplist does in O(log n) (insert, delete, rank, element at a
// rank, first/last in a score or lex range) is O(log n) expected here too, and walking to the
// next or previous element is O(1) amortized.
//
// Memory: nodes are small integers indexing one buffer of 32-byte records (score, links, hash),
// so a member costs its string, 8 bytes of member pointer, 32 of node and 5-11 of index slots,
// instead of a JS object and a Map entry per member. Node 0 is the nil
// sentinel (size 0), so links need no null checks; freed nodes are chained through their parent
// link and reused.

const NIL = 0;
const INITIAL_CAPACITY = 16;
/** Typed arrays hold Int32 node ids: a sorted set never has 2^31 members (V8's Map stops at 2^24). */
const MAX_CAPACITY = 2 ** 31 - 1;

export interface ScoreRange {
  min: number;
  max: number;
  /** Exclusive bounds ("(" in the argument). */
  minExclusive: boolean;
  maxExclusive: boolean;
}

/**
 * A lex range. A bound is a string, or "-" / "+" (the least and the greatest string, Redis's
 * shared minstring and maxstring), which `minInf` / `maxInf` mark as -1 / +1 (0 for a string).
 */
export interface LexRange {
  min: string;
  max: string;
  minInf: number;
  maxInf: number;
  minExclusive: boolean;
  maxExclusive: boolean;
}

export function scoreGteMin(score: number, range: ScoreRange): boolean {
  return range.minExclusive ? score > range.min : score >= range.min;
}

export function scoreLteMax(score: number, range: ScoreRange): boolean {
  return range.maxExclusive ? score < range.max : score <= range.max;
}

export function lexGteMin(member: string, range: LexRange): boolean {
  if (range.minInf !== 0) return range.minInf < 0;
  return range.minExclusive ? member > range.min : member >= range.min;
}

export function lexLteMax(member: string, range: LexRange): boolean {
  if (range.maxInf !== 0) return range.maxInf > 0;
  return range.maxExclusive ? member < range.max : member <= range.max;
}

/** Ranges that can hold nothing whatever the set (zslIsInRange's first test). */
export function scoreRangeIsEmpty(range: ScoreRange): boolean {
  return range.min > range.max || (range.min === range.max && (range.minExclusive || range.maxExclusive));
}

/** sdscmplex(min, max) > 0, or equal bounds with one exclusive. */
export function lexRangeIsEmpty(range: LexRange): boolean {
  let cmp: number;
  if (range.minInf !== 0 && range.minInf === range.maxInf) cmp = 0;
  else if (range.minInf < 0 || range.maxInf > 0) cmp = -1;
  else if (range.minInf > 0 || range.maxInf < 0) cmp = 1;
  else cmp = range.min < range.max ? -1 : range.min > range.max ? 1 : 0;
  return cmp > 0 || (cmp === 0 && (range.minExclusive || range.maxExclusive));
}

/**
 * A member's hash: FNV-1a over its bytes with a final avalanche (the index uses the low bits), as
 * a signed int32 (what the node record holds).
 */
export function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}

/** Each node is 32 bytes of one buffer: its score (float64), five int32 links, its member's hash. */
const NODE_BYTES = 32;
/** A node's int32 slots start here (in int32 units from the node's start). */
const I_LEFT = 2;
const I_RIGHT = 3;
const I_PARENT = 4;
const I_SIZE = 5;
const I_PRIORITY = 6;
/** The member's hash (the member index's probe start), kept so the index never rehashes text. */
const I_HASH = 7;
/** The member index stays at most 3/4 full, and is halved below 1/8 (down to its first size). */
const INDEX_MIN_SLOTS = 16;
/** Int32 and float64 slots per node. */
const INTS = NODE_BYTES / 4;
const FLOATS = NODE_BYTES / 8;

export class ZsetTree {
  private members: Array<string | undefined> = [undefined];
  /**
   * member -> node: an open-addressing table of node ids (0 = empty), linear probing, deletion
   * by backward shift. 4 bytes a slot where a V8 Map costs about 29 bytes an entry.
   */
  private slots = new Int32Array(INDEX_MIN_SLOTS);
  private slotMask = INDEX_MIN_SLOTS - 1;
  private indexed = 0;
  /**
   * The nodes, one 32-byte record each (array of structs, not parallel arrays): walking the tree
   * touches one cache line per node instead of one per field, which at a million members is
   * most of an insert's cost. Read through two views of the same buffer.
   */
  private ints = new Int32Array(INITIAL_CAPACITY * INTS);
  private floats = new Float64Array(this.ints.buffer);
  private root = NIL;
  /** Ids below this have been handed out at least once. */
  private highWater = 1;
  /** First free id (freed ids chain through the parent link), NIL when none. */
  private freeHead = NIL;

  get length(): number {
    return this.ints[this.root * INTS + I_SIZE];
  }

  /** The node holding `member`, NIL (0) when absent. */
  find(member: string): number {
    const hash = hashText(member);
    const slots = this.slots;
    const mask = this.slotMask;
    const I = this.ints;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const node = slots[i];
      if (node === NIL) return NIL;
      if (I[node * INTS + I_HASH] === hash && this.members[node] === member) return node;
    }
  }

  /** Ids of live nodes lie in [1, highWater); a free id has no member (ZSCAN walks ids). */
  get idLimit(): number {
    return this.highWater;
  }

  /** The member of node id `node`, undefined for a free id. */
  memberOfId(node: number): string | undefined {
    return this.members[node];
  }

  private indexAdd(node: number): void {
    if ((this.indexed + 1) * 4 > this.slots.length * 3) this.resizeIndex(this.slots.length * 2);
    const slots = this.slots;
    const mask = this.slotMask;
    let i = this.ints[node * INTS + I_HASH] & mask;
    while (slots[i] !== NIL) i = (i + 1) & mask;
    slots[i] = node;
    this.indexed++;
  }

  private indexRemove(node: number): void {
    const slots = this.slots;
    const mask = this.slotMask;
    const I = this.ints;
    let hole = I[node * INTS + I_HASH] & mask;
    while (slots[hole] !== node) hole = (hole + 1) & mask;
    // Backward shift: pull later entries of the probe run into the hole when their home allows.
    for (let j = (hole + 1) & mask; slots[j] !== NIL; j = (j + 1) & mask) {
      const home = I[slots[j] * INTS + I_HASH] & mask;
      const reachable = hole <= j ? home <= hole || home > j : home <= hole && home > j;
      if (reachable) {
        slots[hole] = slots[j];
        hole = j;
      }
    }
    slots[hole] = NIL;
    this.indexed--;
    if (this.slots.length > INDEX_MIN_SLOTS && this.indexed * 8 < this.slots.length) this.resizeIndex(this.slots.length / 2);
  }

  private resizeIndex(size: number): void {
    const old = this.slots;
    const slots = new Int32Array(size);
    const mask = size - 1;
    const I = this.ints;
    for (let k = 0; k < old.length; k++) {
      const node = old[k];
      if (node === NIL) continue;
      let i = I[node * INTS + I_HASH] & mask;
      while (slots[i] !== NIL) i = (i + 1) & mask;
      slots[i] = node;
    }
    this.slots = slots;
    this.slotMask = mask;
  }

  member(node: number): string {
    return this.members[node] as string;
  }

  score(node: number): number {
    return this.floats[node * FLOATS];
  }

  private left(node: number): number {
    return this.ints[node * INTS + I_LEFT];
  }

  private right(node: number): number {
    return this.ints[node * INTS + I_RIGHT];
  }

  private parentOf(node: number): number {
    return this.ints[node * INTS + I_PARENT];
  }

  private sizeOf(node: number): number {
    return this.ints[node * INTS + I_SIZE];
  }

  // ------------------------------------------------------------------------ insert / delete

  /** Adds a member that is not present yet; returns its node. */
  insert(member: string, score: number): number {
    const node = this.allocate();
    this.members[node] = member;
    this.floats[node * FLOATS] = score;
    this.ints[node * INTS + I_PRIORITY] = (Math.random() * 0x7fffffff) | 0;
    this.ints[node * INTS + I_HASH] = hashText(member);
    this.indexAdd(node);
    this.link(node);
    return node;
  }

  /** Removes the member at `node`. */
  remove(node: number): void {
    this.unlink(node);
    this.indexRemove(node);
    this.members[node] = undefined;
    this.ints[node * INTS + I_PARENT] = this.freeHead;
    this.freeHead = node;
  }

  /** Changes the score of the member at `node`, moving it only when its place changes. */
  updateScore(node: number, score: number): void {
    const member = this.members[node] as string;
    const prev = this.prev(node);
    const next = this.next(node);
    // zslUpdateScore's shortcut: still between its neighbours, the node stays where it is.
    if ((prev === NIL || this.less(prev, score, member)) && (next === NIL || this.greater(next, score, member))) {
      this.floats[node * FLOATS] = score;
      return;
    }
    this.unlink(node);
    this.floats[node * FLOATS] = score;
    this.link(node);
  }

  /** True when the node's key is below (score, member). */
  private less(node: number, score: number, member: string): boolean {
    const s = this.floats[node * FLOATS];
    return s < score || (s === score && (this.members[node] as string) < member);
  }

  private greater(node: number, score: number, member: string): boolean {
    const s = this.floats[node * FLOATS];
    return s > score || (s === score && (this.members[node] as string) > member);
  }

  private allocate(): number {
    if (this.freeHead !== NIL) {
      const node = this.freeHead;
      this.freeHead = this.ints[node * INTS + I_PARENT];
      return node;
    }
    if (this.highWater * INTS === this.ints.length) this.grow();
    const node = this.highWater++;
    this.members.push(undefined);
    return node;
  }

  private grow(): void {
    const capacity = Math.min(MAX_CAPACITY, (this.ints.length / INTS) * 2);
    if (capacity * INTS === this.ints.length) throw new RangeError('sorted set too large');
    const ints = new Int32Array(capacity * INTS);
    ints.set(this.ints);
    this.ints = ints;
    this.floats = new Float64Array(ints.buffer);
  }

  /** Puts a detached node (score and member set) in its place. */
  private link(node: number): void {
    const I = this.ints;
    const base = node * INTS;
    I[base + I_LEFT] = NIL;
    I[base + I_RIGHT] = NIL;
    I[base + I_SIZE] = 1;
    if (this.root === NIL) {
      this.root = node;
      I[base + I_PARENT] = NIL;
      return;
    }
    const score = this.floats[node * FLOATS];
    const member = this.members[node] as string;
    let x = this.root;
    for (;;) {
      const xb = x * INTS;
      I[xb + I_SIZE]++;
      if (this.greater(x, score, member)) {
        const l = I[xb + I_LEFT];
        if (l === NIL) {
          I[xb + I_LEFT] = node;
          break;
        }
        x = l;
      } else {
        const r = I[xb + I_RIGHT];
        if (r === NIL) {
          I[xb + I_RIGHT] = node;
          break;
        }
        x = r;
      }
    }
    I[base + I_PARENT] = x;
    const priority = I[base + I_PRIORITY];
    for (let p = x; p !== NIL && priority > I[p * INTS + I_PRIORITY]; p = I[base + I_PARENT]) this.rotateUp(node);
  }

  /** Takes a node out of the tree (it keeps its id, member and score). */
  private unlink(node: number): void {
    const I = this.ints;
    const base = node * INTS;
    // Rotate the node down until it is a leaf, then cut it off.
    for (;;) {
      const l = I[base + I_LEFT];
      const r = I[base + I_RIGHT];
      if (l === NIL && r === NIL) break;
      const child = l === NIL ? r : r === NIL ? l : I[l * INTS + I_PRIORITY] > I[r * INTS + I_PRIORITY] ? l : r;
      this.rotateUp(child);
    }
    const p = I[base + I_PARENT];
    if (p === NIL) this.root = NIL;
    else if (I[p * INTS + I_LEFT] === node) I[p * INTS + I_LEFT] = NIL;
    else I[p * INTS + I_RIGHT] = NIL;
    for (let x = p; x !== NIL; x = I[x * INTS + I_PARENT]) I[x * INTS + I_SIZE]--;
  }

  /** Rotates `x` above its parent, keeping the in-order sequence and the subtree sizes. */
  private rotateUp(x: number): void {
    const I = this.ints;
    const xb = x * INTS;
    const p = I[xb + I_PARENT];
    const pb = p * INTS;
    const g = I[pb + I_PARENT];
    if (I[pb + I_LEFT] === x) {
      const b = I[xb + I_RIGHT];
      I[pb + I_LEFT] = b;
      if (b !== NIL) I[b * INTS + I_PARENT] = p;
      I[xb + I_RIGHT] = p;
    } else {
      const b = I[xb + I_LEFT];
      I[pb + I_RIGHT] = b;
      if (b !== NIL) I[b * INTS + I_PARENT] = p;
      I[xb + I_LEFT] = p;
    }
    I[pb + I_PARENT] = x;
    I[xb + I_PARENT] = g;
    if (g === NIL) this.root = x;
    else if (I[g * INTS + I_LEFT] === p) I[g * INTS + I_LEFT] = x;
    else I[g * INTS + I_RIGHT] = x;
    I[pb + I_SIZE] = 1 + I[I[pb + I_LEFT] * INTS + I_SIZE] + I[I[pb + I_RIGHT] * INTS + I_SIZE];
    I[xb + I_SIZE] = 1 + I[I[xb + I_LEFT] * INTS + I_SIZE] + I[I[xb + I_RIGHT] * INTS + I_SIZE];
  }

  // ------------------------------------------------------------------------------ ordering

  first(): number {
    let x = this.root;
    if (x === NIL) return NIL;
    while (this.left(x) !== NIL) x = this.left(x);
    return x;
  }

  last(): number {
    let x = this.root;
    if (x === NIL) return NIL;
    while (this.right(x) !== NIL) x = this.right(x);
    return x;
  }

  next(node: number): number {
    let x = this.right(node);
    if (x !== NIL) {
      while (this.left(x) !== NIL) x = this.left(x);
      return x;
    }
    x = node;
    let p = this.parentOf(x);
    while (p !== NIL && this.right(p) === x) {
      x = p;
      p = this.parentOf(x);
    }
    return p;
  }

  prev(node: number): number {
    let x = this.left(node);
    if (x !== NIL) {
      while (this.right(x) !== NIL) x = this.right(x);
      return x;
    }
    x = node;
    let p = this.parentOf(x);
    while (p !== NIL && this.left(p) === x) {
      x = p;
      p = this.parentOf(x);
    }
    return p;
  }

  /** 0-based rank of a node. */
  rank(node: number): number {
    let r = this.sizeOf(this.left(node));
    let x = node;
    for (let p = this.parentOf(x); p !== NIL; p = this.parentOf(x)) {
      if (this.right(p) === x) r += this.sizeOf(this.left(p)) + 1;
      x = p;
    }
    return r;
  }

  /** The node at a 0-based rank (which must be < length). */
  at(rank: number): number {
    let x = this.root;
    let k = rank;
    while (x !== NIL) {
      const l = this.sizeOf(this.left(x));
      if (k < l) {
        x = this.left(x);
      } else if (k === l) {
        return x;
      } else {
        k -= l + 1;
        x = this.right(x);
      }
    }
    return NIL;
  }

  /** First node with a score >= min (> min when exclusive) and within max; NIL when none. */
  firstInScoreRange(range: ScoreRange): number {
    if (scoreRangeIsEmpty(range)) return NIL;
    let x = this.root;
    let best = NIL;
    while (x !== NIL) {
      if (scoreGteMin(this.score(x), range)) {
        best = x;
        x = this.left(x);
      } else {
        x = this.right(x);
      }
    }
    return best !== NIL && scoreLteMax(this.score(best), range) ? best : NIL;
  }

  lastInScoreRange(range: ScoreRange): number {
    if (scoreRangeIsEmpty(range)) return NIL;
    let x = this.root;
    let best = NIL;
    while (x !== NIL) {
      if (scoreLteMax(this.score(x), range)) {
        best = x;
        x = this.right(x);
      } else {
        x = this.left(x);
      }
    }
    return best !== NIL && scoreGteMin(this.score(best), range) ? best : NIL;
  }

  firstInLexRange(range: LexRange): number {
    if (lexRangeIsEmpty(range)) return NIL;
    let x = this.root;
    let best = NIL;
    while (x !== NIL) {
      if (lexGteMin(this.members[x] as string, range)) {
        best = x;
        x = this.left(x);
      } else {
        x = this.right(x);
      }
    }
    return best !== NIL && lexLteMax(this.members[best] as string, range) ? best : NIL;
  }

  lastInLexRange(range: LexRange): number {
    if (lexRangeIsEmpty(range)) return NIL;
    let x = this.root;
    let best = NIL;
    while (x !== NIL) {
      if (lexLteMax(this.members[x] as string, range)) {
        best = x;
        x = this.right(x);
      } else {
        x = this.left(x);
      }
    }
    return best !== NIL && lexGteMin(this.members[best] as string, range) ? best : NIL;
  }

  /** Checks every invariant (tests): order, sizes, parent links, heap order, index. */
  verify(): void {
    const I = this.ints;
    const seen = new Set<number>();
    const walk = (x: number, p: number): number => {
      if (x === NIL) return 0;
      if (seen.has(x)) throw new Error(`node ${x} reached twice`);
      seen.add(x);
      if (this.parentOf(x) !== p) throw new Error(`node ${x}: parent ${this.parentOf(x)}, expected ${p}`);
      const l = this.left(x);
      const r = this.right(x);
      const priority = I[x * INTS + I_PRIORITY];
      if (l !== NIL && I[l * INTS + I_PRIORITY] > priority) throw new Error(`heap order broken at ${x}`);
      if (r !== NIL && I[r * INTS + I_PRIORITY] > priority) throw new Error(`heap order broken at ${x}`);
      const n = 1 + walk(l, x) + walk(r, x);
      if (this.sizeOf(x) !== n) throw new Error(`node ${x}: size ${this.sizeOf(x)}, expected ${n}`);
      return n;
    };
    if (this.sizeOf(NIL) !== 0) throw new Error('the nil node has a size');
    const total = walk(this.root, NIL);
    if (total !== this.indexed) throw new Error(`tree holds ${total}, index ${this.indexed}`);
    let slotted = 0;
    for (let i = 0; i < this.slots.length; i++) if (this.slots[i] !== NIL) slotted++;
    if (slotted !== total) throw new Error(`index slots hold ${slotted}, tree ${total}`);
    let prev = NIL;
    for (let x = this.first(); x !== NIL; x = this.next(x)) {
      if (prev !== NIL && !this.less(prev, this.score(x), this.members[x] as string)) throw new Error('order broken');
      if (this.find(this.members[x] as string) !== x) throw new Error('index disagrees');
      prev = x;
    }
  }
}
