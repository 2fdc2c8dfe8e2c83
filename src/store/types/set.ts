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
 * The hashtable encoding: a Map from member to its slot in a dense array of members. The Map
 * answers membership in O(1), the array gives uniform random picks in O(1) (SPOP, SRANDMEMBER),
 * and a removal moves the last member into the freed slot. Iterating by index follows the
 * array; SSCAN walks the Map, whose iterators survive changes.
 */
class MemberTable {
  /** SSCAN cursors; created by the first SSCAN. */
  cursors: CursorTable<string> | null = null;

  constructor(readonly slots = new Map<string, number>(), readonly members: string[] = []) {}

  add(member: string): boolean {
    const slots = this.slots;
    if (slots.has(member)) return false;
    slots.set(member, this.members.length);
    this.members.push(member);
    return true;
  }

  removeSlot(slot: number): void {
    const members = this.members;
    const member = members[slot];
    const last = members.pop() as string;
    if (slot < members.length) {
      members[slot] = last;
      this.slots.set(last, slot);
    }
    this.slots.delete(member);
  }
}

/**
 * A set. `data` is the intset blob (a string) or the MemberTable: one slot for both keeps the
 * object small for the many small sets a dataset may hold.
 */
export class SetValue {
  /** Access clock (see store/db.ts), kept on the object like Redis's robj lru field. */
  lru = 0;
  /** Bytes the store last counted for this value (store/memory-estimate.ts). */
  memBytes = 0;
  private data: string | MemberTable;

  private constructor(data: string | MemberTable) {
    this.data = data;
  }

  /** An empty intset-encoded set (createIntsetObject): what set operations fill. */
  static intset(): SetValue {
    return new SetValue(EMPTY_INTSET);
  }

  /** An empty hashtable-encoded set (createSetObject). */
  static hashtable(): SetValue {
    return new SetValue(new MemberTable());
  }

  /** An empty set of the encoding that can hold `member` (setTypeCreate). */
  static forMember(member: string): SetValue {
    return new SetValue(parseInt64(member) !== null ? EMPTY_INTSET : new MemberTable());
  }

  /** A set over an intset blob read from outside (RESTORE); the caller has validated it. */
  static fromIntsetBlob(blob: string): SetValue {
    return new SetValue(blob);
  }

  /** TYPE's answer (on the prototype: no per-object slot). */
  get kind(): 'set' {
    return 'set';
  }

  /** The intset blob while intset-encoded (for DUMP/RDB), else null. */
  get intsetBlob(): string | null {
    return typeof this.data === 'string' ? this.data : null;
  }

  get isIntset(): boolean {
    return typeof this.data === 'string';
  }

  /** OBJECT ENCODING's name for this value. */
  encoding(): string {
    return typeof this.data === 'string' ? 'intset' : 'hashtable';
  }

  /** A deep copy (COPY) in the same encoding. */
  clone(): SetValue {
    const data = this.data;
    // An intset is an immutable string: sharing it is copying it.
    if (typeof data === 'string') return new SetValue(data);
    return new SetValue(new MemberTable(new Map(data.slots), data.members.slice()));
  }

  get size(): number {
    const data = this.data;
    return typeof data === 'string' ? intsetLength(data) : data.members.length;
  }

  has(member: string): boolean {
    const data = this.data;
    if (typeof data !== 'string') return data.slots.has(member);
    const value = parseInt64(member);
    return value !== null && intsetFind(data, value);
  }

  /** Membership of an integer (an intset probe without going through its text). */
  hasInteger(value: number | bigint): boolean {
    const data = this.data;
    return typeof data === 'string' ? intsetFind(data, value) : data.slots.has(String(value));
  }

  /**
   * Adds a member (setTypeAdd); returns true when it is new. An intset becomes a hashtable when
   * the member is not an integer or when it grows past `maxIntsetEntries`.
   */
  add(member: string, maxIntsetEntries: number): boolean {
    const data = this.data;
    if (typeof data !== 'string') return data.add(member);
    const value = parseInt64(member);
    if (value === null) return this.convertToHashtable().add(member);
    const next = intsetAdd(data, value);
    if (next === data) return false;
    this.data = next;
    if (intsetLength(next) > Math.min(maxIntsetEntries, INTSET_MAX_ENTRIES_CAP)) this.convertToHashtable();
    return true;
  }

  /** Removes a member; returns true when it was there. */
  delete(member: string): boolean {
    const data = this.data;
    if (typeof data !== 'string') {
      const slot = data.slots.get(member);
      if (slot === undefined) return false;
      data.removeSlot(slot);
      return true;
    }
    const value = parseInt64(member);
    if (value === null) return false;
    const next = intsetRemove(data, value);
    if (next === data) return false;
    this.data = next;
    return true;
  }

  /** The member at `index` in iteration order (ascending for an intset); 0 <= index < size. */
  memberAt(index: number): string {
    const data = this.data;
    return typeof data === 'string' ? intsetText(data, index) : data.members[index];
  }

  /** The integer at `index` of an intset-encoded set (avoids the text where a number will do). */
  intAt(index: number): number | bigint {
    return intsetGet(this.data as string, index);
  }

  /** A uniformly random member; the set must not be empty. */
  randomMember(): string {
    return this.memberAt(Math.floor(Math.random() * this.size));
  }

  /** Removes and returns a uniformly random member; the set must not be empty. */
  popRandom(): string {
    const data = this.data;
    const index = Math.floor(Math.random() * this.size);
    if (typeof data === 'string') {
      const member = intsetText(data, index);
      this.data = intsetRemoveAt(data, index);
      return member;
    }
    const member = data.members[index];
    data.removeSlot(index);
    return member;
  }

  /**
   * One SSCAN step over a hashtable's members (see CursorTable for the guarantees): visits up to
   * `budget` members, returns the cursor to hand back, "0" at the end. An intset is small and
   * SSCAN returns it whole instead.
   */
  scan(cursor: string, budget: number, visit: (member: string) => boolean): string {
    const data = this.data;
    if (typeof data === 'string') throw new Error('SetValue.scan on an intset');
    if (data.cursors === null) data.cursors = new CursorTable<string>();
    const slots = data.slots;
    return data.cursors.step(cursor, () => slots.keys(), budget, visit);
  }

  /** setTypeConvert: every integer becomes its decimal text in a hashtable. */
  private convertToHashtable(): MemberTable {
    const ints = this.data as string;
    const count = intsetLength(ints);
    const table = new MemberTable();
    for (let i = 0; i < count; i++) table.add(intsetText(ints, i));
    this.data = table;
    return table;
  }
}
