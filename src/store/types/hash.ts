// Hash values, in Redis 7.0's two encodings: "listpack" (the field/value pairs as consecutive
// entries of one listpack, store/encodings/listpack.ts: Redis's exact bytes in a latin1 string)
// while small, else "hashtable" (a Map). Commands decide when to convert, at the moments
// t_hash.c does (see commands/hashes.ts); the conversion is one-way.

import { CursorTable } from '../cursors.js';
import {
  LP_EMPTY, canonicalInt64, lpAppend, lpDelete, lpEquals, lpFirst, lpFromArray, lpGet, lpGetDetached, lpGetNumber, lpIsInteger, lpLength,
  lpNext, lpReplace, lpSeek,
} from '../encodings/listpack.js';

/** The hashtable encoding: the Map and the helpers only a big hash needs. */
class Table {
  readonly map: Map<string, string>;
  /**
   * Field names as an array for O(1) random picks (HRANDFIELD), built on demand; a new field is
   * appended, a removal drops it (rebuilt at the next random pick), value updates keep it.
   */
  fieldArray: string[] | null = null;
  /** HSCAN cursors; created by the first HSCAN. */
  cursors: CursorTable<string> | null = null;

  constructor(map: Map<string, string>) {
    this.map = map;
  }
}

/**
 * A hash. `data` is the listpack (a string) or the Table: one slot for both keeps the object
 * small, which matters for many small hashes (100k hashes of 10 fields is a memory target).
 */
export class HashValue {
  /** Access clock (see store/db.ts), kept on the object like Redis's robj lru field. */
  lru = 0;
  /** Bytes the store last counted for this value (store/memory-estimate.ts). */
  memBytes = 0;
  private data: string | Table = LP_EMPTY;

  /** A hash over a listpack of field/value pairs read from outside (RESTORE); validated by the caller. */
  static fromListpack(listpack: string): HashValue {
    const hash = new HashValue();
    hash.data = listpack;
    return hash;
  }

  /** TYPE's answer (on the prototype: no per-object slot). */
  get kind(): 'hash' {
    return 'hash';
  }

  /** True while listpack-encoded. */
  get compact(): boolean {
    return typeof this.data === 'string';
  }

  /**
   * Chooses the encoding of a hash being rebuilt (RDB loading picks it after reading the pairs):
   * false converts to a hashtable, true turns a hashtable back into a listpack. Commands only
   * ever convert one way, with convertToHashtable.
   */
  set compact(listpack: boolean) {
    const data = this.data;
    if (!listpack) {
      this.convertToHashtable();
    } else if (typeof data !== 'string') {
      const elements: string[] = [];
      data.map.forEach((value, field) => elements.push(field, value));
      this.data = lpFromArray(elements);
    }
  }

  /**
   * The pairs as a read-only Map: the table itself for a hashtable, a copy built for a listpack
   * (O(n)). For whole-value code; forEachPair and listpack read without the copy.
   */
  get map(): ReadonlyMap<string, string> {
    const data = this.data;
    if (typeof data !== 'string') return data.map;
    const copy = new Map<string, string>();
    this.forEachPair((field, value) => copy.set(field, value));
    return copy;
  }

  /** The listpack of field/value pairs while compact (for DUMP/RDB), else null. */
  get listpack(): string | null {
    return typeof this.data === 'string' ? this.data : null;
  }

  /** OBJECT ENCODING's name for this value. */
  encoding(): string {
    return typeof this.data === 'string' ? 'listpack' : 'hashtable';
  }

  /** A deep copy (COPY) in the same encoding. */
  clone(): HashValue {
    const copy = new HashValue();
    // A listpack is an immutable string: sharing it is copying it.
    copy.data = typeof this.data === 'string' ? this.data : new Table(new Map(this.data.map));
    return copy;
  }

  /** hashTypeConvert: the pairs move into a Map, for good. */
  convertToHashtable(): void {
    const lp = this.data;
    if (typeof lp !== 'string') return;
    const table = new Map<string, string>();
    for (let off = lpFirst(lp); off !== -1; off = lpNext(lp, off)) {
      const field = lpGetDetached(lp, off);
      off = lpNext(lp, off);
      table.set(field, lpGetDetached(lp, off));
    }
    this.data = new Table(table);
  }

  get size(): number {
    const data = this.data;
    return typeof data === 'string' ? lpLength(data) / 2 : data.map.size;
  }

  /**
   * Offset of the field entry in the listpack, -1 when absent. Like lpFind over every other
   * entry, but an integer entry is compared as a number (no text made for it), and only with a
   * field that is itself an integer's canonical text (the only texts stored as integers).
   */
  private static findField(lp: string, field: string): number {
    const asInteger = canonicalInt64(field);
    for (let off = lpFirst(lp); off !== -1; off = lpNext(lp, lpNext(lp, off))) {
      if (!lpIsInteger(lp, off)) {
        if (asInteger === null && lpEquals(lp, off, field)) return off;
      } else if (asInteger !== null) {
        // Beyond 2^53 a number is not exact: compare those texts.
        if (typeof asInteger === 'number' ? lpGetNumber(lp, off) === asInteger : lpGet(lp, off) === field) return off;
      }
    }
    return -1;
  }

  get(field: string): string | undefined {
    const data = this.data;
    if (typeof data !== 'string') return data.map.get(field);
    const off = HashValue.findField(data, field);
    return off === -1 ? undefined : lpGet(data, lpNext(data, off));
  }

  has(field: string): boolean {
    const data = this.data;
    return typeof data === 'string' ? HashValue.findField(data, field) !== -1 : data.map.has(field);
  }

  /**
   * Sets a field; returns true when the field is new. A listpack replaces the value in place or
   * appends the pair (hashTypeSet); the caller converts when limits are passed.
   */
  set(field: string, value: string): boolean {
    const data = this.data;
    if (typeof data === 'string') {
      const off = HashValue.findField(data, field);
      if (off !== -1) {
        this.data = lpReplace(data, lpNext(data, off), value);
        return false;
      }
      this.data = lpAppend(data, field, value);
      return true;
    }
    const map = data.map;
    const before = map.size;
    map.set(field, value);
    if (map.size === before) return false;
    if (data.fieldArray !== null) data.fieldArray.push(field);
    return true;
  }

  /** Removes a field; returns true when it existed. */
  delete(field: string): boolean {
    const data = this.data;
    if (typeof data === 'string') {
      const off = HashValue.findField(data, field);
      if (off === -1) return false;
      this.data = lpDelete(data, off, 2);
      return true;
    }
    if (!data.map.delete(field)) return false;
    data.fieldArray = null;
    return true;
  }

  /** Calls `visit` for every pair, in the hash's order (insertion order for a listpack). */
  forEachPair(visit: (field: string, value: string) => void): void {
    const data = this.data;
    if (typeof data !== 'string') {
      // Map.forEach hands over key and value without an entry array per pair.
      data.map.forEach((value, field) => visit(field, value));
      return;
    }
    for (let off = lpFirst(data); off !== -1; off = lpNext(data, off)) {
      const field = lpGet(data, off);
      off = lpNext(data, off);
      visit(field, lpGet(data, off));
    }
  }

  /** Appends every field and its value to the two arrays, in the hash's order. */
  collectPairs(fields: string[], values: string[]): void {
    this.forEachPair((field, value) => {
      fields.push(field);
      values.push(value);
    });
  }

  /** A uniformly random field; the hash must not be empty. */
  randomField(): string {
    const data = this.data;
    if (typeof data === 'string') return lpGet(data, lpSeek(data, 2 * Math.floor(Math.random() * (lpLength(data) / 2))));
    let fields = data.fieldArray;
    if (fields === null) {
      fields = Array.from(data.map.keys());
      data.fieldArray = fields;
    }
    return fields[Math.floor(Math.random() * fields.length)];
  }

  /**
   * One HSCAN step over a hashtable's fields (see CursorTable for the guarantees): visits up to
   * `budget` fields and returns the cursor to hand back, "0" at the end. A listpack hash is
   * small and HSCAN returns it whole instead.
   */
  scan(cursor: string, budget: number, visit: (field: string) => boolean): string {
    const data = this.data;
    if (typeof data === 'string') throw new Error('HashValue.scan on a listpack hash');
    if (data.cursors === null) data.cursors = new CursorTable<string>();
    const map = data.map;
    return data.cursors.step(cursor, () => map.keys(), budget, visit);
  }

  /** Bytes of the listpack (0 for a hashtable): Redis's lpSafeToAdd guards the 1 GB ceiling. */
  get listpackBytes(): number {
    return typeof this.data === 'string' ? this.data.length : 0;
  }
}
