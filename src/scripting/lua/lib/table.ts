// Lua 5.1's table library (ltablib.c). Element access is raw (lua_rawgeti/lua_rawseti), and
// sort is 5.1's quicksort step for step, so equal elements end in the same order and a
// comparator sees the same calls as in Redis.

import { type LuaRuntime, type LuaValue, EMPTY, LuaTable, NativeFunction, numberToString, typeName } from '../value.js';
import { checkFunction, checkInt, checkTable, optInt, optString } from './args.js';
import { lessThan } from './compare.js';
import { checkStringLength } from './string-limit.js';

/** lua_rawseti, with Redis's readonly tables (raised without position, from inside C). */
function rawSet(rt: LuaRuntime, table: LuaTable, index: number, value: LuaValue): void {
  if (table.readonly) rt.error('Attempt to modify a readonly table', 0);
  table.set(index, value);
}

function getn(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  return [checkTable(rt, args, 0, 'getn').length()];
}

function setn(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  checkTable(rt, args, 0, 'setn');
  return rt.error("'setn' is obsolete");
}

function maxn(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  const table = checkTable(rt, args, 0, 'maxn');
  let max = 0;
  table.forEach((key) => {
    if (typeof key === 'number' && key > max) max = key;
  });
  return [max];
}

function foreachi(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  const table = checkTable(rt, args, 0, 'foreachi');
  const n = table.length();
  const fn = checkFunction(rt, args, 1, 'foreachi');
  for (let i = 1; i <= n; i++) {
    const result = rt.call(fn, [i, table.get(i)])[0];
    if (result !== undefined) return [result];
  }
  return EMPTY;
}

function foreach(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  const table = checkTable(rt, args, 0, 'foreach');
  const fn = checkFunction(rt, args, 1, 'foreach');
  // lua_next's order, the slot count read afresh each step as the callback may change the table.
  for (let slot = 0; slot < table.slotCount; slot++) {
    const value = table.slotValue(slot);
    if (value === undefined) continue;
    const result = rt.call(fn, [table.slotKey(slot), value])[0];
    if (result !== undefined) return [result];
  }
  return EMPTY;
}

function insert(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  const table = checkTable(rt, args, 0, 'insert');
  let end = table.length() + 1;
  let position: number;
  switch (args.length) {
    case 2:
      position = end;
      break;
    case 3:
      position = checkInt(rt, args, 1, 'insert');
      if (position > end) end = position;
      shiftUp(rt, table, position, end);
      break;
    default:
      return rt.error("wrong number of arguments to 'insert'");
  }
  rawSet(rt, table, position, args[args.length - 1]);
  return EMPTY;
}

/**
 * for (i = end; i > position; i--) t[i] = t[i-1]. Below index 1 only the hash part can hold
 * values, and a step where both t[i] and t[i-1] are nil changes nothing, so that stretch visits
 * just the steps next to an integer key (a position like -2^31 must not loop 2^31 times).
 */
function shiftUp(rt: LuaRuntime, table: LuaTable, position: number, end: number): void {
  const denseStop = Math.max(position + 1, 2);
  for (let i = end; i >= denseStop; i--) rawSet(rt, table, i, table.get(i - 1));
  if (position >= 1) return;
  const steps = new Set<number>([1]);
  table.forEach((key) => {
    if (typeof key === 'number' && Number.isInteger(key) && key >= position && key <= 0) {
      steps.add(key + 1);
      if (key > position) steps.add(key);
    }
  });
  const ordered = Array.from(steps).sort((a, b) => b - a);
  for (const i of ordered) rawSet(rt, table, i, table.get(i - 1));
}

function remove(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  const table = checkTable(rt, args, 0, 'remove');
  const end = table.length();
  let position = optInt(rt, args, 1, 'remove', end);
  if (!(1 <= position && position <= end)) return EMPTY;
  const result = table.get(position);
  for (; position < end; position++) rawSet(rt, table, position, table.get(position + 1));
  rawSet(rt, table, end, undefined);
  return [result];
}

function concat(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  const separator = optString(rt, args, 1, 'concat', '');
  const table = checkTable(rt, args, 0, 'concat');
  let i = optInt(rt, args, 2, 'concat', 1);
  const last = args[3] === undefined ? table.length() : checkInt(rt, args, 3, 'concat');
  let out = '';
  for (; i < last; i++) {
    const field = concatField(rt, table, i);
    checkStringLength(rt, out.length + field.length + separator.length);
    out += field + separator;
  }
  if (i === last) {
    const field = concatField(rt, table, i);
    checkStringLength(rt, out.length + field.length);
    out += field;
  }
  return [out];
}

function concatField(rt: LuaRuntime, table: LuaTable, index: number): string {
  const value = table.get(index);
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberToString(value);
  return rt.error(`invalid value (${typeName(value)}) at index ${index} in table for 'concat'`);
}

// ---------------------------------------------------------------------------------------------
// sort: auxsort() of ltablib.c (Sedgewick's quicksort, median of three, recursion on the smaller
// half). Reads and writes are raw and happen in the C order.

class Sorter {
  constructor(
    readonly rt: LuaRuntime,
    readonly table: LuaTable,
    readonly comparator: LuaValue,
  ) {}

  /** sort_comp(a, b): a < b by the comparator or by `<`. */
  less(a: LuaValue, b: LuaValue): boolean {
    if (this.comparator === undefined) {
      if (typeof a === 'number' && typeof b === 'number') return a < b;
      return lessThan(this.rt, a, b, 0);
    }
    const result = this.rt.call(this.comparator, [a, b])[0];
    return result !== undefined && result !== false;
  }

  get(i: number): LuaValue {
    return this.table.get(i);
  }

  set(i: number, value: LuaValue): void {
    rawSet(this.rt, this.table, i, value);
  }

  sort(lo: number, up: number): void {
    while (lo < up) {
      let a = this.get(lo);
      let b = this.get(up);
      if (this.less(b, a)) {
        this.set(lo, b);
        this.set(up, a);
      }
      if (up - lo === 1) break;
      let i = Math.floor((lo + up) / 2);
      a = this.get(i);
      b = this.get(lo);
      if (this.less(a, b)) {
        this.set(i, b);
        this.set(lo, a);
      } else {
        b = this.get(up);
        if (this.less(b, a)) {
          this.set(i, b);
          this.set(up, a);
        }
      }
      if (up - lo === 2) break;
      const pivot = this.get(i);
      this.set(i, this.get(up - 1));
      this.set(up - 1, pivot);
      i = lo;
      let j = up - 1;
      for (;;) {
        let left = this.get(++i);
        while (this.less(left, pivot)) {
          if (i > up) this.rt.error('invalid order function for sorting');
          left = this.get(++i);
        }
        let right = this.get(--j);
        while (this.less(pivot, right)) {
          if (j < lo) this.rt.error('invalid order function for sorting');
          right = this.get(--j);
        }
        if (j < i) break;
        this.set(i, right);
        this.set(j, left);
      }
      const last = this.get(up - 1);
      this.set(up - 1, this.get(i));
      this.set(i, last);
      let from: number;
      let to: number;
      if (i - lo < up - i) {
        from = lo;
        to = i - 1;
        lo = i + 1;
      } else {
        from = i + 1;
        to = up;
        up = i - 1;
      }
      this.sort(from, to);
    }
  }
}

function sort(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  const table = checkTable(rt, args, 0, 'sort');
  const n = table.length();
  const comparator = args[1];
  if (comparator !== undefined) checkFunction(rt, args, 1, 'sort');
  else if (n > 1 && n <= table.arr.length && !table.readonly && sortPlainValues(table.arr, n)) return EMPTY;
  new Sorter(rt, table, comparator).sort(1, n);
  return EMPTY;
}

/**
 * All numbers (no NaN, no -0) or all strings, compared with `<`: no callback can run, no error
 * can occur, and equal elements are indistinguishable, so the only possible outcome is the sorted
 * array, which any sort produces. Returns false (array untouched) for other contents. Sorts
 * arr[0..n), the array part's share of the table's 1..n.
 */
function sortPlainValues(arr: LuaValue[], n: number): boolean {
  const first = arr[0];
  if (typeof first === 'number') {
    const numbers = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const value = arr[i];
      if (typeof value !== 'number' || value !== value || (value === 0 && 1 / value < 0)) return false;
      numbers[i] = value;
    }
    numbers.sort();
    for (let i = 0; i < n; i++) arr[i] = numbers[i];
    return true;
  }
  if (typeof first === 'string') {
    for (let i = 1; i < n; i++) if (typeof arr[i] !== 'string') return false;
    // Latin1 strings: UTF-16 code unit order is byte order.
    const sorted = arr.slice(0, n).sort();
    for (let i = 0; i < n; i++) arr[i] = sorted[i];
    return true;
  }
  return false;
}

export function openTable(_rt: LuaRuntime): LuaTable {
  const lib = new LuaTable(0, 9);
  const functions: [string, (rt: LuaRuntime, args: LuaValue[]) => LuaValue[]][] = [
    ['concat', concat],
    ['foreach', foreach],
    ['foreachi', foreachi],
    ['getn', getn],
    ['maxn', maxn],
    ['insert', insert],
    ['remove', remove],
    ['setn', setn],
    ['sort', sort],
  ];
  for (const [name, impl] of functions) lib.set(name, new NativeFunction(name, impl));
  return lib;
}
