// The big sorted-set encoding (Redis's "skiplist": a skiplist plus a dict). Here: a treap with
// subtree sizes (an order-statistic tree) ordered by (score, member), plus a Map member -> node.
// Every operation that Redis's skiplist does in O(log n) (insert, delete, rank, element at a
// rank, first/last in a score or lex range) is O(log n) expected here too, and walking to the
// next or previous element is O(1) amortized.
//
// Memory: nodes are small integers indexing parallel typed arrays (struct of arrays), so a
// member costs its string, one Map entry (node ids are small integers, never boxed), 8 bytes of
// score, 8 of member pointer and 20 of tree links, instead of a JS object per member. Node 0 is
// the nil sentinel (size 0), so links need no null checks; freed nodes are chained through
// `parent` and reused.

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

export class ZsetTree {
  /** member -> node id. */
  readonly index = new Map<string, number>();
  private members: Array<string | undefined> = [undefined];
  private scores = new Float64Array(INITIAL_CAPACITY);
  private left = new Int32Array(INITIAL_CAPACITY);
  private right = new Int32Array(INITIAL_CAPACITY);
  private parent = new Int32Array(INITIAL_CAPACITY);
  private size = new Int32Array(INITIAL_CAPACITY);
  /** Heap priorities (random), which keep the expected depth logarithmic. */
  private priority = new Int32Array(INITIAL_CAPACITY);
  private root = NIL;
  /** Ids below this have been handed out at least once. */
  private highWater = 1;
  /** First free id (freed ids chain through `parent`), NIL when none. */
  private freeHead = NIL;

  get length(): number {
    return this.size[this.root];
  }

  /** The node holding `member`, NIL (0) when absent. */
  find(member: string): number {
    return this.index.get(member) ?? NIL;
  }

  member(node: number): string {
    return this.members[node] as string;
  }

  score(node: number): number {
    return this.scores[node];
  }

  // ------------------------------------------------------------------------ insert / delete

  /** Adds a member that is not present yet; returns its node. */
  insert(member: string, score: number): number {
    const node = this.allocate();
    this.members[node] = member;
    this.scores[node] = score;
    this.priority[node] = (Math.random() * 0x7fffffff) | 0;
    this.index.set(member, node);
    this.link(node);
    return node;
  }

  /** Removes the member at `node`. */
  remove(node: number): void {
    this.unlink(node);
    this.index.delete(this.members[node] as string);
    this.members[node] = undefined;
    this.parent[node] = this.freeHead;
    this.freeHead = node;
  }

  /** Changes the score of the member at `node`, moving it only when its place changes. */
  updateScore(node: number, score: number): void {
    const member = this.members[node] as string;
    const prev = this.prev(node);
    const next = this.next(node);
    // zslUpdateScore's shortcut: still between its neighbours, the node stays where it is.
    if ((prev === NIL || this.less(prev, score, member)) && (next === NIL || this.greater(next, score, member))) {
      this.scores[node] = score;
      return;
    }
    this.unlink(node);
    this.scores[node] = score;
    this.link(node);
  }

  /** True when the node's key is below (score, member). */
  private less(node: number, score: number, member: string): boolean {
    const s = this.scores[node];
    return s < score || (s === score && (this.members[node] as string) < member);
  }

  private greater(node: number, score: number, member: string): boolean {
    const s = this.scores[node];
    return s > score || (s === score && (this.members[node] as string) > member);
  }

  private allocate(): number {
    if (this.freeHead !== NIL) {
      const node = this.freeHead;
      this.freeHead = this.parent[node];
      return node;
    }
    if (this.highWater === this.scores.length) this.grow();
    const node = this.highWater++;
    this.members.push(undefined);
    return node;
  }

  private grow(): void {
    const capacity = Math.min(MAX_CAPACITY, this.scores.length * 2);
    if (capacity === this.scores.length) throw new RangeError('sorted set too large');
    const scores = new Float64Array(capacity);
    scores.set(this.scores);
    this.scores = scores;
    this.left = growInt32(this.left, capacity);
    this.right = growInt32(this.right, capacity);
    this.parent = growInt32(this.parent, capacity);
    this.size = growInt32(this.size, capacity);
    this.priority = growInt32(this.priority, capacity);
  }

  /** Puts a detached node (score and member set) in its place. */
  private link(node: number): void {
    const left = this.left;
    const right = this.right;
    const size = this.size;
    left[node] = NIL;
    right[node] = NIL;
    size[node] = 1;
    if (this.root === NIL) {
      this.root = node;
      this.parent[node] = NIL;
      return;
    }
    const score = this.scores[node];
    const member = this.members[node] as string;
    let x = this.root;
    for (;;) {
      size[x]++;
      if (this.greater(x, score, member)) {
        if (left[x] === NIL) {
          left[x] = node;
          break;
        }
        x = left[x];
      } else {
        if (right[x] === NIL) {
          right[x] = node;
          break;
        }
        x = right[x];
      }
    }
    this.parent[node] = x;
    const priority = this.priority;
    while (this.parent[node] !== NIL && priority[node] > priority[this.parent[node]]) this.rotateUp(node);
  }

  /** Takes a node out of the tree (it keeps its id, member and score). */
  private unlink(node: number): void {
    const left = this.left;
    const right = this.right;
    const priority = this.priority;
    // Rotate the node down until it is a leaf, then cut it off.
    for (;;) {
      const l = left[node];
      const r = right[node];
      if (l === NIL && r === NIL) break;
      const child = l === NIL ? r : r === NIL ? l : priority[l] > priority[r] ? l : r;
      this.rotateUp(child);
    }
    const p = this.parent[node];
    if (p === NIL) this.root = NIL;
    else if (left[p] === node) left[p] = NIL;
    else right[p] = NIL;
    for (let x = p; x !== NIL; x = this.parent[x]) this.size[x]--;
  }

  /** Rotates `x` above its parent, keeping the in-order sequence and the subtree sizes. */
  private rotateUp(x: number): void {
    const left = this.left;
    const right = this.right;
    const parent = this.parent;
    const size = this.size;
    const p = parent[x];
    const g = parent[p];
    if (left[p] === x) {
      const b = right[x];
      left[p] = b;
      if (b !== NIL) parent[b] = p;
      right[x] = p;
    } else {
      const b = left[x];
      right[p] = b;
      if (b !== NIL) parent[b] = p;
      left[x] = p;
    }
    parent[p] = x;
    parent[x] = g;
    if (g === NIL) this.root = x;
    else if (left[g] === p) left[g] = x;
    else right[g] = x;
    size[p] = 1 + size[left[p]] + size[right[p]];
    size[x] = 1 + size[left[x]] + size[right[x]];
  }

  // ------------------------------------------------------------------------------ ordering

  first(): number {
    let x = this.root;
    if (x === NIL) return NIL;
    while (this.left[x] !== NIL) x = this.left[x];
    return x;
  }

  last(): number {
    let x = this.root;
    if (x === NIL) return NIL;
    while (this.right[x] !== NIL) x = this.right[x];
    return x;
  }

  next(node: number): number {
    const right = this.right;
    let x = right[node];
    if (x !== NIL) {
      while (this.left[x] !== NIL) x = this.left[x];
      return x;
    }
    x = node;
    let p = this.parent[x];
    while (p !== NIL && right[p] === x) {
      x = p;
      p = this.parent[x];
    }
    return p;
  }

  prev(node: number): number {
    const left = this.left;
    let x = left[node];
    if (x !== NIL) {
      while (this.right[x] !== NIL) x = this.right[x];
      return x;
    }
    x = node;
    let p = this.parent[x];
    while (p !== NIL && left[p] === x) {
      x = p;
      p = this.parent[x];
    }
    return p;
  }

  /** 0-based rank of a node. */
  rank(node: number): number {
    const left = this.left;
    const parent = this.parent;
    let r = this.size[left[node]];
    let x = node;
    while (parent[x] !== NIL) {
      const p = parent[x];
      if (this.right[p] === x) r += this.size[left[p]] + 1;
      x = p;
    }
    return r;
  }

  /** The node at a 0-based rank (which must be < length). */
  at(rank: number): number {
    let x = this.root;
    let k = rank;
    while (x !== NIL) {
      const l = this.size[this.left[x]];
      if (k < l) {
        x = this.left[x];
      } else if (k === l) {
        return x;
      } else {
        k -= l + 1;
        x = this.right[x];
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
      if (scoreGteMin(this.scores[x], range)) {
        best = x;
        x = this.left[x];
      } else {
        x = this.right[x];
      }
    }
    return best !== NIL && scoreLteMax(this.scores[best], range) ? best : NIL;
  }

  lastInScoreRange(range: ScoreRange): number {
    if (scoreRangeIsEmpty(range)) return NIL;
    let x = this.root;
    let best = NIL;
    while (x !== NIL) {
      if (scoreLteMax(this.scores[x], range)) {
        best = x;
        x = this.right[x];
      } else {
        x = this.left[x];
      }
    }
    return best !== NIL && scoreGteMin(this.scores[best], range) ? best : NIL;
  }

  firstInLexRange(range: LexRange): number {
    if (lexRangeIsEmpty(range)) return NIL;
    let x = this.root;
    let best = NIL;
    while (x !== NIL) {
      if (lexGteMin(this.members[x] as string, range)) {
        best = x;
        x = this.left[x];
      } else {
        x = this.right[x];
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
        x = this.right[x];
      } else {
        x = this.left[x];
      }
    }
    return best !== NIL && lexGteMin(this.members[best] as string, range) ? best : NIL;
  }

  /** Checks every invariant (tests): order, sizes, parent links, heap order, index. */
  verify(): void {
    const seen = new Set<number>();
    const walk = (x: number, p: number): number => {
      if (x === NIL) return 0;
      if (seen.has(x)) throw new Error(`node ${x} reached twice`);
      seen.add(x);
      if (this.parent[x] !== p) throw new Error(`node ${x}: parent ${this.parent[x]}, expected ${p}`);
      const l = this.left[x];
      const r = this.right[x];
      if (l !== NIL && this.priority[l] > this.priority[x]) throw new Error(`heap order broken at ${x}`);
      if (r !== NIL && this.priority[r] > this.priority[x]) throw new Error(`heap order broken at ${x}`);
      const n = 1 + walk(l, x) + walk(r, x);
      if (this.size[x] !== n) throw new Error(`node ${x}: size ${this.size[x]}, expected ${n}`);
      return n;
    };
    const total = walk(this.root, NIL);
    if (total !== this.index.size) throw new Error(`tree holds ${total}, index ${this.index.size}`);
    let prev = NIL;
    for (let x = this.first(); x !== NIL; x = this.next(x)) {
      if (prev !== NIL && !this.less(prev, this.scores[x], this.members[x] as string)) throw new Error('order broken');
      if (this.index.get(this.members[x] as string) !== x) throw new Error('index disagrees');
      prev = x;
    }
  }
}

function growInt32(array: Int32Array<ArrayBuffer>, capacity: number): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(capacity);
  grown.set(array);
  return grown;
}
