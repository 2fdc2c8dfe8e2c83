// Hash values.

import { CursorTable } from '../cursors.js';

/**
 * Hash: an insertion-ordered map of field -> value (latin1 strings). `compact` mirrors Redis's
 * listpack encoding: it only says what OBJECT ENCODING reports and how HSCAN / HRANDFIELD
 * behave, and once cleared (conversion to "hashtable") it is never set again.
 *
 * Commands mutate through set/delete so the lazily built helpers below stay valid; `map` stays
 * public for whole-value code (COPY, serialization) that fills a fresh value.
 */
export class HashValue {
  readonly kind = 'hash' as const;
  /** Access clock (see store/db.ts), kept on the object like Redis's robj lru field. */
  lru = 0;
  readonly map = new Map<string, string>();
  compact = true;
  /**
   * Field names as an array for O(1) random picks (HRANDFIELD), built on demand; a new field is
   * appended, a removal drops it (rebuilt at the next random pick), value updates keep it.
   */
  private fieldArray: string[] | null = null;
  /** HSCAN cursors over a hashtable-encoded hash; created by the first such HSCAN. */
  private cursors: CursorTable<string> | null = null;

  /** OBJECT ENCODING's name for this value. */
  encoding(): string {
    return this.compact ? 'listpack' : 'hashtable';
  }

  /** A deep copy (COPY): shares nothing mutable with this hash. */
  clone(): HashValue {
    const copy = new HashValue();
    for (const [field, v] of this.map) copy.map.set(field, v);
    copy.compact = this.compact;
    return copy;
  }

  get size(): number {
    return this.map.size;
  }

  get(field: string): string | undefined {
    return this.map.get(field);
  }

  has(field: string): boolean {
    return this.map.has(field);
  }

  /** Sets a field; returns true when the field is new. */
  set(field: string, value: string): boolean {
    const map = this.map;
    const before = map.size;
    map.set(field, value);
    if (map.size === before) return false;
    if (this.fieldArray !== null) this.fieldArray.push(field);
    return true;
  }

  /** Removes a field; returns true when it existed. */
  delete(field: string): boolean {
    if (!this.map.delete(field)) return false;
    this.fieldArray = null;
    return true;
  }

  /** The field names as an array (shared, do not mutate); O(n) once after each add/remove. */
  fields(): readonly string[] {
    let fields = this.fieldArray;
    // The size check also catches writes made straight to `map` after the array was built.
    if (fields === null || fields.length !== this.map.size) {
      fields = Array.from(this.map.keys());
      this.fieldArray = fields;
    }
    return fields;
  }

  /** A uniformly random field; the hash must not be empty. */
  randomField(): string {
    const fields = this.fields();
    return fields[Math.floor(Math.random() * fields.length)];
  }

  /**
   * One HSCAN step over the fields (see CursorTable for the guarantees): visits up to `budget`
   * fields and returns the cursor to hand back, "0" at the end.
   */
  scan(cursor: string, budget: number, visit: (field: string) => boolean): string {
    if (this.cursors === null) this.cursors = new CursorTable<string>();
    return this.cursors.step(cursor, () => this.map.keys(), budget, visit);
  }
}
