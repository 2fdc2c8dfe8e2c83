// Sorted-set values in Redis's two encodings: "listpack" (member,score pairs sorted by score
// then member, Redis's exact bytes in one latin1 string; store/encodings/listpack.ts) and
// "skiplist" (an order-statistic tree plus a member index; zset-tree.ts). Commands address
// elements by position, a number meaning a listpack offset or a tree node, with NONE (0) for
// "no element" (a listpack offset is never below its 6-byte header, tree nodes start at 1),
// so the same command code walks either encoding without allocating iterators.

import {
  LP_EMPTY, lpDelete, lpFind, lpFirst, lpFromArray, lpGet, lpGetDetached, lpGetNumber, lpInsertPairBefore, lpIsInteger,
  lpLast, lpLength, lpNext, lpPrev, lpSeek,
} from '../encodings/listpack.js';
import { formatDouble17g } from '../../util/numbers.js';
import { cStrtod } from '../../util/strtod.js';
import {
  lexGteMin, lexLteMax, lexRangeIsEmpty, scoreGteMin, scoreLteMax, scoreRangeIsEmpty, ZsetTree,
  type LexRange, type ScoreRange,
} from './zset-tree.js';

export type { LexRange, ScoreRange };

export const NONE = 0;

/** Redis's LISTPACK_MAX_SAFETY_SIZE: a listpack never grows past 1 GiB. */
const LISTPACK_MAX_SAFETY_BYTES = 1 << 30;
/** double2ll's bounds: integral scores within +-2^62 are stored as listpack integers. */
const LL_SAFE = 4611686018427387904;
/** zzlStrtod reads at most this many chars of a stored score. */
const SCORE_TEXT_MAX_CHARS = 127;

/** A score as a listpack stores it (zzlInsertAt: an integer when double2ll allows, else d2string). */
export function scoreToListpackText(score: number): string {
  if (score >= -LL_SAFE && score <= LL_SAFE && Math.trunc(score) === score) {
    // -0 becomes the integer 0, as the cast to long long does.
    if (score > -9007199254740992 && score < 9007199254740992) return String(score === 0 ? 0 : score);
    return BigInt(score).toString();
  }
  return formatDouble17g(score);
}

/** The score of a listpack score entry (zzlGetScore: an integer, or strtod of the text). */
function listpackScore(lp: string, off: number): number {
  if (lpIsInteger(lp, off)) return lpGetNumber(lp, off);
  const text = lpGet(lp, off);
  // What d2string writes ("%.17g", "inf", "-inf") reads back without the general parser.
  const quick = Number(text);
  if (!Number.isNaN(quick) && text.charCodeAt(0) > 32) return quick;
  if (text === 'inf') return Infinity;
  if (text === '-inf') return -Infinity;
  return cStrtod(text.length > SCORE_TEXT_MAX_CHARS ? text.slice(0, SCORE_TEXT_MAX_CHARS) : text, 0);
}

export class ZSetValue {
  readonly kind = 'zset' as const;
  /** Access clock (see store/db.ts), kept on the object like Redis's robj lru field. */
  lru = 0;
  /** Bytes the store last counted for this value (store/memory-estimate.ts). */
  memBytes = 0;
  /** The listpack while small; null once converted. */
  private lp: string | null;
  private tree: ZsetTree | null;

  /** An empty sorted set, listpack-encoded unless `big`. */
  constructor(big = false) {
    this.lp = big ? null : LP_EMPTY;
    this.tree = big ? new ZsetTree() : null;
  }

  encoding(): string {
    return this.lp !== null ? 'listpack' : 'skiplist';
  }

  get isListpack(): boolean {
    return this.lp !== null;
  }

  /** A deep copy (COPY) in the same encoding. */
  clone(): ZSetValue {
    const copy = new ZSetValue(this.lp === null);
    if (this.lp !== null) {
      copy.lp = this.lp;
      return copy;
    }
    // From the greatest down, as zsetDup does; the tree places each at once either way.
    for (let p = this.last(); p !== NONE; p = this.prev(p)) copy.insert(this.memberAt(p), this.scoreAt(p));
    return copy;
  }

  get length(): number {
    return this.lp !== null ? lpLength(this.lp) >>> 1 : (this.tree as ZsetTree).length;
  }

  /** The listpack bytes (DUMP/RDB) while listpack-encoded. */
  get listpack(): string | null {
    return this.lp;
  }

  /** Replaces the contents with a listpack of sorted pairs (RESTORE). */
  static fromListpack(lp: string): ZSetValue {
    const value = new ZSetValue(false);
    value.lp = lp;
    return value;
  }

  // ------------------------------------------------------------------------------- positions

  /** The position of `member`, NONE when absent. */
  find(member: string): number {
    const lp = this.lp;
    if (lp === null) return (this.tree as ZsetTree).find(member);
    const first = lpFirst(lp);
    if (first === -1) return NONE;
    const off = lpFind(lp, first, member, 1);
    return off === -1 ? NONE : off;
  }

  memberAt(pos: number): string {
    return this.lp !== null ? lpGet(this.lp, pos) : (this.tree as ZsetTree).member(pos);
  }

  scoreAt(pos: number): number {
    const lp = this.lp;
    return lp !== null ? listpackScore(lp, lpNext(lp, pos)) : (this.tree as ZsetTree).score(pos);
  }

  /**
   * The score as ZSCAN shows it: a listpack's stored text, else "%.17Lg" of the score (the same
   * digits as %.17g for a double).
   */
  scoreTextAt(pos: number): string {
    const lp = this.lp;
    return lp !== null ? lpGet(lp, lpNext(lp, pos)) : formatDouble17g((this.tree as ZsetTree).score(pos));
  }

  first(): number {
    const lp = this.lp;
    if (lp === null) return (this.tree as ZsetTree).first();
    const off = lpFirst(lp);
    return off === -1 ? NONE : off;
  }

  last(): number {
    const lp = this.lp;
    if (lp === null) return (this.tree as ZsetTree).last();
    const off = lpLast(lp);
    return off === -1 ? NONE : lpPrev(lp, off);
  }

  next(pos: number): number {
    const lp = this.lp;
    if (lp === null) return (this.tree as ZsetTree).next(pos);
    const off = lpNext(lp, lpNext(lp, pos));
    return off === -1 ? NONE : off;
  }

  prev(pos: number): number {
    const lp = this.lp;
    if (lp === null) return (this.tree as ZsetTree).prev(pos);
    const off = lpPrev(lp, pos);
    return off === -1 ? NONE : lpPrev(lp, off);
  }

  /** The element at a 0-based rank from the lowest (rank < length). */
  atRank(rank: number): number {
    const lp = this.lp;
    if (lp === null) return (this.tree as ZsetTree).at(rank);
    const off = lpSeek(lp, 2 * rank);
    return off === -1 ? NONE : off;
  }

  /** 0-based rank from the lowest of the element at `pos`. */
  rankOf(pos: number): number {
    const lp = this.lp;
    if (lp === null) return (this.tree as ZsetTree).rank(pos);
    let rank = 0;
    for (let off = lpFirst(lp); off !== pos; off = lpNext(lp, lpNext(lp, off))) rank++;
    return rank;
  }

  firstInScoreRange(range: ScoreRange): number {
    if (this.lp === null) return (this.tree as ZsetTree).firstInScoreRange(range);
    if (scoreRangeIsEmpty(range)) return NONE;
    for (let p = this.first(); p !== NONE; p = this.next(p)) {
      const score = this.scoreAt(p);
      if (scoreGteMin(score, range)) return scoreLteMax(score, range) ? p : NONE;
    }
    return NONE;
  }

  lastInScoreRange(range: ScoreRange): number {
    if (this.lp === null) return (this.tree as ZsetTree).lastInScoreRange(range);
    if (scoreRangeIsEmpty(range)) return NONE;
    for (let p = this.last(); p !== NONE; p = this.prev(p)) {
      const score = this.scoreAt(p);
      if (scoreLteMax(score, range)) return scoreGteMin(score, range) ? p : NONE;
    }
    return NONE;
  }

  /**
   * zzlIsInLexRange / zslIsInLexRange: the last member reaches min and the first stays within
   * max. Members are in order only when all scores are equal; otherwise this quick test decides
   * on its own, as in Redis.
   */
  private mayHoldLexRange(range: LexRange): boolean {
    if (lexRangeIsEmpty(range)) return false;
    const last = this.last();
    if (last === NONE || !lexGteMin(this.memberAt(last), range)) return false;
    return lexLteMax(this.memberAt(this.first()), range);
  }

  firstInLexRange(range: LexRange): number {
    if (!this.mayHoldLexRange(range)) return NONE;
    if (this.lp === null) return (this.tree as ZsetTree).firstInLexRange(range);
    for (let p = this.first(); p !== NONE; p = this.next(p)) {
      const member = this.memberAt(p);
      if (lexGteMin(member, range)) return lexLteMax(member, range) ? p : NONE;
    }
    return NONE;
  }

  lastInLexRange(range: LexRange): number {
    if (!this.mayHoldLexRange(range)) return NONE;
    if (this.lp === null) return (this.tree as ZsetTree).lastInLexRange(range);
    for (let p = this.last(); p !== NONE; p = this.prev(p)) {
      const member = this.memberAt(p);
      if (lexLteMax(member, range)) return lexGteMin(member, range) ? p : NONE;
    }
    return NONE;
  }

  // --------------------------------------------------------------------------------- changes

  /**
   * Adds a member known to be absent, in the current encoding (the caller converts first when
   * Redis would: see fitsListpack).
   */
  insert(member: string, score: number): void {
    const lp = this.lp;
    if (lp === null) {
      (this.tree as ZsetTree).insert(member, score);
      return;
    }
    const scoreText = scoreToListpackText(score);
    // zzlInsert: before the first element ordered after (score, member), else at the tail.
    for (let off = lpFirst(lp); off !== -1;) {
      const scoreOff = lpNext(lp, off);
      const s = listpackScore(lp, scoreOff);
      if (s > score || (s === score && lpGet(lp, off) > member)) {
        this.lp = lpInsertPairBefore(lp, off, member, scoreText);
        return;
      }
      off = lpNext(lp, scoreOff);
    }
    this.lp = lpInsertPairBefore(lp, -1, member, scoreText);
  }

  /** Removes the element at `pos`. */
  removeAt(pos: number): void {
    if (this.lp !== null) this.lp = lpDelete(this.lp, pos, 2);
    else (this.tree as ZsetTree).remove(pos);
  }

  /** Removes `member`; false when it was absent. */
  remove(member: string): boolean {
    const pos = this.find(member);
    if (pos === NONE) return false;
    this.removeAt(pos);
    return true;
  }

  /** Gives the element at `pos` a new score (delete and re-insert for a listpack, as Redis). */
  setScore(pos: number, member: string, score: number): void {
    if (this.lp !== null) {
      this.lp = lpDelete(this.lp, pos, 2);
      this.insert(member, score);
    } else {
      (this.tree as ZsetTree).updateScore(pos, score);
    }
  }

  /** Removes the elements of 0-based ranks start..end (valid and ordered). */
  removeRankRange(start: number, end: number): void {
    const lp = this.lp;
    if (lp !== null) {
      this.lp = lpDelete(lp, lpSeek(lp, 2 * start), 2 * (end - start + 1));
      return;
    }
    const tree = this.tree as ZsetTree;
    let node = tree.at(start);
    for (let i = start; i <= end; i++) {
      const next = tree.next(node);
      tree.remove(node);
      node = next;
    }
  }

  /**
   * Removes the elements from `pos` on while `inRange` holds for them; returns how many
   * (zzlDeleteRangeByScore/ByLex and their skiplist forms).
   */
  removeFrom(pos: number, lex: boolean, range: ScoreRange | LexRange): number {
    let removed = 0;
    let p = pos;
    while (p !== NONE) {
      const within = lex ? lexLteMax(this.memberAt(p), range as LexRange) : scoreLteMax(this.scoreAt(p), range as ScoreRange);
      if (!within) break;
      const next = this.lp !== null ? p : this.next(p);
      this.removeAt(p);
      removed++;
      // In a listpack the following pair slides into the removed one's offset.
      p = this.lp !== null ? (this.lp.charCodeAt(next) === 0xff ? NONE : next) : next;
    }
    return removed;
  }

  // ------------------------------------------------------------------------------ encodings

  /**
   * Whether adding `member` keeps the listpack within zset-max-listpack-entries/value and the
   * listpack safety size (zsetAdd's test before zzlInsert).
   */
  fitsListpackWith(member: string, maxEntries: number, maxValueBytes: number): boolean {
    const lp = this.lp as string;
    return lpLength(lp) / 2 + 1 <= maxEntries && member.length <= maxValueBytes &&
      lp.length + member.length <= LISTPACK_MAX_SAFETY_BYTES;
  }

  /** zsetConvert to skiplist. */
  convertToTree(): void {
    const lp = this.lp;
    if (lp === null) return;
    const tree = new ZsetTree();
    for (let off = lpFirst(lp); off !== -1;) {
      const scoreOff = lpNext(lp, off);
      tree.insert(lpGetDetached(lp, off), listpackScore(lp, scoreOff));
      off = lpNext(lp, scoreOff);
    }
    this.tree = tree;
    this.lp = null;
  }

  /** zsetConvert to listpack (the caller checked the limits). */
  convertToListpack(): void {
    if (this.lp !== null) return;
    const elements: string[] = [];
    for (let p = this.first(); p !== NONE; p = this.next(p)) elements.push(this.memberAt(p), scoreToListpackText(this.scoreAt(p)));
    this.lp = lpFromArray(elements);
    this.tree = null;
  }

  /**
   * zsetConvertToListpackIfNeeded: a skiplist small enough in entries, longest member and
   * total member bytes becomes a listpack (ZUNIONSTORE & co. choose the encoding this way).
   */
  convertToListpackIfFits(maxEntries: number, maxValueBytes: number): void {
    if (this.lp !== null || this.length > maxEntries) return;
    let longest = 0;
    let total = 0;
    for (let p = this.first(); p !== NONE; p = this.next(p)) {
      const len = this.memberAt(p).length;
      if (len > longest) longest = len;
      total += len;
    }
    if (longest <= maxValueBytes && total <= LISTPACK_MAX_SAFETY_BYTES) this.convertToListpack();
  }

  /**
   * One ZSCAN step over a skiplist-encoded set: visits the members of up to `budget` node ids
   * from `cursor` on and returns the cursor to hand back ("0" at the end). A member keeps its
   * node id while it is in the set, so every member present for a whole walk is visited, as
   * SCAN promises; the cursor is just the next id, no walk state is kept.
   */
  scan(cursor: string, budget: number, visit: (member: string) => void): string {
    const tree = this.tree as ZsetTree;
    const limit = tree.idLimit;
    // A cursor past any id (or beyond 2^53) ends the walk.
    let id = Math.max(1, Number(cursor));
    for (let visited = 0; id < limit && visited < budget; id++, visited++) {
      const member = tree.memberOfId(id);
      if (member !== undefined) visit(member);
    }
    return id >= limit ? '0' : String(id);
  }

  /** Tests: checks the big encoding's invariants. */
  verify(): void {
    if (this.tree !== null) this.tree.verify();
  }
}
