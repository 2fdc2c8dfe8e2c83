// Set values, in Redis 7.0's two encodings: "intset" while every member is an integer that fits
// int64 and there are at most set-max-intset-entries of them (a sorted blob of 16/32/64-bit
// integers, store/encodings/intset.ts), else "hashtable". Conversion goes one way, at the moments
// t_set.c converts (setTypeAdd); commands pass the current limit in.

import { CursorTable } from '../cursors.js';
import {
  EMPTY_INTSET, intsetAdd, intsetFind, intsetGet, intsetLength, intsetRemove, intsetRemoveAt, intsetText,
} from '../encodings/intset.js';
import { parseInt64 } from '../../util/numbers.js';

/** intset.c keeps at most 2^30 entries whatever set-max-intset-entries says. */
const INTSET_MAX_ENTRIES_CAP = 1 << 30;

/**
 * A set. The hashtable is a Map from member to its slot in a dense array of members: the Map
 * answers membership in O(1), the array gives uniform random picks in O(1) (SPOP,
 * SRANDMEMBER), and a removal moves the last member into the freed slot. Iterating by index
 * (memberAt) follows the array; SSCAN walks the Map, whose iterators survive changes.
 */
export class SetValue {
  readonly kind = 'set' as const;
  /** Access clock (see store/db.ts), kept on the object like Redis's robj lru field. */
  lru = 0;
  /** Redis's intset blob while the set is intset-encoded; null once it is a hashtable. */
  private ints: string | null;
  private slots: Map<string, number> | null = null;
  private members: string[] | null = null;
  /** SSCAN cursors over a hashtable; created by the first such SSCAN. */
  private cursors: CursorTable<string> | null = null;

  private constructor(ints: string | null) {
    this.ints = ints;
    if (ints === null) {
      this.slots = new Map();
      this.members = [];
    }
  }

  /** An empty intset-encoded set (createIntsetObject): what set operations fill. */
  static intset(): SetValue {
    return new SetValue(EMPTY_INTSET);
  }

  /** An empty hashtable-encoded set (createSetObject). */
  static hashtable(): SetValue {
    return new SetValue(null);
  }

  /** An empty set of the encoding that can hold `member` (setTypeCreate). */
  static forMember(member: string): SetValue {
    return new SetValue(parseInt64(member) !== null ? EMPTY_INTSET : null);
  }

  /** A set over an intset blob read from outside (RESTORE); the caller has validated it. */
  static fromIntsetBlob(blob: string): SetValue {
    return new SetValue(blob);
  }

  /** The intset blob while intset-encoded (for DUMP/RDB), else null. */
  get intsetBlob(): string | null {
    return this.ints;
  }

  get isIntset(): boolean {
    return this.ints !== null;
  }

  /** OBJECT ENCODING's name for this value. */
  encoding(): string {
    return this.ints !== null ? 'intset' : 'hashtable';
  }

  /** A deep copy (COPY) in the same encoding. */
  clone(): SetValue {
    if (this.ints !== null) return new SetValue(this.ints);
    const copy = new SetValue(null);
    copy.slots = new Map(this.slots as Map<string, number>);
    copy.members = (this.members as string[]).slice();
    return copy;
  }

  get size(): number {
    return this.ints !== null ? intsetLength(this.ints) : (this.members as string[]).length;
  }

  has(member: string): boolean {
    if (this.ints === null) return (this.slots as Map<string, number>).has(member);
    const value = parseInt64(member);
    return value !== null && intsetFind(this.ints, value);
  }

  /** Membership of an integer (an intset probe without going through its text). */
  hasInteger(value: number | bigint): boolean {
    if (this.ints !== null) return intsetFind(this.ints, value);
    return (this.slots as Map<string, number>).has(String(value));
  }

  /**
   * Adds a member (setTypeAdd); returns true when it is new. An intset becomes a hashtable when
   * the member is not an integer or when it grows past `maxIntsetEntries`.
   */
  add(member: string, maxIntsetEntries: number): boolean {
    const ints = this.ints;
    if (ints !== null) {
      const value = parseInt64(member);
      if (value !== null) {
        const next = intsetAdd(ints, value);
        if (next === ints) return false;
        this.ints = next;
        if (intsetLength(next) > Math.min(maxIntsetEntries, INTSET_MAX_ENTRIES_CAP)) this.convertToHashtable();
        return true;
      }
      this.convertToHashtable();
    }
    const slots = this.slots as Map<string, number>;
    if (slots.has(member)) return false;
    const members = this.members as string[];
    slots.set(member, members.length);
    members.push(member);
    return true;
  }

  /** Removes a member; returns true when it was there. */
  delete(member: string): boolean {
    const ints = this.ints;
    if (ints !== null) {
      const value = parseInt64(member);
      if (value === null) return false;
      const next = intsetRemove(ints, value);
      if (next === ints) return false;
      this.ints = next;
      return true;
    }
    const slot = (this.slots as Map<string, number>).get(member);
    if (slot === undefined) return false;
    this.removeSlot(slot);
    return true;
  }

  /** The member at `index` in iteration order (ascending for an intset); 0 <= index < size. */
  memberAt(index: number): string {
    return this.ints !== null ? intsetText(this.ints, index) : (this.members as string[])[index];
  }

  /** The integer at `index` of an intset-encoded set (avoids the text where a number will do). */
  intAt(index: number): number | bigint {
    return intsetGet(this.ints as string, index);
  }

  /** A uniformly random member; the set must not be empty. */
  randomMember(): string {
    return this.memberAt(Math.floor(Math.random() * this.size));
  }

  /** Removes and returns a uniformly random member; the set must not be empty. */
  popRandom(): string {
    const index = Math.floor(Math.random() * this.size);
    const ints = this.ints;
    if (ints !== null) {
      const member = intsetText(ints, index);
      this.ints = intsetRemoveAt(ints, index);
      return member;
    }
    const member = (this.members as string[])[index];
    this.removeSlot(index);
    return member;
  }

  /**
   * One SSCAN step over a hashtable's members (see CursorTable for the guarantees): visits up to
   * `budget` members, returns the cursor to hand back, "0" at the end.
   */
  scan(cursor: string, budget: number, visit: (member: string) => boolean): string {
    if (this.cursors === null) this.cursors = new CursorTable<string>();
    const slots = this.slots as Map<string, number>;
    return this.cursors.step(cursor, () => slots.keys(), budget, visit);
  }

  private removeSlot(slot: number): void {
    const members = this.members as string[];
    const slots = this.slots as Map<string, number>;
    const member = members[slot];
    const last = members.pop() as string;
    if (slot < members.length) {
      members[slot] = last;
      slots.set(last, slot);
    }
    slots.delete(member);
  }

  /** setTypeConvert: every integer becomes its decimal text in a hashtable. */
  private convertToHashtable(): void {
    const ints = this.ints as string;
    const count = intsetLength(ints);
    const slots = new Map<string, number>();
    // Filled by push so the array stays packed (a preallocated one would be "holey" for V8).
    const members: string[] = [];
    for (let i = 0; i < count; i++) {
      const text = intsetText(ints, i);
      slots.set(text, i);
      members.push(text);
    }
    this.ints = null;
    this.slots = slots;
    this.members = members;
  }
}
