// The struct library as redis-server 7.0.15 runs it: every expectation below was read from
// EVAL "return struct.<f>(...)" on redis-server (binary results compared as hex).
import { describe, expect, it } from 'vitest';
import { openStruct } from '../../../src/scripting/lua/lib/struct.js';
import type { LuaValue } from '../../../src/scripting/lua/value.js';
import { LuaTable } from '../../../src/scripting/lua/value.js';
import { FakeRuntime, callLib, fromHex, luaErrorOf, toHex } from './fake-redislibs-runtime.js';

const rt = new FakeRuntime();
const struct = openStruct(rt);
const call = (name: string, ...args: LuaValue[]): LuaValue[] => callLib(rt, struct, name, ...args);
const packHex = (...args: LuaValue[]): string => toHex(call('pack', ...args)[0]);
const bytes = (...codes: number[]): string => String.fromCharCode(...codes);

describe('struct.pack', () => {
  it('packs integers with their sizes and endianness', () => {
    expect(packHex('>i', 1)).toBe('00000001');
    expect(packHex('<i', -2)).toBe('feffffff');
    expect(packHex('b B h H l L T', -1, 255, -2, 65535, -3, 4, 5)).toBe('fffffefffffffdffffffffffffff04000000000000000500000000000000');
    expect(packHex('>i16', -1)).toBe('0000000000000000ffffffffffffffff');
    expect(packHex('<i16', -2)).toBe('feffffffffffffff0000000000000000');
    expect(packHex('>I3', 2 ** 24 + 5)).toBe('000005');
    expect(packHex('>I', -1)).toBe('ffffffff');
    expect(packHex('>B', 300)).toBe('2c');
    expect(packHex('>i', '12')).toBe('0000000c');
    expect(packHex('i0', 5)).toBe('');
  });

  it('converts out-of-range numbers as x86-64 does', () => {
    expect(packHex('>L', 2 ** 64)).toBe('0000000000000000');
    expect(packHex('>L', 2 ** 63)).toBe('8000000000000000');
    expect(packHex('>L', NaN)).toBe('8000000000000000');
    expect(packHex('>l', -(2 ** 64))).toBe('8000000000000000');
    expect(packHex('>l', 2 ** 64)).toBe('0000000000000000');
    expect(packHex('>l', 1.9)).toBe('0000000000000001');
    expect(packHex('>l', -1.9)).toBe('ffffffffffffffff');
  });

  it('aligns items under !', () => {
    expect(packHex('!4 b i', 1, 2)).toBe('0100000002000000');
    expect(packHex('! b d', 1, 2)).toBe('01000000000000000000000000000040');
    expect(packHex('!2 b d', 1, 2)).toBe('01000000000000000040');
    expect(packHex('!8 b i3', 1, 2)).toBe('010000020000');
    expect(packHex('!8 b i5', 1, 2)).toBe('01000000000200000000');
    expect(packHex('b!4i', 1, 2)).toBe('0100000002000000');
    expect(packHex('!16 b d', 1, 2)).toBe('01000000000000000000000000000040');
    expect(packHex('!', 1)).toBe('');
  });

  it('packs floats, doubles, chars, strings and padding', () => {
    expect(packHex('>f', 1.5)).toBe('3fc00000');
    expect(packHex('<f', 1.5)).toBe('0000c03f');
    expect(packHex('>d', 0.1)).toBe('3fb999999999999a');
    expect(packHex('f', 1e40)).toBe('0000807f');
    expect(packHex('>f', 1e-46)).toBe('00000000');
    expect(packHex('>f', 16777217)).toBe('4b800000');
    expect(packHex('>d', NaN)).toBe('fff8000000000000');
    expect(packHex('>f', NaN)).toBe('ffc00000');
    expect(packHex('c3', 'abcdef')).toBe('616263');
    expect(packHex('c0', 'abcdef')).toBe('616263646566');
    expect(packHex('c', 'xy')).toBe('78');
    expect(packHex('s', 'ab')).toBe('616200');
    expect(packHex('s', 'a\0b')).toBe('61006200');
    expect(packHex('x x')).toBe('0000');
    expect(packHex('i\0garbage', 1)).toBe('01000000');
  });

  it('raises Lua\'s memory error for a result longer than a string can be', () => {
    const big = 'x'.repeat(64 * 1024 * 1024);
    expect(luaErrorOf(() => call('pack', 'c0'.repeat(9), ...new Array<LuaValue>(9).fill(big)))).toBe('not enough memory');
  });

  it('raises struct.c\'s errors', () => {
    const cases: [LuaValue[], string][] = [
      [['c5', 'ab'], "bad argument #3 to 'pack' (string too short)"],
      [['bc5', 1, 'ab'], "bad argument #4 to 'pack' (string too short)"],
      [['i33', 1], 'integral size 33 is larger than limit of 32'],
      [['!3', 1], 'alignment 3 is not a power of 2'],
      [['!0', 1], 'alignment 0 is not a power of 2'],
      [['=i', 1], "bad argument #1 to 'pack' (invalid format option '=')"],
      [['q', 1], "bad argument #1 to 'pack' (invalid format option 'q')"],
      [['i', new LuaTable()], "bad argument #2 to 'pack' (number expected, got table)"],
      [['i'], "bad argument #2 to 'pack' (number expected, got nil)"],
      [['ii', 1], "bad argument #3 to 'pack' (number expected, got nil)"],
      [['b5', 1], "bad argument #1 to 'pack' (invalid format option '5')"],
      [['i99999999999', 1], 'integral size overflow'],
      [['c99999999999', 1], 'integral size overflow'],
      [['!1000000000000'], 'integral size overflow'],
      [[12], "bad argument #1 to 'pack' (invalid format option '1')"],
      [[], "bad argument #1 to 'pack' (string expected, got no value)"],
      [['\u00c8'], "bad argument #1 to 'pack' (invalid format option '\u00c8')"],
    ];
    for (const [args, message] of cases) expect(luaErrorOf(() => call('pack', ...args)), String(args[0])).toBe(`user_script:1: ${message}`);
  });
});

describe('struct.unpack', () => {
  it('unpacks items and returns the next position last', () => {
    expect(call('unpack', '>i', bytes(0, 0, 0, 1))).toEqual([1, 5]);
    expect(call('unpack', '<i', bytes(254, 255, 255, 255))).toEqual([-2, 5]);
    const packed = call('pack', 'b B h H l L T', -1, 255, -2, 65535, -3, 4, 5)[0];
    expect(call('unpack', 'b B h H l L T', packed)).toEqual([-1, 255, -2, 65535, -3, 4, 5, 31]);
    expect(call('unpack', '>L', fromHex('ffffffffffffffff'))).toEqual([18446744073709551616, 9]);
    expect(call('unpack', '>l', fromHex('8000000000000000'))).toEqual([-9223372036854775808, 9]);
    expect(call('unpack', '>f', bytes(63, 192, 0, 0))).toEqual([1.5, 5]);
    expect(call('unpack', '<d', call('pack', '<d', 0.1)[0])).toEqual([0.1, 9]);
    expect(call('unpack', '!4 b i', fromHex('0100000002000000'))).toEqual([1, 2, 9]);
    expect(call('unpack', '!8 b d', call('pack', '!8 b d', 1, 2.5)[0])).toEqual([1, 2.5, 17]);
    expect(call('unpack', 'xb', 'ab')).toEqual([98, 3]);
    expect(call('unpack', 'i', 'abcde', 2)).toEqual([1701077858, 6]);
    expect(call('unpack', 'i', 'abcd', 1.5)).toEqual([1684234849, 5]);
    expect(call('unpack', 'b', 'a', 1, 2, 3)).toEqual([97, 2]);
    expect(call('unpack', 'i\0x', 'abcd')).toEqual([1684234849, 5]);
  });

  it('keeps only the low 64 bits of wide integers, sign-extending with x86 shift rules', () => {
    expect(call('unpack', '>I16', '\xff'.repeat(16))).toEqual([18446744073709551616, 17]);
    expect(call('unpack', '>i16', '\xff'.repeat(16))).toEqual([-1, 17]);
    expect(call('unpack', '<i16', '\xff' + '\0'.repeat(15))).toEqual([255, 17]);
    expect(call('unpack', '<i9', '\0'.repeat(8) + '\x80')).toEqual([0, 10]);
    expect(call('unpack', '>i9', '\x80' + '\0'.repeat(8))).toEqual([0, 10]);
    expect(call('unpack', '>i9', '\0\x80' + '\0'.repeat(7))).toEqual([-128, 10]);
    expect(call('unpack', 'i0', '')).toEqual([0, 1]);
  });

  it('reads strings: c with counts, c0 after a count, s up to a zero byte', () => {
    expect(call('unpack', 'c2', 'abcd', 3)).toEqual(['cd', 5]);
    expect(call('unpack', 'bc0', '\x03abcd')).toEqual(['abc', 5]);
    expect(call('unpack', 'c1c0', '3abcd')).toEqual(['abc', 5]);
    expect(call('unpack', 'bc0', '\0')).toEqual(['', 2]);
    expect(call('unpack', 'dc0', call('pack', 'd', 2.7)[0] + 'abc')).toEqual(['ab', 11]);
    expect(call('unpack', 'dc0', call('pack', 'd', 2 ** 64)[0] + 'abc')).toEqual(['', 9]);
    expect(call('unpack', 'dc0', call('pack', 'd', -0.5)[0] + 'abc')).toEqual(['', 9]);
    expect(call('unpack', 's', 'ab\0cd')).toEqual(['ab', 4]);
    expect(call('unpack', 'ss', 'ab\0cd\0')).toEqual(['ab', 'cd', 7]);
  });

  it('treats offsets as size_t: only 0 is refused, negative ones lie past the data', () => {
    expect(call('unpack', '', 'abcd', -5)).toEqual([-5]);
    expect(call('unpack', '', 'abcd', 10)).toEqual([10]);
    const tooShort = "user_script:1: bad argument #2 to 'unpack' (data string too short)";
    expect(luaErrorOf(() => call('unpack', 'b', 'abcd', -5))).toBe(tooShort);
    expect(luaErrorOf(() => call('unpack', '!8d', '\0'.repeat(16), -1))).toBe(tooShort);
    expect(luaErrorOf(() => call('unpack', 'i', 'abcd', 0))).toBe("user_script:1: bad argument #3 to 'unpack' (offset must be 1 or greater)");
  });

  it('raises struct.c\'s errors', () => {
    const cases: [LuaValue[], string][] = [
      [['i', 'abc'], "bad argument #2 to 'unpack' (data string too short)"],
      [['i', 'abcd', 2], "bad argument #2 to 'unpack' (data string too short)"],
      [['x', 'abcd', 5], "bad argument #2 to 'unpack' (data string too short)"],
      [['c2', 'abcd', 4], "bad argument #2 to 'unpack' (data string too short)"],
      [['c', ''], "bad argument #2 to 'unpack' (data string too short)"],
      [['bc0', '\x05abc'], "bad argument #2 to 'unpack' (data string too short)"],
      [['bc0', '\xffabc'], "bad argument #2 to 'unpack' (data string too short)"],
      [['dc0', call('pack', 'd', -1)[0] + 'abc'], "bad argument #2 to 'unpack' (data string too short)"],
      [['dc0', call('pack', 'd', NaN)[0] + 'abc'], "bad argument #2 to 'unpack' (data string too short)"],
      [['c0', 'abc'], "format 'c0' needs a previous size"],
      [['c1c0', 'xabcd'], "format 'c0' needs a previous size"],
      [['s', 'ab'], 'unfinished string in data'],
      [['q', 'ab'], "bad argument #1 to 'unpack' (invalid format option 'q')"],
      [['=', 'ab'], "bad argument #1 to 'unpack' (invalid format option '=')"],
      [['i'], "bad argument #2 to 'unpack' (string expected, got no value)"],
      [['i', 'abcd', 'x'], "bad argument #3 to 'unpack' (number expected, got string)"],
    ];
    for (const [args, message] of cases) expect(luaErrorOf(() => call('unpack', ...args)), String(args[0])).toBe(`user_script:1: ${message}`);
  });

  it('stops at the Lua stack limit as redis-server does', () => {
    const data = 'a'.repeat(8000);
    expect(call('unpack', 'b'.repeat(7997), data)).toHaveLength(7998);
    expect(luaErrorOf(() => call('unpack', 'b'.repeat(7998), data))).toBe('user_script:1: stack overflow (too many results)');
    expect(luaErrorOf(() => call('unpack', 'b'.repeat(7997), data, 1))).toBe('user_script:1: stack overflow (too many results)');
    expect(call('unpack', 'b'.repeat(7996), data, 1)).toHaveLength(7997);
    expect(call('unpack', 'x'.repeat(9000), 'a'.repeat(9000))).toEqual([9001]);
  });
});

describe('struct.size', () => {
  it('adds sizes and alignment, ignoring unknown letters and digits', () => {
    const cases: [string, number][] = [
      ['b B h H l L T i I f d x', 51], ['!4 b i', 8], ['! b d', 16], ['c5 c', 6], ['z', 0], ['q9', 0], ['', 0],
      ['>i<i', 8], ['b!8d', 16], ['!8 b i7', 14],
    ];
    for (const [format, expected] of cases) expect(call('size', format), format).toEqual([expected]);
  });

  it('raises struct.c\'s errors', () => {
    const cases: [LuaValue[], string][] = [
      [['s'], "bad argument #1 to 'size' (option 's' has no fixed size)"],
      [['c0'], "bad argument #1 to 'size' (option 'c0' has no fixed size)"],
      [['='], "bad argument #1 to 'size' (invalid format option '=')"],
      [['i33'], 'integral size 33 is larger than limit of 32'],
      [['!3'], 'alignment 3 is not a power of 2'],
      [[], "bad argument #1 to 'size' (string expected, got no value)"],
      [['\u00c8'], "bad argument #1 to 'size' (invalid format option '\u00c8')"],
      [['c99999999999'], 'integral size overflow'],
    ];
    for (const [args, message] of cases) expect(luaErrorOf(() => call('size', ...args)), String(args[0])).toBe(`user_script:1: ${message}`);
  });
});
