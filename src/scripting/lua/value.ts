// The values of our Lua 5.1 implementation, shared by the compiler's runtime and every library.
//
//   nil      -> undefined          boolean -> boolean        number -> number (a double, as 5.1)
//   string   -> string, one char per byte (latin1), as every string in this code base, so Redis
//               arguments and replies pass through unconverted and comparisons are byte order
//   table    -> LuaTable           function -> LuaFunction (NativeFunction or the compiler's closure)
//   userdata -> LuaUserdata (cjson.null and the like)    thread -> LuaThread (coroutines)

import { ceilLog2, mainPosition } from './table-hash.js';

export type LuaValue =
  | undefined
  | boolean
  | number
  | string
  | LuaTable
  | LuaFunction
  | LuaUserdata
  | LuaThread;

/** An error raised inside Lua: `value` is what error() was given (usually a positioned string). */
export class LuaError extends Error {
  /**
   * The chunk name ("@user_script") and current line of the innermost Lua function when the error
   * was raised (Redis ends its error replies with "script: <sha>, on @user_script:<line>.").
   * Set by the interpreter; undefined/-1 when no Lua function was running.
   */
  luaSource: string | undefined = undefined;
  luaLine = -1;

  constructor(readonly value: LuaValue, readonly traceback?: string) {
    super(typeof value === 'string' ? value : typeof value === 'number' ? numberToString(value) : `(error object is a ${typeName(value)} value)`);
  }
}

/** Anything callable from Lua. */
export abstract class LuaFunction {
  abstract readonly name: string;
}

/**
 * What a native (library) function sees of the running interpreter. A native may call back into
 * Lua (`call`), but such a nested call cannot be suspended by the busy-script machinery, so natives
 * keep callbacks short (sort comparators, gsub replacement functions).
 */
export interface LuaRuntime {
  readonly globals: LuaTable;
  /** Calls a Lua value (a function, or anything with __call) and returns all its results. */
  call(fn: LuaValue, args: LuaValue[]): LuaValue[];
  /**
   * luaL_error: raises `message` prefixed with the position ("user_script:3: ") of the Lua
   * function `level` frames up (1 = the Lua code that called the running native; 0 = none).
   */
  error(message: string, level?: number): never;
  /** lua_error: raises any value as is (no position prefix), recording where Lua code was. */
  raise(value: LuaValue): never;
  /** tostring() as the base library does it, honouring __tostring. */
  tostring(value: LuaValue): string;
  /** The metatable of any value (strings share the string library's). */
  getMetatable(value: LuaValue): LuaTable | null;
  /** t[k] with __index, as the VM does it. */
  index(object: LuaValue, key: LuaValue): LuaValue;
  /** t[k] = v with __newindex, as the VM does it. */
  setIndex(object: LuaValue, key: LuaValue, value: LuaValue): void;
  /**
   * How the running native was called (luaL_argerror's getinfo "n"): the name at the call site
   * ('rep' for string.rep(...) and s:rep(...), 'f' for a local f; null from pcall, a metamethod or
   * an unnamed value) and whether it was a method call. Absent in a runtime that cannot tell.
   */
  callSite?(): { name: string | null; method: boolean };
}

/** A library function. Returns its results (EMPTY for none); raises with rt.error(). */
export type NativeImpl = (rt: LuaRuntime, args: LuaValue[]) => LuaValue[];

export class NativeFunction extends LuaFunction {
  constructor(
    readonly name: string,
    readonly impl: NativeImpl,
  ) {
    super();
  }
}

export const EMPTY: LuaValue[] = [];
Object.freeze(EMPTY);

export class LuaUserdata {
  metatable: LuaTable | null = null;
  /** `label` is what tostring shows after "userdata: " ((nil) for a NULL light userdata). */
  constructor(readonly label: string) {}
}

/** A coroutine; the compiler's runtime owns its state. */
export abstract class LuaThread {
  abstract readonly status: 'suspended' | 'running' | 'normal' | 'dead';
}

/** Raised by LuaTable for a key Lua forbids; callers that know the position add it. */
export class TableKeyError extends Error {}

/** Lua 5.1's MAXBITS: the largest array part is 2^26 slots. */
const MAX_BITS = 26;
const MAX_ARRAY_SIZE = 2 ** MAX_BITS;

/** ltable.c's arrayindex: the integer a number key stands for, or -1. */
function arrayIndex(key: LuaValue): number {
  return typeof key === 'number' && Number.isInteger(key) && key >= -2147483648 && key <= 2147483647 ? key : -1;
}

/** countint: a key 1..MAXASIZE counted in the power-of-two slice it falls in. */
function countInteger(key: LuaValue, nums: number[]): number {
  const k = arrayIndex(key);
  if (k > 0 && k <= MAX_ARRAY_SIZE) {
    nums[ceilLog2(k)]++;
    return 1;
  }
  return 0;
}

/**
 * A Lua table laid out as Lua 5.1's ltable.c lays it out: an array part of `arraySize` slots
 * for keys 1..n and a hash part of 2^k nodes with ltable's main positions, collision chains,
 * free-slot pointer and rehash sizing. Lookups go through a Map from key to node (V8's hashing
 * is faster than walking chains), while the node layout decides the traversal order of next(),
 * which is therefore Redis's; and `#` finds the same border as Redis's Lua in tables with holes.
 *
 * As in 5.1, assigning nil keeps the key in its node (next() can go on from it), and a key
 * whose value is nil is dropped when the table is rehashed.
 */
export class LuaTable {
  /** The array part: exactly its size (5.1's sizearray) slots, nil slots undefined. */
  arr: LuaValue[];
  /** Node keys (undefined: a free node); null while the hash part is empty (dummynode). */
  private nodeKeys: LuaValue[] | null = null;
  private nodeValues: LuaValue[] = [];
  /** Collision chains: the next node's index, -1 at the end. */
  private nodeNext: Int32Array = EMPTY_CHAIN;
  /** getfreepos scans down from here. */
  private lastFree = 0;
  /** Every key that has a node, to that node's index. */
  private nodeIndex: Map<LuaValue, number> | null = null;
  metatable: LuaTable | null = null;
  /** Redis's lua_enablereadonlytable: assignments raise "Attempt to modify a readonly table". */
  readonly = false;

  /** luaH_new(narray, nhash): lua_createtable's size hints. */
  constructor(arraySize = 0, hashSize = 0) {
    this.arr = nilSlots(arraySize);
    if (hashSize > 0) this.setNodeVector(hashSize);
  }

  /** The number of hash nodes (0 for the empty hash part). */
  get nodeCount(): number {
    return this.nodeKeys === null ? 0 : this.nodeKeys.length;
  }

  get(key: LuaValue): LuaValue {
    if (typeof key === 'number') {
      const index = key - 1;
      if (index >= 0 && index < this.arr.length && Number.isInteger(index)) return this.arr[index];
    }
    const nodeIndex = this.nodeIndex;
    if (nodeIndex === null) return undefined;
    const at = nodeIndex.get(key);
    return at === undefined ? undefined : this.nodeValues[at];
  }

  getString(key: string): LuaValue {
    const nodeIndex = this.nodeIndex;
    if (nodeIndex === null) return undefined;
    const at = nodeIndex.get(key);
    return at === undefined ? undefined : this.nodeValues[at];
  }

  /** Raw assignment (no metamethods, no readonly check). Throws TableKeyError for nil/NaN keys. */
  set(key: LuaValue, value: LuaValue): void {
    if (typeof key === 'number') {
      const index = key - 1;
      if (index >= 0 && index < this.arr.length && Number.isInteger(index)) {
        this.arr[index] = value;
        return;
      }
      if (Number.isNaN(key)) throw new TableKeyError('table index is NaN');
    } else if (key === undefined) {
      throw new TableKeyError('table index is nil');
    }
    const at = this.nodeIndex?.get(key);
    if (at !== undefined) {
      this.nodeValues[at] = value;
      return;
    }
    // luaH_set: a missing key gets a node even when the value is nil, as in 5.1.
    const slot = this.newKey(key);
    if (slot >= 0) this.nodeValues[slot] = value;
    else this.arr[-slot - 1] = value;
  }

  /**
   * ltable.c's newkey: places `key` in its main position or a free node, moving a colliding key
   * that is not in its own main position; a full hash part is rehashed first. Returns the node
   * index, or -(i + 1) when after a rehash the key belongs to array slot i.
   */
  private newKey(key: LuaValue): number {
    const keys = this.nodeKeys;
    if (keys === null) return this.rehashAndPlace(key);
    const size = keys.length;
    let mp = mainPosition(key, size);
    if (this.nodeValues[mp] !== undefined) {
      const free = this.freePosition();
      if (free < 0) return this.rehashAndPlace(key);
      const next = this.nodeNext;
      const collidingKey = keys[mp];
      let other = mainPosition(collidingKey, size);
      if (other !== mp) {
        // The colliding key sits outside its own main position: it moves to the free node.
        while (next[other] !== mp) other = next[other];
        next[other] = free;
        keys[free] = collidingKey;
        this.nodeValues[free] = this.nodeValues[mp];
        next[free] = next[mp];
        (this.nodeIndex as Map<LuaValue, number>).set(collidingKey, free);
        next[mp] = -1;
        keys[mp] = undefined;
        this.nodeValues[mp] = undefined;
      } else {
        next[free] = next[mp];
        next[mp] = free;
        mp = free;
      }
    }
    const nodeIndex = this.nodeIndex as Map<LuaValue, number>;
    // A node whose value is nil may be taken over: its old key is gone then, as in 5.1.
    const previous = keys[mp];
    if (previous !== undefined) nodeIndex.delete(previous);
    keys[mp] = key;
    nodeIndex.set(key, mp);
    return mp;
  }

  private rehashAndPlace(key: LuaValue): number {
    this.rehash(key);
    const index = arrayIndex(key) - 1;
    if (index >= 0 && index < this.arr.length) return -(index + 1);
    return this.newKey(key);
  }

  /** getfreepos: the next node down from lastFree with no key, or -1. */
  private freePosition(): number {
    const keys = this.nodeKeys as LuaValue[];
    while (this.lastFree > 0) {
      this.lastFree--;
      if (keys[this.lastFree] === undefined) return this.lastFree;
    }
    return -1;
  }

  private setNodeVector(size: number): void {
    if (size === 0) {
      this.nodeKeys = null;
      this.nodeValues = [];
      this.nodeNext = EMPTY_CHAIN;
      this.nodeIndex = null;
      this.lastFree = 0;
      return;
    }
    const log = ceilLog2(size);
    if (log > MAX_BITS) throw new TableKeyError('table overflow');
    const nodes = 2 ** log;
    this.nodeKeys = nilSlots(nodes);
    this.nodeValues = nilSlots(nodes);
    this.nodeNext = new Int32Array(nodes).fill(-1);
    this.nodeIndex = new Map();
    this.lastFree = nodes;
  }

  /** rehash: sizes both parts for the keys in use plus `extraKey`, as computesizes does. */
  private rehash(extraKey: LuaValue): void {
    const nums = new Array<number>(MAX_BITS + 1).fill(0);
    let arrayKeys = this.countArrayPart(nums);
    let totalUse = arrayKeys;
    const keys = this.nodeKeys;
    if (keys !== null) {
      const values = this.nodeValues;
      for (let i = keys.length - 1; i >= 0; i--) {
        if (values[i] !== undefined) {
          arrayKeys += countInteger(keys[i], nums);
          totalUse++;
        }
      }
    }
    arrayKeys += countInteger(extraKey, nums);
    totalUse++;
    // computesizes: the largest power of two n with more than n/2 of 1..n in use.
    let inArray = 0;
    let arraySize = 0;
    let below = 0;
    for (let i = 0, power = 1; power / 2 < arrayKeys; i++, power *= 2) {
      if (nums[i] > 0) {
        below += nums[i];
        if (below > power / 2) {
          arraySize = power;
          inArray = below;
        }
      }
      if (below === arrayKeys) break;
    }
    this.resize(arraySize, totalUse - inArray);
  }

  /** numusearray: non-nil array slots counted per power-of-two slice. */
  private countArrayPart(nums: number[]): number {
    const arr = this.arr;
    let total = 0;
    let i = 1;
    for (let lg = 0, limit = 1; lg <= MAX_BITS; lg++, limit *= 2) {
      let upper = limit;
      if (upper > arr.length) {
        upper = arr.length;
        if (i > upper) break;
      }
      let count = 0;
      for (; i <= upper; i++) if (arr[i - 1] !== undefined) count++;
      nums[lg] += count;
      total += count;
    }
    return total;
  }

  /** ltable.c's resize: new array and node sizes, keys re-placed in its order. */
  private resize(arraySize: number, hashSize: number): void {
    const arr = this.arr;
    const oldArraySize = arr.length;
    const oldKeys = this.nodeKeys;
    const oldValues = this.nodeValues;
    if (arraySize > oldArraySize) {
      for (let i = oldArraySize; i < arraySize; i++) arr.push(undefined);
    }
    this.setNodeVector(hashSize);
    if (arraySize < oldArraySize) {
      const vanishing = arr.slice(arraySize);
      arr.length = arraySize;
      for (let i = 0; i < vanishing.length; i++) {
        if (vanishing[i] !== undefined) this.set(arraySize + i + 1, vanishing[i]);
      }
    }
    if (oldKeys !== null) {
      const arraySlots = this.arr;
      for (let i = oldKeys.length - 1; i >= 0; i--) {
        const value = oldValues[i];
        if (value === undefined) continue;
        const key = oldKeys[i];
        // Keys are distinct and the new parts have room: no lookup, no further rehash.
        const index = arrayIndex(key) - 1;
        if (index >= 0 && index < arraySlots.length) arraySlots[index] = value;
        else this.nodeValues[this.newKey(key)] = value;
      }
    }
  }

  /** luaH_resizearray (a constructor's SETLIST past the presized array). */
  resizeArray(arraySize: number): void {
    this.resize(arraySize, this.nodeCount);
  }

  /** The length operator without __len (5.1 has none for tables): luaH_getn's border. */
  length(): number {
    const arr = this.arr;
    let j = arr.length;
    if (j > 0 && arr[j - 1] === undefined) {
      let i = 0;
      while (j - i > 1) {
        const m = Math.floor((i + j) / 2);
        if (arr[m - 1] === undefined) j = m;
        else i = m;
      }
      return i;
    }
    if (this.nodeKeys === null) return j;
    return this.unboundSearch(j);
  }

  private unboundSearch(start: number): number {
    let i = start;
    let j = start + 1;
    while (this.get(j) !== undefined) {
      i = j;
      j *= 2;
      if (j > 2147483647) {
        // Built to defeat the doubling: a linear scan, as 5.1 falls back to.
        let k = 1;
        while (this.get(k) !== undefined) k++;
        return k - 1;
      }
    }
    while (j - i > 1) {
      const m = Math.floor((i + j) / 2);
      if (this.get(m) === undefined) j = m;
      else i = m;
    }
    return i;
  }

  /**
   * Traversal slots: the array part's, then the hash part's nodes, in the order next() visits
   * them. slotValue(i) is undefined for an empty slot.
   */
  get slotCount(): number {
    return this.arr.length + this.nodeCount;
  }

  slotKey(slot: number): LuaValue {
    const arraySize = this.arr.length;
    return slot < arraySize ? slot + 1 : (this.nodeKeys as LuaValue[])[slot - arraySize];
  }

  slotValue(slot: number): LuaValue {
    const arraySize = this.arr.length;
    return slot < arraySize ? this.arr[slot] : this.nodeValues[slot - arraySize];
  }

  /** The traversal slot of `key` (findindex); -1 for nil; throws for a key not in the table. */
  slotOf(key: LuaValue): number {
    if (key === undefined) return -1;
    if (typeof key === 'number') {
      const index = key - 1;
      if (index >= 0 && index < this.arr.length && Number.isInteger(index)) return index;
    }
    const at = this.nodeIndex?.get(key);
    if (at === undefined) throw new TableKeyError("invalid key to 'next'");
    return this.arr.length + at;
  }

  /**
   * next(t, key): the entry after `key` (undefined: the first), or undefined at the end.
   * Throws TableKeyError("invalid key to 'next'") for a key not in the table.
   */
  next(key: LuaValue): [LuaValue, LuaValue] | undefined {
    const count = this.slotCount;
    for (let slot = this.slotOf(key) + 1; slot < count; slot++) {
      const value = this.slotValue(slot);
      if (value !== undefined) return [this.slotKey(slot), value];
    }
    return undefined;
  }

  /** Calls `visit` for every entry in next() order. */
  forEach(visit: (key: LuaValue, value: LuaValue) => void): void {
    const arr = this.arr;
    for (let i = 0; i < arr.length; i++) if (arr[i] !== undefined) visit(i + 1, arr[i]);
    const keys = this.nodeKeys;
    if (keys === null) return;
    const values = this.nodeValues;
    for (let i = 0; i < keys.length; i++) if (values[i] !== undefined) visit(keys[i], values[i]);
  }

  /**
   * Makes this table what lua_newtable plus lua_rawseti of values[from..to) in order builds (Redis's
   * KEYS and ARGV): the array part grown by doubling to the next power of two, no hash part.
   */
  fillSequence(values: readonly string[], from: number, to: number): void {
    const count = to - from;
    let size = 0;
    if (count > 0) size = 2 ** ceilLog2(count);
    const arr = this.arr;
    // Refilled by push: a length set far ahead can turn the array into a dictionary (see nilSlots).
    arr.length = 0;
    for (let i = 0; i < size; i++) arr.push(i < count ? values[from + i] : undefined);
    this.setNodeVector(0);
  }

  /** Empties the table, keeping nothing of its layout (a fresh table's). */
  clear(): void {
    this.arr = [];
    this.setNodeVector(0);
  }
}

const EMPTY_CHAIN = new Int32Array(0);

/**
 * `count` nil slots in a packed array: `new Array(n)` of 32K and more starts out in V8's
 * dictionary mode, where every slot access is a hash lookup.
 */
function nilSlots(count: number): LuaValue[] {
  const slots: LuaValue[] = [];
  for (let i = 0; i < count; i++) slots.push(undefined);
  return slots;
}

export function typeName(value: LuaValue): string {
  switch (typeof value) {
    case 'undefined':
      return 'nil';
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    default:
      if (value instanceof LuaTable) return 'table';
      if (value instanceof LuaFunction) return 'function';
      if (value instanceof LuaUserdata) return 'userdata';
      return 'thread';
  }
}

/** Lua's truth: everything but nil and false. */
export function truthy(value: LuaValue): boolean {
  return value !== undefined && value !== false;
}

/** tostring of a number as Lua 5.1 prints it: "%.14g" (integers of 15 digits already take the exponent form). */
export function numberToString(value: number): string {
  // Integers of up to 14 digits print in full under "%.14g"; from 1e14 on it switches to an exponent.
  if (Number.isInteger(value) && Math.abs(value) < 1e14) return Object.is(value, -0) ? '-0' : String(value);
  return formatG(value, 14);
}

const nanProbe = new Float64Array(1);
const nanProbeBytes = new Uint8Array(nanProbe.buffer);

/** Whether a NaN has its sign bit set (V8 keeps the bits of a NaN it computed). */
function nanSignBit(value: number): boolean {
  nanProbe[0] = value;
  return (nanProbeBytes[7] & 0x80) !== 0;
}

/**
 * C's "%.<precision>g" for a double, as glibc prints it (inf, -inf, nan, and -nan for a NaN with its
 * sign bit set, as x86's 0/0 makes it). glibc rounds the exact binary value, so an exact tie goes to the even digit
 * (tostring(12345678901234.5) is "12345678901234"), where JavaScript's toExponential/toFixed round
 * ties away from zero.
 */
export function formatG(value: number, precision: number): string {
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  if (Number.isNaN(value)) return nanSignBit(value) ? '-nan' : 'nan';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const significant = precision === 0 ? 1 : precision;
  const negative = value < 0;
  const positive = negative ? -value : value;
  if (!roundShortest(positive, significant)) roundSignificant(positive, significant);
  // The digits carry no trailing zeros; the layout puts back those before the point.
  const digits = roundedDigits;
  const exponent = roundedExponent;
  let body: string;
  if (exponent < -4 || exponent >= significant) {
    const abs = exponent < 0 ? -exponent : exponent;
    const mantissa = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
    body = `${mantissa}e${exponent < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
  } else if (exponent >= 0) {
    body =
      digits.length > exponent + 1
        ? `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`
        : digits + '0'.repeat(exponent + 1 - digits.length);
  } else {
    body = `0.${'0'.repeat(-exponent - 1)}${digits}`;
  }
  return negative ? '-' + body : body;
}

function stripTrailingZeros(digits: string): string {
  let end = digits.length;
  while (end > 0 && digits.charCodeAt(end - 1) === 48) end--;
  return end === digits.length ? digits : digits.slice(0, end);
}

// The rounding's result: significant digits without a point or trailing zeros, and the decimal
// exponent of the first.
let roundedDigits = '';
let roundedExponent = 0;

/** Splits toExponential's "d.ddde+X" into roundedDigits/roundedExponent, leaving out `drop` digits. */
function takeExponential(text: string, drop: number): void {
  const eIndex = text.indexOf('e');
  const digits = eIndex === 1 ? text[0] : text[0] + text.slice(2, eIndex);
  roundedDigits = stripTrailingZeros(drop === 0 ? digits : digits.slice(0, digits.length - drop));
  if (roundedDigits === '') roundedDigits = '0';
  roundedExponent = Number(text.slice(eIndex + 1));
}

/** Adds one unit in the last place of roundedDigits (whose digits are all kept). */
function roundUpDigits(digits: string): void {
  let i = digits.length - 1;
  while (i >= 0 && digits.charCodeAt(i) === 57) i--;
  if (i < 0) {
    roundedDigits = '1';
    roundedExponent++;
    return;
  }
  roundedDigits = digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1);
}

/** The smallest normal double: below it the shortest digits may be far from the exact value. */
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * The fast way, for up to 15 digits of a normal double: rounds JavaScript's shortest round-trip
 * digits of `positive`. Those lie within half a unit of the 16th significant digit of the exact
 * value, and closer to it than any other decimal of their length, so no rounding boundary of
 * `significant` digits falls between the two, except when the shortest digits end exactly on one
 * (a 5 just past the kept digits): then the exact value decides, and this returns false.
 */
function roundShortest(positive: number, significant: number): boolean {
  if (significant > 15 || positive < MIN_NORMAL) return false;
  const text = String(positive);
  const eIndex = text.indexOf('e');
  const mantissaEnd = eIndex < 0 ? text.length : eIndex;
  const point = text.indexOf('.');
  const integerDigits = point < 0 || point > mantissaEnd ? mantissaEnd : point;
  let digits = point < 0 || point > mantissaEnd ? text.slice(0, mantissaEnd) : text.slice(0, point) + text.slice(point + 1, mantissaEnd);
  let leadingZeros = 0;
  while (digits.charCodeAt(leadingZeros) === 48) leadingZeros++;
  digits = stripTrailingZeros(digits.slice(leadingZeros));
  roundedExponent = integerDigits - leadingZeros - 1 + (eIndex < 0 ? 0 : Number(text.slice(eIndex + 1)));
  if (digits.length <= significant) {
    roundedDigits = digits;
    return true;
  }
  const next = digits.charCodeAt(significant);
  if (next === 53 && digits.length === significant + 1) return false;
  const kept = digits.slice(0, significant);
  if (next >= 53) roundUpDigits(kept);
  else roundedDigits = stripTrailingZeros(kept);
  return true;
}

/**
 * `positive` rounded to `significant` digits, half to even on the exact value. One digit more is
 * asked for first: unless that digit is a 5, rounding it away equals rounding the exact value; a 5
 * may be an exact tie, the one case where JavaScript (away from zero) and glibc (to even) differ.
 */
function roundSignificant(positive: number, significant: number): void {
  if (significant >= 100) {
    // toExponential stops at 100 fraction digits; Lua's string.format refuses precisions past 99.
    takeExponential(positive.toExponential(Math.min(significant - 1, 100)), 0);
    return;
  }
  const longer = positive.toExponential(significant);
  const eIndex = longer.indexOf('e');
  takeExponential(longer, 1);
  const extra = longer.charCodeAt(eIndex - 1);
  if (extra === 53) {
    const lastKept = longer.charCodeAt(significant === 1 ? 0 : eIndex - 2);
    if ((lastKept & 1) === 0 && isExactDecimal(positive, longer)) return;
    takeExponential(positive.toExponential(significant - 1), 0);
    return;
  }
  if (extra < 53) return;
  roundUpDigits(longer[0] + longer.slice(2, eIndex - 1));
}

const float64 = new Float64Array(1);
const float64Words = new Uint32Array(float64.buffer);
const lowWord = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/** Whether the decimal `text` (toExponential's form) is exactly the double `positive`. */
function isExactDecimal(positive: number, text: string): boolean {
  if (Number(text) !== positive) return false;
  const eIndex = text.indexOf('e');
  const digits = BigInt(text[0] + text.slice(2, eIndex));
  const decimalExponent = Number(text.slice(eIndex + 1)) - (eIndex - 2);
  float64[0] = positive;
  const high = float64Words[1 - lowWord];
  const biased = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(float64Words[lowWord]);
  if (biased !== 0) mantissa |= 1n << 52n;
  const binaryExponent = (biased === 0 ? 1 : biased) - 1075;
  let left = digits;
  let right = mantissa;
  if (decimalExponent >= 0) left *= 10n ** BigInt(decimalExponent);
  else right *= 10n ** BigInt(-decimalExponent);
  if (binaryExponent >= 0) right <<= BigInt(binaryExponent);
  else left <<= BigInt(-binaryExponent);
  return left === right;
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

/**
 * luaO_str2d: a string's number the way 5.1 converts it (tonumber, arithmetic on strings):
 * C's strtod (decimal, hexadecimal, inf, nan), falling back to strtoul base 16 for "0x...",
 * surrounding whitespace allowed, nothing else. undefined when it is not a number.
 */
export function stringToNumber(text: string): number | undefined {
  let start = 0;
  let end = text.length;
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  if (start === end) return undefined;
  const body = text.slice(start, end);
  const decimal = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
  if (decimal.test(body)) return Number(body);
  const hex = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/.exec(body);
  if (hex !== null) {
    const whole = hex[2];
    const fraction = hex[3] ?? '';
    if (whole === '' && fraction === '') return undefined;
    let value = 0;
    for (const c of whole) value = value * 16 + parseInt(c, 16);
    let scale = 1 / 16;
    for (const c of fraction) {
      value += parseInt(c, 16) * scale;
      scale /= 16;
    }
    if (hex[4] !== undefined) value *= 2 ** Number(hex[4]);
    return hex[1] === '-' ? -value : value;
  }
  const special = /^([+-]?)(inf|infinity|nan(?:\([0-9a-zA-Z_]*\))?)$/i.exec(body);
  if (special !== null) {
    const value = special[2].toLowerCase().startsWith('inf') ? Infinity : NaN;
    return special[1] === '-' ? -value : value;
  }
  return undefined;
}

/** lua_tonumber: a number, or a string that converts. */
export function toNumber(value: LuaValue): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return stringToNumber(value);
  return undefined;
}

/** lua_tolstring without metamethods: strings and numbers, else undefined. */
export function toStringCoerced(value: LuaValue): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberToString(value);
  return undefined;
}
