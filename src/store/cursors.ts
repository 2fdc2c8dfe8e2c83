// SCAN-family cursors. A JS Map iterator stays valid while the map changes (deleted entries are
// skipped, added ones are visited, rehashing is followed), which gives exactly SCAN's guarantee:
// every element present for the whole iteration is returned. The cursor a client sees names a
// live iterator in a bounded table; an unknown or evicted cursor restarts the walk, which may
// repeat elements (allowed by SCAN's contract) but never misses one.

/** Open iterations kept per collection before the oldest is dropped. */
export const MAX_OPEN_CURSORS = 4096;

const UINT64_MODULUS = 1n << 64n;
const UINT64_MAX = UINT64_MODULUS - 1n;

/**
 * Cursor ids come from one counter shared by every table, so a cursor issued for one database
 * or collection never names a live walk of another (it restarts there instead of resuming a
 * stranger's walk and skipping elements).
 */
let nextCursorId = 1;

/**
 * Parses a cursor the way Redis does (strtoul base 10: optional sign, a negative value wraps
 * modulo 2^64, no leading space, nothing trailing, the empty string is 0). Returns its canonical
 * decimal text, or null for an invalid cursor (Redis replies "ERR invalid cursor").
 */
export function parseScanCursor(text: string): string | null {
  const len = text.length;
  if (len === 0) return '0';
  let canonical = true;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) {
      canonical = false;
      break;
    }
  }
  if (canonical && len <= 15 && (text.charCodeAt(0) !== 48 || len === 1)) return text;
  return parseUnusualCursor(text);
}

function parseUnusualCursor(text: string): string | null {
  let i = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === 45 || first === 43) {
    negative = first === 45;
    i = 1;
  }
  // strtoul with no digits converts nothing and leaves eptr at the start: invalid unless empty.
  if (i === text.length) return null;
  for (let j = i; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  let value = BigInt(text.slice(i));
  if (value > UINT64_MAX) return null;
  if (negative && value !== 0n) value = UINT64_MODULUS - value;
  return value.toString();
}

interface OpenWalk<T> {
  iterator: Iterator<T>;
  /** The element read ahead to learn whether the walk was complete (it is visited first next time). */
  pending: T;
}

export class CursorTable<T> {
  private readonly open = new Map<string, OpenWalk<T>>();

  /**
   * Continues (or starts, for cursor "0" or an unknown one) a walk over `source`, calling
   * `visit` until it returns false or `budget` elements were visited. Returns the cursor to hand
   * back: "0" when the walk is complete (one element is read ahead to know that, so a walk that
   * fits in one step ends in that step, as Redis's does for a small table).
   */
  step(cursor: string, source: () => Iterator<T>, budget: number, visit: (item: T) => boolean): string {
    const id = cursor === '0' ? null : parseScanCursor(cursor);
    const walk = id === null || id === '0' ? undefined : this.open.get(id);
    let iterator: Iterator<T>;
    let steps = 0;
    let stopped = false;
    if (walk !== undefined && id !== null) {
      this.open.delete(id);
      iterator = walk.iterator;
      steps = 1;
      stopped = !visit(walk.pending);
    } else {
      iterator = source();
    }
    while (!stopped && steps < budget) {
      const next = iterator.next();
      if (next.done === true) return '0';
      steps++;
      stopped = !visit(next.value);
    }
    const ahead = iterator.next();
    if (ahead.done === true) return '0';
    const newId = String(nextCursorId++);
    this.open.set(newId, { iterator, pending: ahead.value });
    if (this.open.size > MAX_OPEN_CURSORS) {
      const oldest = this.open.keys().next();
      if (oldest.done !== true) this.open.delete(oldest.value);
    }
    return newId;
  }

  clear(): void {
    this.open.clear();
  }
}
