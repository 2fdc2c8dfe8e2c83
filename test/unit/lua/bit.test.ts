// The bit library (LuaBitOp) as redis-server 7.0.15 runs it: every expectation below was read from
// EVAL "return bit.<f>(...)" on redis-server.
import { describe, expect, it } from 'vitest';
import { openBit } from '../../../src/scripting/lua/lib/bit.js';
import type { LuaValue } from '../../../src/scripting/lua/value.js';
import { LuaTable } from '../../../src/scripting/lua/value.js';
import { FakeRuntime, callLib, luaErrorOf } from './fake-redislibs-runtime.js';

const rt = new FakeRuntime();
const bit = openBit(rt);
const call = (name: string, ...args: LuaValue[]): LuaValue[] => callLib(rt, bit, name, ...args);
const one = (name: string, ...args: LuaValue[]): LuaValue => call(name, ...args)[0];

describe('bit', () => {
  it('normalises numbers to 32 bits like LuaBitOp on doubles', () => {
    const cases: [LuaValue, number][] = [
      [2 ** 32 + 5, 5], [2 ** 31, -2147483648], [-1, -1], [0xffffffff, -1], [1.5, 2], [2.5, 2], [-1.5, -2],
      [3.5, 4], [0.5, 0], [-0.5, 0], [2 ** 52, 0], [2 ** 53 + 1, 0], [1e20, 2025163840], [-1e20, 2025163840],
      [Infinity, 0], [NaN, 0], ['10', 10], ['0x10', 16], [-(2 ** 31) - 1, 2147483647], [4294967295.5, 0],
      [2 ** 51 + 0.5, 0], [-(2 ** 51) - 0.5, -1], [2 ** 60 + 12345, 48],
    ];
    for (const [input, expected] of cases) expect(one('tobit', input), String(input)).toBe(expected);
    expect(Object.is(one('tobit', -0), 0)).toBe(true);
  });

  it('computes the operations (Redis\'s own minimal checks included)', () => {
    expect(one('tobit', 1)).toBe(1);
    expect(one('band', 1)).toBe(1);
    expect(one('bxor', 1, 2)).toBe(3);
    expect(one('bor', 1, 2, 4, 8, 16, 32, 64, 128)).toBe(255);
    expect(one('bnot', 0)).toBe(-1);
    expect(one('band', 0xff, 0x0f, 0x3)).toBe(3);
    expect(one('lshift', 1, 31)).toBe(-2147483648);
    expect(one('lshift', 1, 32)).toBe(1);
    expect(one('lshift', 1, 33)).toBe(2);
    expect(one('rshift', -1, 28)).toBe(15);
    expect(one('arshift', -16, 2)).toBe(-4);
    expect(one('arshift', 0x80000000, 31)).toBe(-1);
    expect(one('rol', 0x12345678, 4)).toBe(591751041);
    expect(one('ror', 0x12345678, 4)).toBe(-2128394905);
    expect(one('rol', 0x12345678, 0)).toBe(305419896);
    expect(one('ror', 1, 32)).toBe(1);
    expect(one('bswap', 0x12345678)).toBe(2018915346);
  });

  it('formats hex with tohex', () => {
    expect(one('tohex', 255)).toBe('000000ff');
    expect(one('tohex', -1)).toBe('ffffffff');
    expect(one('tohex', 255, 2)).toBe('ff');
    expect(one('tohex', 255, -4)).toBe('00FF');
    expect(one('tohex', 0x12345678, 20)).toBe('12345678');
    expect(one('tohex', 1, 0)).toBe('');
    expect(one('tohex', 1, 2 ** 32 - 3)).toBe('001');
    expect(one('tohex', 255, -(2 ** 31))).toBe('000000FF');
    expect(one('tohex', -1, 2 ** 31)).toBe('FFFFFFFF');
    expect(one('tohex', -1, -9)).toBe('FFFFFFFF');
  });

  it('refuses non-numbers with lauxlib\'s texts, checking band\'s arguments from the last one', () => {
    expect(luaErrorOf(() => call('tobit', 'x'))).toBe("user_script:1: bad argument #1 to 'tobit' (number expected, got string)");
    expect(luaErrorOf(() => call('tobit'))).toBe("user_script:1: bad argument #1 to 'tobit' (number expected, got no value)");
    expect(luaErrorOf(() => call('tobit', new LuaTable()))).toBe("user_script:1: bad argument #1 to 'tobit' (number expected, got table)");
    expect(luaErrorOf(() => call('tobit', undefined))).toBe("user_script:1: bad argument #1 to 'tobit' (number expected, got nil)");
    expect(luaErrorOf(() => call('bor'))).toBe("user_script:1: bad argument #1 to 'bor' (number expected, got no value)");
    expect(luaErrorOf(() => call('bxor', 1, 'a', new LuaTable()))).toBe("user_script:1: bad argument #3 to 'bxor' (number expected, got table)");
    expect(luaErrorOf(() => call('band', 1, 2, undefined))).toBe("user_script:1: bad argument #3 to 'band' (number expected, got nil)");
    expect(luaErrorOf(() => call('tohex', 1, undefined))).toBe("user_script:1: bad argument #2 to 'tohex' (number expected, got nil)");
    expect(luaErrorOf(() => call('lshift', 1))).toBe("user_script:1: bad argument #2 to 'lshift' (number expected, got no value)");
  });
});
