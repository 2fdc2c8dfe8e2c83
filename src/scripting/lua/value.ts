// The values of our Lua 5.1 implementation, shared by the compiler's runtime and every library.
//
//   nil      -> undefined          boolean -> boolean        number -> number (a double, as 5.1)
//   string   -> string, one char per byte (latin1), as every string in this code base, so Redis
//               arguments and replies pass through unconverted and comparisons are byte order
//   table    -> LuaTable           function -> LuaFunction (NativeFunction or the compiler's closure)
//   userdata -> LuaUserdata (cjson.null and the like)    thread -> LuaThread (coroutines)

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

/**
 * A Lua table: an array part for the keys 1..n (no trailing nil kept, so n is a border) and a
 * Map for every other key. A Map keeps insertion order, so pairs() visits the array part in
 * order, then the other keys in the order they were first set.
 */
export class LuaTable {
  arr: LuaValue[] = [];
  hash: Map<LuaValue, LuaValue> | null = null;
  metatable: LuaTable | null = null;
  /** Redis's lua_enablereadonlytable: assignments raise "Attempt to modify a readonly table". */
  readonly = false;
  /** The Map iterator of the last next() step into the hash part, and the key it returned. */
  private cursor: IterableIterator<[LuaValue, LuaValue]> | null = null;
  private cursorKey: LuaValue = undefined;

  get(key: LuaValue): LuaValue {
    if (typeof key === 'number') {
      const index = key - 1;
      if (index >= 0 && index < this.arr.length && Number.isInteger(index)) return this.arr[index];
    }
    return this.hash === null ? undefined : this.hash.get(key);
  }

  getString(key: string): LuaValue {
    return this.hash === null ? undefined : this.hash.get(key);
  }

  /** Raw assignment (no metamethods, no readonly check). Throws TableKeyError for nil/NaN keys. */
  set(key: LuaValue, value: LuaValue): void {
    if (typeof key === 'number') {
      if (Number.isInteger(key) && key >= 1) {
        const arr = this.arr;
        const length = arr.length;
        if (key <= length) {
          if (value === undefined && key === length) {
            arr.pop();
            while (arr.length > 0 && arr[arr.length - 1] === undefined) arr.pop();
          } else arr[key - 1] = value;
          return;
        }
        if (key === length + 1) {
          if (value === undefined) {
            this.hash?.delete(key);
            return;
          }
          arr.push(value);
          if (this.hash !== null && this.hash.size > 0) this.migrateFromHash();
          return;
        }
      } else if (Number.isNaN(key)) throw new TableKeyError('table index is NaN');
    } else if (key === undefined) throw new TableKeyError('table index is nil');
    if (value === undefined) {
      this.hash?.delete(key);
      return;
    }
    if (this.hash === null) this.hash = new Map();
    this.hash.set(key, value);
  }

  /** The keys n+1, n+2... set while the array part was shorter join it. */
  private migrateFromHash(): void {
    const hash = this.hash as Map<LuaValue, LuaValue>;
    for (;;) {
      const next = this.arr.length + 1;
      const value = hash.get(next);
      if (value === undefined) return;
      hash.delete(next);
      this.arr.push(value);
    }
  }

  /** The length operator without __len (5.1 has none for tables): a border. */
  length(): number {
    return this.arr.length;
  }

  /**
   * next(t, key): the entry after `key` (undefined: the first), or undefined at the end.
   * Throws TableKeyError("invalid key to 'next'") for a key not in the table.
   */
  next(key: LuaValue): [LuaValue, LuaValue] | undefined {
    const arr = this.arr;
    let start = 0;
    if (key !== undefined) {
      if (typeof key === 'number' && Number.isInteger(key) && key >= 1 && key <= arr.length) start = key;
      else return this.nextInHash(key);
    }
    for (let i = start; i < arr.length; i++) {
      if (arr[i] !== undefined) return [i + 1, arr[i]];
    }
    if (this.hash === null) return undefined;
    return this.advanceCursor(this.hash.entries());
  }

  private nextInHash(key: LuaValue): [LuaValue, LuaValue] | undefined {
    // A traversal by next() continues the Map iterator it left off (O(1) per step, and still
    // valid when the previous key was cleared meanwhile, as 5.1 allows).
    if (this.cursor !== null && this.cursorKey === key) return this.advanceCursor(this.cursor);
    if (this.hash === null || !this.hash.has(key)) throw new TableKeyError("invalid key to 'next'");
    const entries = this.hash.entries();
    for (;;) {
      const r = entries.next();
      if (r.done === true) return undefined;
      if (r.value[0] === key) return this.advanceCursor(entries);
    }
  }

  private advanceCursor(entries: IterableIterator<[LuaValue, LuaValue]>): [LuaValue, LuaValue] | undefined {
    const r = entries.next();
    if (r.done === true) {
      this.cursor = null;
      this.cursorKey = undefined;
      return undefined;
    }
    this.cursor = entries;
    this.cursorKey = r.value[0];
    return r.value;
  }
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
