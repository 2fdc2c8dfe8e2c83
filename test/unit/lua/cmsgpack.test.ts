// The cmsgpack library as redis-server 7.0.15 runs it: every expectation below was read from
// EVAL on redis-server (packed bytes compared as hex), including the cases of Redis's own
// scripting tests (double, negative int64, big strings and tables, circular references).
import { describe, expect, it } from 'vitest';
import { openCmsgpack } from '../../../src/scripting/lua/lib/cmsgpack.js';
import { CJSON_NULL } from '../../../src/scripting/lua/lib/cjson.js';
import type { LuaValue } from '../../../src/scripting/lua/value.js';
import { LuaTable, NativeFunction } from '../../../src/scripting/lua/value.js';
import { FakeRuntime, callLib, fromHex, luaErrorOf, table, toHex } from './fake-redislibs-runtime.js';

const rt = new FakeRuntime();
const cmsgpack = openCmsgpack(rt);
const call = (name: string, ...args: LuaValue[]): LuaValue[] => callLib(rt, cmsgpack, name, ...args);
const packHex = (...args: LuaValue[]): string => toHex(call('pack', ...args)[0]);
const unpackHex = (hex: string): LuaValue[] => call('unpack', fromHex(hex));

describe('cmsgpack.pack', () => {
  it('packs numbers in the smallest integer form, else float32 when exact, else float64', () => {
    expect(packHex(0.1)).toBe('cb3fb999999999999a');
    expect(packHex(1.5)).toBe('ca3fc00000');
    expect(packHex(-1099511627776)).toBe('d3ffffff0000000000');
    expect(packHex(0, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296)).toBe('007fcc80ccffcd0100cdffffce00010000ceffffffffcf0000000100000000');
    expect(packHex(-1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649)).toBe('ffe0d0dfd080d1ff7fd18000d2ffff7fffd280000000d3ffffffff7fffffff');
    expect(packHex(2 ** 63)).toBe('ca5f000000');
    expect(packHex(-(2 ** 63))).toBe('d38000000000000000');
    expect(packHex(2 ** 64)).toBe('ca5f800000');
    expect(packHex(Infinity)).toBe('ca7f800000');
    expect(packHex(-Infinity)).toBe('caff800000');
    expect(packHex(NaN)).toBe('cbfff8000000000000');
    expect(packHex(-0)).toBe('00');
    expect(packHex(3.4028234663852886e38)).toBe('ca7f7fffff');
    expect(packHex(1e39)).toBe('cb48078287f49c4a1d');
    expect(packHex(2 ** -149)).toBe('ca00000001');
    expect(packHex(2 ** -150)).toBe('cb3690000000000000');
    expect(packHex(1 / 3)).toBe('cb3fd5555555555555');
  });

  it('packs nil, booleans, strings and unsupported types', () => {
    expect(packHex(undefined, true, false)).toBe('c0c3c2');
    expect(packHex('')).toBe('a0');
    expect(packHex('a'.repeat(31))).toBe('bf' + '61'.repeat(31));
    expect(packHex('a'.repeat(32)).slice(0, 6)).toBe('d92061');
    expect(packHex('a'.repeat(256)).slice(0, 8)).toBe('da010061');
    expect(packHex('a'.repeat(65536)).slice(0, 12)).toBe('db0001000061');
    expect(packHex(new NativeFunction('f', () => []))).toBe('c0');
    expect(packHex(CJSON_NULL)).toBe('c0');
  });

  it('packs tables whose keys are 1..n as arrays and any other as maps', () => {
    expect(packHex(new LuaTable())).toBe('90');
    expect(packHex(table([1, 2, 3]))).toBe('93010203');
    expect(packHex(table([1, undefined, 3]))).toBe('8201010303');
    expect(packHex(table([], [[1, 1], [3, 3]]))).toBe('8201010303');
    expect(packHex(table([], [['a', 1]]))).toBe('81a16101');
    expect(packHex(table([], [[1.5, 1]]))).toBe('81ca3fc0000001');
    expect(packHex(table([], [[0, 1]]))).toBe('810001');
    expect(packHex(table([], [[-1, 1]]))).toBe('81ff01');
    expect(packHex(table([], [[2 ** 31, 1]]))).toBe('81ce8000000001');
    expect(packHex(table([], [[2 ** 31 - 1, 1]]))).toBe('81ce7fffffff01');
    expect(packHex(table([1], [[2 ** 31, 1]]))).toBe('820101ce8000000001');
    const withHole = table([1, 2, 3]);
    withHole.set(2, undefined);
    expect(packHex(withHole)).toBe('8201010303');
  });

  it('packs tables nested 16 deep as nil, which ends circular references', () => {
    const deep = new LuaTable();
    let cursor = deep;
    for (let i = 0; i < 20; i++) {
      const inner = new LuaTable();
      cursor.set(1, inner);
      cursor = inner;
    }
    expect(packHex(deep)).toBe('91'.repeat(16) + 'c0');

    // local a = {x=nil,y=5}; local b = {x=a}; a['x'] = b
    const a = table([], [['y', 5]]);
    const b = table([], [['x', a]]);
    a.set('x', b);
    const encoded = call('pack', a)[0];
    expect(toHex(encoded)).toBe('82a17905a17881a178'.repeat(7) + '82a17905a17881a178c0');
    let re = call('unpack', encoded)[0] as LuaTable;
    const y = re.get('y');
    for (let depth = 0; depth < 14; depth += 2) re = (re.get('x') as LuaTable).get('x') as LuaTable;
    expect(re.get('y')).toBe(y);
    const last = re.get('x') as LuaTable;
    expect(last).toBeInstanceOf(LuaTable);
    expect(last.get('x')).toBeUndefined();
  });

  it('refuses no input and more arguments than the Lua stack holds', () => {
    expect(luaErrorOf(() => call('pack'))).toBe("user_script:1: bad argument #0 to 'pack' (MessagePack pack needs input.)");
    expect(call('pack', ...new Array<LuaValue>(4000).fill(1))[0]).toHaveLength(4000);
    expect(luaErrorOf(() => call('pack', ...new Array<LuaValue>(4001).fill(1)))).toBe(
      "user_script:1: bad argument #0 to 'pack' (Too many arguments for MessagePack pack.)",
    );
  });
});

describe('cmsgpack.unpack', () => {
  it('decodes every MessagePack form lua-cmsgpack knows', () => {
    expect(unpackHex('007fcc80ccffcd0100')).toEqual([0, 127, 128, 255, 256]);
    expect(unpackHex('ffe0d0dfd080d1ff7f')).toEqual([-1, -32, -33, -128, -129]);
    expect(unpackHex('d18000d2ffff7fff')).toEqual([-32768, -32769]);
    expect(unpackHex('d280000000')).toEqual([-2147483648]);
    expect(unpackHex('cf8000000000000000')).toEqual([-9223372036854775808]);
    expect(unpackHex('cfffffffffffffffff')).toEqual([-1]);
    expect(unpackHex('cf0020000000000001')).toEqual([9007199254740992]);
    expect(unpackHex('d3ffffffffffffffff')).toEqual([-1]);
    expect(unpackHex('d37fffffffffffffff')).toEqual([9223372036854775807]);
    expect(unpackHex('ca3fc00000')).toEqual([1.5]);
    expect(unpackHex('cb3fb999999999999a')).toEqual([0.1]);
    expect(unpackHex('c0c3c2')).toEqual([undefined, true, false]);
    for (const hex of ['a3616263', 'd903616263', 'da0003616263', 'db00000003616263']) expect(unpackHex(hex)).toEqual(['abc']);
    expect(unpackHex('ff')).toEqual([-1]);
    expect(unpackHex('ee')).toEqual([-18]);
    expect(unpackHex('')).toEqual([]);
    const list = unpackHex('9301c002')[0] as LuaTable;
    expect([list.get(1), list.get(2), list.get(3)]).toEqual([1, undefined, 2]);
    const map = unpackHex('8201010303')[0] as LuaTable;
    expect([map.get(1), map.get(3)]).toEqual([1, 3]);
    for (const hex of ['80', '90', 'de0000', 'df00000000']) expect(unpackHex(hex)[0]).toBeInstanceOf(LuaTable);
    expect(call('unpack', 12)).toEqual([49, 50]);
  });

  it('raises lua-cmsgpack\'s errors', () => {
    for (const hex of ['c1', 'c4', 'c7', 'd4']) expect(luaErrorOf(() => unpackHex(hex)), hex).toBe('user_script:1: Bad data format in input.');
    for (const hex of ['91', '92', 'cd01', 'a36162', 'dc0001', 'dd', '8100']) {
      expect(luaErrorOf(() => unpackHex(hex)), hex).toBe('user_script:1: Missing bytes in input.');
    }
    expect(luaErrorOf(() => unpackHex('81c001'))).toBe('table index is nil');
    expect(luaErrorOf(() => unpackHex('81ca7fc0000001'))).toBe('table index is NaN');
    expect(luaErrorOf(() => call('unpack'))).toBe("user_script:1: bad argument #1 to 'unpack' (string expected, got no value)");
    expect(luaErrorOf(() => call('unpack', new LuaTable()))).toBe("user_script:1: bad argument #1 to 'unpack' (string expected, got table)");
  });

  it('fails past the Lua stack limit where redis-server does', () => {
    expect(call('unpack', '\x01'.repeat(7999))).toHaveLength(7999);
    const tooMany = 'user_script:1: stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)';
    expect(luaErrorOf(() => call('unpack', '\x01'.repeat(8000)))).toBe(tooMany);
    expect(call('unpack_limit', '\x01'.repeat(10000), 7998)).toHaveLength(7999);
    expect(luaErrorOf(() => call('unpack_limit', '\x01'.repeat(10000), 7999))).toBe('user_script:1: stack overflow (in function mp_unpack_full)');
    expect(call('unpack', '\x91'.repeat(3999) + '\x01')[0]).toBeInstanceOf(LuaTable);
    expect(luaErrorOf(() => call('unpack', '\x91'.repeat(4000) + '\x01'))).toBe('user_script:1: stack overflow (in function mp_decode_to_lua_array)');
    expect(call('unpack', '\x81\x01'.repeat(3999) + '\x01')[0]).toBeInstanceOf(LuaTable);
    expect(luaErrorOf(() => call('unpack', '\x81\x01'.repeat(4000) + '\x01'))).toBe(tooMany);
    expect(luaErrorOf(() => call('unpack', '\x81'.repeat(7998) + '\x01'))).toBe('user_script:1: Missing bytes in input.');
    expect(luaErrorOf(() => call('unpack', '\x81'.repeat(7999) + '\x01'))).toBe(tooMany);
  });
});

describe('cmsgpack.unpack_one and unpack_limit', () => {
  const s = fromHex('010203');

  it('return the offset to continue from, -1 at the end', () => {
    expect(call('unpack_one', s)).toEqual([1, 1]);
    expect(call('unpack_one', fromHex('01'))).toEqual([-1, 1]);
    expect(call('unpack_one', '')).toEqual([-1]);
    expect(call('unpack_one', s, 1)).toEqual([2, 2]);
    expect(call('unpack_one', s, 2)).toEqual([-1, 3]);
    expect(call('unpack_one', s, 3)).toEqual([-1]);
    expect(call('unpack_one', s, 1.7)).toEqual([2, 2]);
    expect(call('unpack_limit', s, 2)).toEqual([2, 1, 2]);
    expect(call('unpack_limit', s, 5, 1)).toEqual([-1, 2, 3]);
    expect(call('unpack_limit', s, 2 ** 40, 1)).toEqual([-1, 2, 3]);
    // A limit and an offset of 0 mean "everything", returned as unpack() does.
    expect(call('unpack_limit', s, 0)).toEqual([1, 2, 3]);
    expect(call('unpack_limit', s, 0, 1)).toEqual([1]);
  });

  it('walk a stream of packed values (Redis\'s smoke test)', () => {
    const strings = ['x'.repeat(30), 'x'.repeat(250), 'x'.repeat(65530), 'x'.repeat(100000)];
    const encoded = call('pack', ...strings)[0];
    let offset: LuaValue = 0;
    for (const expected of strings) {
      const [next, obj] = call('unpack_limit', encoded, 1, offset);
      expect(obj).toBe(expected);
      offset = next;
    }
    expect(offset).toBe(-1);

    const arrayBig = table(Array.from({ length: 100000 }, (_, i) => i + 1));
    const mapBig = table([], Array.from({ length: 100000 }, (_, i): [LuaValue, LuaValue] => [String(i + 1), i + 1]));
    const someMap = table([], [
      ['s1', strings[0]], ['s2', strings[1]], ['s3', strings[2]], ['s4', strings[3]], ['d1', 0.1], ['i1', 1], ['i2', 250],
      ['i3', 65530], ['i4', 100000], ['i5', 2 ** 40], ['i6', -1], ['i7', -120], ['i8', -32000], ['i9', -100000],
      ['i10', -3147483648], ['a1', table([1, 2, 3, 4, 5])], ['a2', table(Array.from({ length: 18 }, (_, i) => i + 1))],
      ['a3', arrayBig], ['m1', table([], [['a', 1], ['b', 2]])], ['m2', mapBig], ['b1', false], ['b2', true],
    ]);
    const packed = call('pack', someMap)[0];
    const [decoded] = call('unpack', packed) as [LuaTable];
    const [end, decodedOne] = call('unpack_one', packed, 0) as [number, LuaTable];
    expect(end).toBe(-1);
    for (const copy of [decoded, decodedOne]) {
      someMap.forEach((key, value) => {
        if (value instanceof LuaTable) expect((copy.get(key) as LuaTable).length(), String(key)).toBe(value.length());
        else expect(copy.get(key), String(key)).toBe(value);
      });
      expect(((copy.get('a3') as LuaTable).get(100000))).toBe(100000);
      expect(((copy.get('m2') as LuaTable).get('77777'))).toBe(77777);
    }
  });

  it('refuse negative and out-of-range offsets and limits with lua-cmsgpack\'s texts', () => {
    expect(luaErrorOf(() => call('unpack_one', s, 4))).toBe('user_script:1: Start offset 4 greater than input length 3.');
    expect(luaErrorOf(() => call('unpack_one', s, -1))).toBe('user_script:1: Invalid request to unpack with offset of -1 and limit of 3.');
    expect(luaErrorOf(() => call('unpack_one', fromHex('0102'), NaN))).toBe('user_script:1: Invalid request to unpack with offset of 0 and limit of 2.');
    expect(luaErrorOf(() => call('unpack_limit', s, -1))).toBe('user_script:1: Invalid request to unpack with offset of 0 and limit of 3.');
    expect(luaErrorOf(() => call('unpack_limit', '\x01', 1, 2 ** 33))).toBe('user_script:1: Start offset 0 greater than input length 1.');
    expect(luaErrorOf(() => call('unpack_limit', '\x01', 1, -(2 ** 33) - 3))).toBe('user_script:1: Invalid request to unpack with offset of -3 and limit of 1.');
    expect(luaErrorOf(() => call('unpack_one', '\x01', 2 ** 63))).toBe('user_script:1: Invalid request to unpack with offset of 0 and limit of 1.');
    expect(luaErrorOf(() => call('unpack_one', s, 'x'))).toBe("user_script:1: bad argument #2 to 'unpack_one' (number expected, got string)");
    expect(luaErrorOf(() => call('unpack_limit', s))).toBe("user_script:1: bad argument #2 to 'unpack_limit' (number expected, got no value)");
    expect(luaErrorOf(() => call('unpack_one'))).toBe("user_script:1: bad argument #1 to 'unpack_one' (string expected, got no value)");
    expect(luaErrorOf(() => call('unpack_one', undefined, 1))).toBe("user_script:1: bad argument #1 to 'unpack_one' (string expected, got nil)");
  });

  it('carries the module\'s name and version', () => {
    expect(cmsgpack.get('_NAME')).toBe('cmsgpack');
    expect(cmsgpack.get('_VERSION')).toBe('lua-cmsgpack 0.4.0');
  });
});
