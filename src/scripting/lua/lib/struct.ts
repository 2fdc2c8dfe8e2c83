// The struct library Redis ships (struct.c 1.7 by Roberto Ierusalimschy): pack, unpack and size
// of binary records, with the sizes and alignment of the x86-64 build Redis runs on.
//
// Format: '<' little / '>' big endian (native: little), '![n]' maximum alignment (default 8),
// 'x' a zero byte, 'b'/'B' char, 'h'/'H' short, 'l'/'L' long, 'T' size_t, 'i'/'I'[n] int of n
// bytes (default 4, at most 32), 'f' float, 'd' double, 'c'[n] n chars (c0: the whole string when
// packing, the previous number's count when unpacking), 's' zero-terminated string, ' ' ignored.
// The format is a C string: it ends at its first zero byte.

import { type LuaRuntime, type LuaValue, LuaTable, NativeFunction, stringToNumber } from '../value.js';
import { argError, checkNumber, checkString, optNumber } from './args.js';
import { toInt64 } from './c-numbers.js';
import { checkStringLength } from './string-limit.js';

const BIG = 0;
const LITTLE = 1;
const MAX_INT_SIZE_BYTES = 32;
/** The alignment of a double on x86-64, which '!' alone selects. */
const MAX_ALIGN_BYTES = 8;
/** LUAI_MAXCSTACK: the most stack slots a C function may use (arguments and results). */
const LUA_STACK_LIMIT_SLOTS = 8000;
const INT_MAX = 2147483647;
const UINT64_MASK = (1n << 64n) - 1n;

const scratch = new DataView(new ArrayBuffer(8));

/** A walk over a format, with the header options it has set so far. */
class FormatCursor {
  pos = 0;
  endian = LITTLE;
  align = 1;
  readonly end: number;

  constructor(
    readonly rt: LuaRuntime,
    readonly fmt: string,
    readonly fname: string,
  ) {
    const nul = fmt.indexOf('\0');
    this.end = nul < 0 ? fmt.length : nul;
  }

  more(): boolean {
    return this.pos < this.end;
  }

  next(): number {
    return this.fmt.charCodeAt(this.pos++);
  }

  private isDigitAt(pos: number): boolean {
    if (pos >= this.end) return false;
    const c = this.fmt.charCodeAt(pos);
    return c >= 48 && c <= 57;
  }

  /** A decimal count following an option, or `fallback` when none follows. */
  number(fallback: number): number {
    if (!this.isDigitAt(this.pos)) return fallback;
    let value = 0;
    do {
      const digit = this.fmt.charCodeAt(this.pos) - 48;
      if (value > Math.floor(INT_MAX / 10) || value * 10 > INT_MAX - digit) this.rt.error('integral size overflow');
      value = value * 10 + digit;
      this.pos++;
    } while (this.isDigitAt(this.pos));
    return value;
  }

  /** The size in bytes of option `opt` (reading its count), 0 for options that take no room. */
  size(opt: number): number {
    switch (opt) {
      case 98: // b
      case 66: // B
      case 120: // x
        return 1;
      case 104: // h
      case 72: // H
        return 2;
      case 108: // l
      case 76: // L
      case 84: // T
      case 100: // d
        return 8;
      case 102: // f
        return 4;
      case 99: // c
        return this.number(1);
      case 105: // i
      case 73: {
        // I
        const size = this.number(4);
        if (size > MAX_INT_SIZE_BYTES) this.rt.error(`integral size ${size} is larger than limit of ${MAX_INT_SIZE_BYTES}`);
        return size;
      }
      default:
        return 0;
    }
  }

  /** Padding before an item of `size` bytes at offset `offset` (struct.c's gettoalign, as is). */
  padding(offset: number, opt: number, size: number): number {
    if (size === 0 || opt === 99) return 0;
    const unit = size > this.align ? this.align : size;
    return (unit - (offset & (unit - 1))) & (unit - 1);
  }

  /** The options that are not items: spaces, endianness, alignment; anything else is refused. */
  control(opt: number): void {
    switch (opt) {
      case 32:
        return;
      case 62: // >
        this.endian = BIG;
        return;
      case 60: // <
        this.endian = LITTLE;
        return;
      case 33: {
        // !
        const align = this.number(MAX_ALIGN_BYTES);
        if (!(align > 0 && (align & (align - 1)) === 0)) this.rt.error(`alignment ${align} is not a power of 2`);
        this.align = align;
        return;
      }
      default:
        argError(this.rt, 0, this.fname, `invalid format option '${String.fromCharCode(opt)}'`);
    }
  }
}

function isIntegerOption(opt: number): boolean {
  // b B h H l L T i I
  return opt === 98 || opt === 66 || opt === 104 || opt === 72 || opt === 108 || opt === 76 || opt === 84 || opt === 105 || opt === 73;
}

/**
 * The 64 bits putinteger stores for `n`: (unsigned long)(long)n below zero, (unsigned long)n
 * otherwise, with x86-64's results out of range (2^64 and more give 0, NaN gives 2^63).
 */
function integerBits(n: number): bigint {
  if (n < 0) return BigInt.asUintN(64, BigInt(toInt64(n)));
  if (Number.isNaN(n)) return 1n << 63n;
  if (n >= 18446744073709551616) return 0n;
  return BigInt(Math.trunc(n));
}

function integerBytes(n: number, size: number, endian: number): string {
  let bits = integerBits(n);
  const bytes = new Array<number>(size);
  for (let i = 0; i < size; i++) {
    bytes[endian === LITTLE ? i : size - 1 - i] = Number(bits & 0xffn);
    bits >>= 8n;
  }
  return String.fromCharCode(...bytes);
}

/** The bytes of `scratch` from 0 to `size`, little-endian first when `endian` is LITTLE. */
function scratchBytes(size: number): string {
  let text = '';
  for (let i = 0; i < size; i++) text += String.fromCharCode(scratch.getUint8(i));
  return text;
}

function floatBytes(n: number, endian: number): string {
  // A NaN keeps its sign in C; JavaScript's has none, so NaN is stored as x86's default NaN (0/0).
  if (Number.isNaN(n)) scratch.setUint32(0, endian === LITTLE ? 0x0000c0ff : 0xffc00000);
  else scratch.setFloat32(0, n, endian === LITTLE);
  return scratchBytes(4);
}

function doubleBytes(n: number, endian: number): string {
  if (Number.isNaN(n)) {
    scratch.setUint32(0, endian === LITTLE ? 0 : 0xfff80000);
    scratch.setUint32(4, endian === LITTLE ? 0x0000f8ff : 0);
  } else scratch.setFloat64(0, n, endian === LITTLE);
  return scratchBytes(8);
}

function pack(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  const cursor = new FormatCursor(rt, checkString(rt, args, 0, 'pack'), 'pack');
  // struct.c pushes a nil right after the arguments, so the first missing one is "got nil".
  const values = args.length === 0 ? args : [...args, undefined];
  let arg = 1;
  let total = 0;
  const out: string[] = [];
  while (cursor.more()) {
    checkStringLength(rt, total);
    const opt = cursor.next();
    let size = cursor.size(opt);
    const padding = cursor.padding(total, opt, size);
    if (padding > 0) out.push('\0'.repeat(padding));
    total += padding;
    if (isIntegerOption(opt)) {
      out.push(integerBytes(checkNumber(rt, values, arg++, 'pack'), size, cursor.endian));
    } else if (opt === 120) {
      out.push('\0');
    } else if (opt === 102) {
      out.push(floatBytes(checkNumber(rt, values, arg++, 'pack'), cursor.endian));
    } else if (opt === 100) {
      out.push(doubleBytes(checkNumber(rt, values, arg++, 'pack'), cursor.endian));
    } else if (opt === 99 || opt === 115) {
      const text = checkString(rt, values, arg++, 'pack');
      if (size === 0) size = text.length;
      // struct.c names the argument after the string (its counter has moved on).
      if (text.length < size) argError(rt, arg, 'pack', 'string too short');
      out.push(size === text.length ? text : text.slice(0, size));
      if (opt === 115) {
        out.push('\0');
        size++;
      }
    } else {
      cursor.control(opt);
    }
    total += size;
  }
  checkStringLength(rt, total);
  return [out.join('')];
}

/** Reads `size` bytes at `pos` as an integer (only the low 64 bits survive, as in struct.c). */
function readInteger(data: string, pos: number, endian: number, signed: boolean, size: number): number {
  if (size <= 4 && size > 0) {
    let value = 0;
    for (let i = 0; i < size; i++) {
      const byte = data.charCodeAt(endian === BIG ? pos + i : pos + size - 1 - i);
      value = value * 256 + byte;
    }
    if (signed && value >= 2 ** (size * 8 - 1)) value -= 2 ** (size * 8);
    return value;
  }
  let bits = 0n;
  for (let i = 0; i < size; i++) {
    const byte = data.charCodeAt(endian === BIG ? pos + i : pos + size - 1 - i);
    bits = ((bits << 8n) | BigInt(byte)) & UINT64_MASK;
  }
  if (!signed) return Number(bits);
  // The sign mask is ~0 << (size*8 - 1), a shift x86 takes modulo 64.
  const mask = (UINT64_MASK << BigInt((size * 8 - 1) & 63)) & UINT64_MASK;
  if ((bits & mask) !== 0n) bits |= mask;
  return Number(BigInt.asIntN(64, bits));
}

function readFloat(data: string, pos: number, size: number, endian: number): number {
  for (let i = 0; i < size; i++) scratch.setUint8(i, data.charCodeAt(pos + i));
  return size === 4 ? scratch.getFloat32(0, endian === LITTLE) : scratch.getFloat64(0, endian === LITTLE);
}

/** (size_t)d for c0's count, as x86-64 converts: negative counts and NaN are huge, 2^64 and more 0. */
function countFromNumber(n: number): number {
  if (Number.isNaN(n) || n <= -1) return Infinity;
  if (n >= 18446744073709551616) return 0;
  return Math.trunc(n);
}

/** Whether `size` bytes at `pos` lie within the data (a negative pos is a huge size_t: never). */
function fits(pos: number, size: number, length: number): boolean {
  return pos >= 0 && size <= length && pos <= length - size;
}

function unpack(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  const cursor = new FormatCursor(rt, checkString(rt, args, 0, 'unpack'), 'unpack');
  const data = checkString(rt, args, 1, 'unpack');
  const length = data.length;
  const offset = toInt64(optNumber(rt, args, 2, 'unpack', 1));
  // The offset is a size_t in struct.c: only 0 is refused; a negative one is past any data.
  if (offset === 0) argError(rt, 2, 'unpack', 'offset must be 1 or greater');
  // Kept signed: a negative `pos` stands for the huge unsigned value C computes with.
  let pos = offset - 1;
  const results: LuaValue[] = [];
  while (cursor.more()) {
    const opt = cursor.next();
    let size = cursor.size(opt);
    pos += cursor.padding(pos, opt, size);
    if (!fits(pos, size, length)) argError(rt, 1, 'unpack', 'data string too short');
    if (args.length + results.length + 2 > LUA_STACK_LIMIT_SLOTS) rt.error('stack overflow (too many results)');
    if (isIntegerOption(opt)) {
      // Lower-case options are the signed ones.
      results.push(readInteger(data, pos, cursor.endian, opt >= 97, size));
    } else if (opt === 120) {
      // padding: nothing to read
    } else if (opt === 102 || opt === 100) {
      results.push(readFloat(data, pos, size, cursor.endian));
    } else if (opt === 99) {
      if (size === 0) {
        const previous = results.length === 0 ? undefined : results[results.length - 1];
        const count = typeof previous === 'number' ? previous : typeof previous === 'string' ? stringToNumber(previous) : undefined;
        if (count === undefined) rt.error("format 'c0' needs a previous size");
        size = countFromNumber(count);
        results.pop();
        if (!fits(pos, size, length)) argError(rt, 1, 'unpack', 'data string too short');
      }
      results.push(data.slice(pos, pos + size));
    } else if (opt === 115) {
      const nul = data.indexOf('\0', pos);
      if (nul < 0) rt.error('unfinished string in data');
      size = nul - pos + 1;
      results.push(data.slice(pos, nul));
    } else {
      cursor.control(opt);
    }
    pos += size;
  }
  results.push(pos + 1);
  return results;
}

function isAlphanumeric(opt: number): boolean {
  return (opt >= 48 && opt <= 57) || (opt >= 65 && opt <= 90) || (opt >= 97 && opt <= 122);
}

function size(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  const cursor = new FormatCursor(rt, checkString(rt, args, 0, 'size'), 'size');
  let pos = 0;
  while (cursor.more()) {
    const opt = cursor.next();
    const itemSize = cursor.size(opt);
    pos += cursor.padding(pos, opt, itemSize);
    if (opt === 115) argError(rt, 0, 'size', "option 's' has no fixed size");
    else if (opt === 99 && itemSize === 0) argError(rt, 0, 'size', "option 'c0' has no fixed size");
    // Unknown letters and digits take no room here; other characters must be control options.
    if (!isAlphanumeric(opt)) cursor.control(opt);
    pos += itemSize;
  }
  return [pos];
}

export function openStruct(_rt: LuaRuntime): LuaTable {
  const lib = new LuaTable();
  lib.set('pack', new NativeFunction('pack', pack));
  lib.set('unpack', new NativeFunction('unpack', unpack));
  lib.set('size', new NativeFunction('size', size));
  return lib;
}

