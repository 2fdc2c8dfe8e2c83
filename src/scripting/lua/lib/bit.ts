// LuaBitOp 1.0.2 as Redis ships it (the global `bit`): 32-bit operations on Lua's doubles.
//
// An argument becomes 32 bits the way LuaBitOp does it on doubles: add 2^52+2^51, which rounds the
// number to an integer (half to even) in the low word of the double, and keep that low word. So
// 2^32+5 -> 5, 2.5 -> 2, 1e20 -> 2025163840, inf and NaN -> 0. Results are signed 32-bit numbers.

import { type LuaRuntime, type LuaValue, LuaTable, NativeFunction, stringToNumber } from '../value.js';
import { typeError } from './args.js';

const ROUNDING_BIAS = 6755399441055744.0; // 2^52 + 2^51
const scratch = new Float64Array(1);
const scratchWords = new Uint32Array(scratch.buffer);
const LOW_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/** The argument at `index` as 32 bits (a signed int32 in a JS number). */
function bitArg(rt: LuaRuntime, args: LuaValue[], index: number, fname: string): number {
  const value = args[index];
  let n: number;
  if (typeof value === 'number') {
    // An int32 already is its own result (-0 becoming 0); most arguments take this path.
    if ((value | 0) === value) return value | 0;
    n = value;
  } else {
    // lua_tonumber: 0 for anything that is not a number or a numeric string.
    n = typeof value === 'string' ? (stringToNumber(value) ?? 0) : 0;
  }
  scratch[0] = n + ROUNDING_BIAS;
  const bits = scratchWords[LOW_WORD] | 0;
  // LuaBitOp only notices a non-number when its bits come out 0, which they always do.
  if (bits === 0 && typeof value !== 'number' && (typeof value !== 'string' || stringToNumber(value) === undefined)) {
    typeError(rt, args, index, fname, 'number');
  }
  return bits;
}

function unary(name: string, op: (bits: number) => number): NativeFunction {
  return new NativeFunction(name, (rt, args) => [op(bitArg(rt, args, 0, name))]);
}

/** band/bor/bxor: the first argument, then the others from the last one down, as LuaBitOp. */
function fold(name: string, op: (a: number, b: number) => number): NativeFunction {
  return new NativeFunction(name, (rt, args) => {
    let bits = bitArg(rt, args, 0, name);
    for (let i = args.length - 1; i >= 1; i--) bits = op(bits, bitArg(rt, args, i, name));
    return [bits];
  });
}

function shift(name: string, op: (bits: number, count: number) => number): NativeFunction {
  return new NativeFunction(name, (rt, args) => {
    const bits = bitArg(rt, args, 0, name);
    const count = bitArg(rt, args, 1, name) & 31;
    return [op(bits, count)];
  });
}

const LOWER_HEX = '0123456789abcdef';
const UPPER_HEX = '0123456789ABCDEF';

function tohex(rt: LuaRuntime, args: LuaValue[]): LuaValue[] {
  let bits = bitArg(rt, args, 0, 'tohex');
  let count = args.length < 2 ? 8 : bitArg(rt, args, 1, 'tohex');
  let digits = LOWER_HEX;
  if (count < 0) {
    digits = UPPER_HEX;
    // -(-2^31) stays negative in C; what the build does with it is eight digits.
    count = count === -2147483648 ? 8 : -count;
  }
  if (count > 8) count = 8;
  let text = '';
  for (let i = 0; i < count; i++) {
    text = digits[bits & 15] + text;
    bits >>>= 4;
  }
  return [text];
}

export function openBit(_rt: LuaRuntime): LuaTable {
  const lib = new LuaTable();
  const functions = [
    unary('tobit', (b) => b),
    unary('bnot', (b) => ~b),
    fold('band', (a, b) => a & b),
    fold('bor', (a, b) => a | b),
    fold('bxor', (a, b) => a ^ b),
    shift('lshift', (b, n) => b << n),
    shift('rshift', (b, n) => (b >>> n) | 0),
    shift('arshift', (b, n) => b >> n),
    // A rotation by 0 is the value itself (C's b >> 32 is masked to b >> 0 on x86, and so is JS's).
    shift('rol', (b, n) => (b << n) | (b >>> (32 - n))),
    shift('ror', (b, n) => (b << (32 - n)) | (b >>> n)),
    unary('bswap', (b) => ((b >>> 24) | ((b >>> 8) & 0xff00) | ((b & 0xff00) << 8) | (b << 24)) | 0),
    new NativeFunction('tohex', tohex),
  ];
  for (const fn of functions) lib.set(fn.name, fn);
  return lib;
}
