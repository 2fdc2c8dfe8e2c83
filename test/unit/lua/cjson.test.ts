// The cjson library as redis-server 7.0.15 runs it: every expectation below was read from
// EVAL "return cjson.<f>(...)" on redis-server, including the cases of Redis's own scripting
// tests (numeric and string decoding, the smoke test of options and limits).
import { describe, expect, it } from 'vitest';
import { CJSON_NULL, openCjson } from '../../../src/scripting/lua/lib/cjson.js';
import type { LuaValue } from '../../../src/scripting/lua/value.js';
import { LuaTable, LuaThread, NativeFunction } from '../../../src/scripting/lua/value.js';
import { FakeRuntime, callLib, luaErrorOf, table } from './fake-redislibs-runtime.js';

const rt = new FakeRuntime();
const fresh = (): LuaTable => openCjson(rt);
const cjson = fresh();
const call = (name: string, ...args: LuaValue[]): LuaValue[] => callLib(rt, cjson, name, ...args);
const encode = (value: LuaValue, lib = cjson): LuaValue => callLib(rt, lib, 'encode', value)[0];
const decode = (json: LuaValue, lib = cjson): LuaValue => callLib(rt, lib, 'decode', json)[0];
const err = (run: () => unknown): string => luaErrorOf(run).replace(/^user_script:1: /, '');

/** A decoded value as plain JS: tables become arrays (array part) or objects, null becomes null. */
function plain(value: LuaValue): unknown {
  if (value === CJSON_NULL) return null;
  if (!(value instanceof LuaTable)) return value;
  if (value.nodeCount === 0) return value.arr.slice(0, value.length()).map(plain);
  const object: Record<string, unknown> = {};
  value.forEach((key, item) => {
    object[String(key)] = plain(item);
  });
  return object;
}

class DummyThread extends LuaThread {
  readonly status = 'suspended' as const;
}

describe('cjson.encode', () => {
  it('encodes scalars, with "%.14g" numbers', () => {
    const cases: [LuaValue, string][] = [
      [undefined, 'null'], [true, 'true'], [false, 'false'], [CJSON_NULL, 'null'], [-0, '-0'], [0.1, '0.1'],
      [1e300, '1e+300'], [1e-300, '1e-300'], [2 ** 53, '9.007199254741e+15'], [123456789012345, '1.2345678901234e+14'],
      [12345678901234.5, '12345678901234'], ['x', '"x"'],
    ];
    for (const [value, json] of cases) expect(encode(value), String(value)).toBe(json);
  });

  it('escapes as lua-cjson: quote, backslash, slash, DEL and control characters', () => {
    expect(encode('a/b"c\\\\d\x01\x08\x09\x0a\x0b\x0c\x0d\x1f\x7f\x80\xff ')).toBe(
      '"a\\/b\\"c\\\\\\\\d\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f\\u007f\x80\xff "',
    );
    expect(encode('\0')).toBe('"\\u0000"');
  });

  it('chooses between arrays and objects as lua-cjson does', () => {
    const cases: [LuaTable, string][] = [
      [table([1, 2, table([], [['a', 1]])]), '[1,2,{"a":1}]'],
      [table([], [[1, 1], [2, 2], [4, 4]]), '[1,2,null,4]'],
      [table([], [[10, 2]]), '[null,null,null,null,null,null,null,null,null,2]'],
      [table([], [[0, 1]]), '{"0":1}'],
      [table([], [[-1, 1]]), '{"-1":1}'],
      [table([], [[1.5, 1]]), '{"1.5":1}'],
      [new LuaTable(), '{}'],
      [table([1], [['a', 2]]), '{"1":1,"a":2}'],
      [table([], [[2 ** 31, 1]]), '{"2147483648":1}'],
      [table([CJSON_NULL, false]), '[null,false]'],
    ];
    for (const [value, json] of cases) expect(encode(value), json).toBe(json);
    const holes = table([1, 2, 3]);
    holes.set(2, undefined);
    expect(encode(holes)).toBe('[1,null,3]');
  });

  it('refuses what lua-cjson refuses, with its texts', () => {
    expect(err(() => encode(table([], [[1, 1], [11, 2]])))).toBe('Cannot serialise table: excessively sparse array');
    expect(err(() => encode(table([], [[11, 2]])))).toBe('Cannot serialise table: excessively sparse array');
    expect(err(() => encode(table([], [[true, 1]])))).toBe('Cannot serialise boolean: table key must be a number or string');
    expect(err(() => encode(table([], [[new LuaTable(), 1]])))).toBe('Cannot serialise table: table key must be a number or string');
    expect(err(() => encode(new NativeFunction('f', () => [])))).toBe('Cannot serialise function: type not supported');
    expect(err(() => encode(new DummyThread()))).toBe('Cannot serialise thread: type not supported');
    for (const n of [Infinity, -Infinity, NaN]) expect(err(() => encode(table([n])))).toBe('Cannot serialise number: must not be NaN or Inf');
    expect(err(() => encode(table([], [[Infinity, 1]])))).toBe('Cannot serialise number: must not be NaN or Inf');
    expect(err(() => call('encode'))).toBe("bad argument #1 to 'encode' (expected 1 argument)");
    expect(err(() => call('encode', 1, 2))).toBe("bad argument #1 to 'encode' (expected 1 argument)");
  });

  it('raises Lua\'s memory error for output longer than a string can be', () => {
    const big = 'x'.repeat(64 * 1024 * 1024);
    expect(luaErrorOf(() => encode(table(new Array<LuaValue>(9).fill(big))))).toBe('not enough memory');
  });

  it('limits nesting by encode_max_depth and by the Lua stack', () => {
    const nest = (levels: number, key: LuaValue): LuaTable => {
      const root = new LuaTable();
      let cursor = root;
      for (let i = 0; i < levels; i++) {
        const inner = new LuaTable();
        cursor.set(key, inner);
        cursor = inner;
      }
      return root;
    };
    expect(encode(nest(999, 1))).toHaveLength(2000);
    expect(err(() => encode(nest(1000, 1)))).toBe('Cannot serialise, excessive nesting (1001)');
    const lib = fresh();
    callLib(rt, lib, 'encode_max_depth', 100000);
    expect(encode(nest(7996, 1), lib)).toHaveLength(15994);
    expect(err(() => encode(nest(7997, 1), lib))).toBe('Cannot serialise, excessive nesting (7998)');
    expect(encode(nest(3998, 'a'), lib)).toHaveLength(23990);
    expect(err(() => encode(nest(3999, 'a'), lib))).toBe('Cannot serialise, excessive nesting (4000)');
  });
});

describe('cjson.decode', () => {
  it('decodes numbers as doubles (Redis\'s JSON numeric decoding test)', () => {
    expect(plain(decode('[0.0, -5e3, -1, 0.3e-3, 1023.2, 0e10]'))).toEqual([0, -5000, -1, 0.0003, 1023.2, 0]);
    expect(decode('12345678901234567890')).toBe(12345678901234567000);
    expect(decode('9007199254740993')).toBe(9007199254740992);
    expect(decode(123)).toBe(123);
    expect(Object.is(decode('-0'), -0)).toBe(true);
  });

  it('takes what strtod takes when decode_invalid_numbers is on (the default)', () => {
    const cases: [string, number][] = [
      ['0x10', 16], ['-0x10', -16], ['+5', 5], ['inf', Infinity], ['-Infinity', -Infinity], ['Inf', Infinity], ['007', 7],
      ['1.', 1], ['-.5', -0.5], ['1e400', Infinity], ['-1e400', -Infinity], ['1e-400', 0], ['0x1p4', 16], ['0x.8', 0.5],
      ['0X1P-2', 0.25], ['0x1.8p1', 3], ['0x1.fffffffffffff8p0', 2], ['0x1p-1074', 5e-324], ['0x1p-1075', 0],
      ['0x3p-1076', 5e-324], ['0x1234567890abcdef1234p-40', 78187493520.67111],
    ];
    for (const [json, value] of cases) expect(decode(json), json).toBe(value);
    for (const json of ['NaN', 'nan(123)', 'nan()', '-nan']) expect(decode(json), json).toBeNaN();
  });

  it('decodes strings with escapes, \\u to UTF-8 and surrogate pairs', () => {
    const keys = decode('{"keya": "a", "keyb": "b"}') as LuaTable;
    expect([keys.get('keya'), keys.get('keyb')]).toEqual(['a', 'b']);
    expect(decode('"\\u00e9\\ud83d\\ude00\\u0000x"')).toBe('\xc3\xa9\xf0\x9f\x98\x80\0x');
    expect(decode('"\\/\\b\\f\\n\\r\\t\\"\\\\"')).toBe('/\b\f\n\r\t"\\');
    expect(decode('"\x01raw\xff"')).toBe('\x01raw\xff');
  });

  it('decodes literals, null as cjson.null, and later duplicate keys win', () => {
    expect(decode('true')).toBe(true);
    expect(decode('false')).toBe(false);
    expect(decode('null')).toBe(CJSON_NULL);
    expect((decode('[null]') as LuaTable).get(1)).toBe(CJSON_NULL);
    expect((decode('{"a":1,"a":2}') as LuaTable).get('a')).toBe(2);
    expect(decode(' \t\r\n 5 \n')).toBe(5);
    expect(plain(decode('{"a":[1,{"b":[]},{}],"c":"d"}'))).toEqual({ a: [1, { b: [] }, []], c: 'd' });
  });

  it('stops at a zero byte, the end of a C string', () => {
    expect(decode('55\0garbage')).toBe(55);
    expect(plain(decode('[1]\0xx'))).toEqual([1]);
    expect(err(() => decode('"a\0b"'))).toBe('Expected value but found unexpected end of string at character 3');
    for (const json of ['5\0garbage', 'a\0', '\0a']) expect(err(() => decode(json))).toBe('JSON parser does not support UTF-16 or UTF-32');
  });

  it('reports errors with lua-cjson\'s texts and positions', () => {
    const cases: [string, string][] = [
      ['[', 'Expected value but found T_END at character 2'],
      ['', 'Expected value but found T_END at character 1'],
      ['"\\ud83d"', 'Expected value but found invalid unicode escape code at character 2'],
      ['"\\ude00"', 'Expected value but found invalid unicode escape code at character 2'],
      ['"\\ud83dx"', 'Expected value but found invalid unicode escape code at character 2'],
      ['"\\ud83d\\u0041"', 'Expected value but found invalid unicode escape code at character 2'],
      ['"\\u12"', 'Expected value but found invalid unicode escape code at character 2'],
      ['"\\x"', 'Expected value but found invalid escape code at character 2'],
      ['"abc', 'Expected value but found unexpected end of string at character 5'],
      ['"a\\', 'Expected value but found invalid escape code at character 3'],
      ['[1,2', 'Expected comma or array end but found T_END at character 5'],
      ['[1,]', 'Expected value but found T_ARR_END at character 4'],
      ['{"a" 1}', 'Expected colon but found T_NUMBER at character 6'],
      ['{1:1}', 'Expected object key string but found T_NUMBER at character 2'],
      ['{"a":1,}', 'Expected object key string but found T_OBJ_END at character 8'],
      ['{"a":1 "b"}', 'Expected comma or object end but found T_STRING at character 8'],
      ['1 2', 'Expected the end but found T_NUMBER at character 3'],
      ['tru', 'Expected value but found invalid token at character 1'],
      ['nul', 'Expected value but found invalid token at character 1'],
      ['x', 'Expected value but found invalid token at character 1'],
      ['\f5', 'Expected value but found invalid token at character 1'],
      ['.5', 'Expected value but found invalid token at character 1'],
      ['infinit', 'Expected the end but found invalid token at character 4'],
      ['1e', 'Expected the end but found invalid token at character 2'],
      ['1e+', 'Expected the end but found invalid token at character 2'],
      ['-', 'Expected value but found invalid number at character 1'],
      ['- 1', 'Expected value but found invalid number at character 1'],
      ['0x', 'Expected the end but found invalid token at character 2'],
      ['0xg', 'Expected the end but found invalid token at character 2'],
      ['1.5e3x', 'Expected the end but found invalid token at character 6'],
      ['infx', 'Expected the end but found invalid token at character 4'],
      ['nanx', 'Expected the end but found invalid token at character 4'],
      ['0x1p', 'Expected the end but found invalid token at character 4'],
      ['NAN(', 'Expected the end but found invalid token at character 4'],
    ];
    for (const [json, message] of cases) expect(err(() => decode(json)), json).toBe(message);
    expect(err(() => call('decode', new LuaTable()))).toBe("bad argument #1 to 'decode' (string expected, got table)");
    expect(err(() => call('decode'))).toBe("bad argument #1 to 'decode' (expected 1 argument)");
    expect(err(() => call('decode', '1', 2))).toBe("bad argument #1 to 'decode' (expected 1 argument)");
  });

  it('limits nesting by decode_max_depth and by the Lua stack', () => {
    expect(decode('['.repeat(1000) + ']'.repeat(1000))).toBeInstanceOf(LuaTable);
    expect(err(() => decode('['.repeat(1001) + ']'.repeat(1001)))).toBe('Found too many nested data structures (1001) at character 1001');
    expect(err(() => decode('{"a":'.repeat(1001)))).toBe('Found too many nested data structures (1001) at character 5001');
    const lib = fresh();
    callLib(rt, lib, 'decode_max_depth', 100000);
    expect(err(() => decode('['.repeat(10000) + ']'.repeat(10000), lib))).toBe('Found too many nested data structures (7999) at character 7999');
    expect(err(() => decode('{"a":'.repeat(10000), lib))).toBe('Found too many nested data structures (4000) at character 19996');
    expect(decode('['.repeat(7998) + ']'.repeat(7998), lib)).toBeInstanceOf(LuaTable);
    expect(decode('{"a":'.repeat(3999) + '1' + '}'.repeat(3999), lib)).toBeInstanceOf(LuaTable);
    expect(err(() => decode('{"a":'.repeat(4000) + '1' + '}'.repeat(4000), lib))).toBe(
      'Found too many nested data structures (4000) at character 19996',
    );
  });
});

describe('cjson settings', () => {
  it('report and change encode_sparse_array', () => {
    const lib = fresh();
    const sparse = (...args: LuaValue[]): LuaValue[] => callLib(rt, lib, 'encode_sparse_array', ...args);
    expect(sparse()).toEqual([false, 2, 10]);
    expect(sparse(true, 3, 20)).toEqual([true, 3, 20]);
    expect(sparse()).toEqual([true, 3, 20]);
    expect(encode(table([], [[1, 1], [61, 2]]), lib)).toBe('{"1":1,"61":2}');
    expect(sparse(false, 2, 10)).toEqual([false, 2, 10]);
    expect(sparse('on')).toEqual([true, 2, 10]);
    expect(sparse('off')).toEqual([false, 2, 10]);
    expect(sparse(undefined, 2 ** 32 + 2)).toEqual([false, 2, 10]);
    expect(sparse(undefined, 0)).toEqual([false, 0, 10]);
    expect(encode(table([], [[1000, 1]]), lib)).toHaveLength(1 + 999 * 5 + 1 + 1);
    expect(err(() => sparse(1, 2, 3, 4))).toBe("bad argument #4 to 'encode_sparse_array' (found too many arguments)");
    expect(err(() => sparse('yes'))).toBe("bad argument #1 to 'encode_sparse_array' (invalid option 'yes')");
    expect(err(() => sparse(undefined, -1))).toBe("bad argument #1 to 'encode_sparse_array' (expected integer between 0 and 2147483647)");
    expect(err(() => sparse(undefined, undefined, -1))).toBe("bad argument #1 to 'encode_sparse_array' (expected integer between 0 and 2147483647)");
    expect(err(() => sparse(undefined, 'x'))).toBe("bad argument #2 to 'encode_sparse_array' (number expected, got string)");
  });

  it('report and change depths and precision', () => {
    const lib = fresh();
    const set = (name: string, ...args: LuaValue[]): LuaValue[] => callLib(rt, lib, name, ...args);
    expect(err(() => set('encode_max_depth', 0))).toBe("bad argument #1 to 'encode_max_depth' (expected integer between 1 and 2147483647)");
    expect(set('encode_max_depth', 1.9)).toEqual([1]);
    expect(set('encode_max_depth', '5')).toEqual([5]);
    expect(set('encode_max_depth', undefined)).toEqual([5]);
    expect(err(() => set('encode_max_depth', new LuaTable()))).toBe("bad argument #1 to 'encode_max_depth' (number expected, got table)");
    expect(err(() => set('encode_number_precision', 15))).toBe("bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14)");
    expect(set('encode_number_precision', 3)).toEqual([3]);
    expect(encode(Math.PI, lib)).toBe('3.14');
    expect(encode(12345, lib)).toBe('1.23e+04');
    expect(set('decode_max_depth')).toEqual([1000]);
  });

  it('report and change the invalid-number and buffer settings', () => {
    const lib = fresh();
    const set = (name: string, ...args: LuaValue[]): LuaValue[] => callLib(rt, lib, name, ...args);
    expect(set('encode_keep_buffer')).toEqual([true]);
    expect(set('encode_keep_buffer', false)).toEqual([false]);
    expect(set('encode_keep_buffer', 'on')).toEqual([true]);
    expect(set('encode_invalid_numbers', 'null')).toEqual(['null']);
    expect(encode(table([Infinity, NaN]), lib)).toBe('[null,null]');
    expect(set('encode_invalid_numbers', true)).toEqual([true]);
    expect(encode(table([Infinity, -Infinity, NaN], [[Infinity, 1]]), lib)).toBe('{"1":inf,"2":-inf,"3":nan,"inf":1}');
    expect(encode(table([], [['a', Infinity]]), lib)).toBe('{"a":inf}');
    expect(set('encode_invalid_numbers')).toEqual([true]);
    expect(set('encode_invalid_numbers', false)).toEqual([false]);
    expect(err(() => set('encode_invalid_numbers', new LuaTable()))).toBe("bad argument #1 to 'encode_invalid_numbers' (string expected, got table)");
    expect(err(() => set('encode_invalid_numbers', 5))).toBe("bad argument #1 to 'encode_invalid_numbers' (invalid option '5')");

    expect(set('decode_invalid_numbers')).toEqual([true]);
    expect(set('decode_invalid_numbers', false)).toEqual([false]);
    expect(decode('0', lib)).toBe(0);
    expect(decode('0.5', lib)).toBe(0.5);
    for (const json of ['0x10', '-0x10', '01', '-inf', '-', '-a']) {
      expect(err(() => decode(json, lib)), json).toBe('Expected value but found invalid number at character 1');
    }
    for (const json of ['inf', '+1']) expect(err(() => decode(json, lib)), json).toBe('Expected value but found invalid token at character 1');
  });

  it('run Redis\'s smoke test of options and limits', () => {
    const lib = fresh();
    const set = (name: string, ...args: LuaValue[]): LuaValue[] => callLib(rt, lib, name, ...args);
    const someMap = table([], [['s1', 'Some string'], ['n1', 100], ['a1', table(['Some', 'String', 'Array'])], ['b1', true], ['b2', false]]);
    const roundTrip = plain(decode(encode(someMap, lib), lib));
    expect(roundTrip).toEqual({ s1: 'Some string', n1: 100, a1: ['Some', 'String', 'Array'], b1: true, b2: false });
    set('encode_keep_buffer', false);
    expect(plain(decode(encode(someMap, lib), lib))).toEqual(roundTrip);
    const numericKeys = decode(encode(table([], [['one', 'one'], [1, 'one']]), lib), lib) as LuaTable;
    expect([numericKeys.get('one'), numericKeys.get('1')]).toEqual(['one', 'one']);
    expect(plain(decode(encode(table([], [[1, 'one'], [2, 'two']]), lib), lib))).toEqual(['one', 'two']);
    set('encode_max_depth', 1);
    expect(() => encode(someMap, lib)).toThrow();
    set('decode_max_depth', 1);
    expect(() => decode('{"obj": {"array": [1,2,3,4]}}', lib)).toThrow();
    expect(() => encode(table([], [['num1', NaN]]), lib)).toThrow();
    set('encode_invalid_numbers', true);
    set('encode_max_depth', 1000);
    expect(encode(table([], [['num1', NaN]]), lib)).toBe('{"num1":nan}');
  });

  it('keep one configuration per table, cjson.new() making another', () => {
    const lib = fresh();
    callLib(rt, lib, 'encode_number_precision', 2);
    const other = callLib(rt, lib, 'new')[0] as LuaTable;
    expect(encode(1.234, lib)).toBe('1.2');
    expect(encode(1.234, other)).toBe('1.234');
    expect(other.get('null')).toBe(CJSON_NULL);
  });

  it('expose null, _NAME and _VERSION', () => {
    expect(cjson.get('null')).toBe(CJSON_NULL);
    expect(rt.tostring(CJSON_NULL)).toBe('userdata: (nil)');
    expect(cjson.get('_NAME')).toBe('cjson');
    expect(cjson.get('_VERSION')).toBe('2.1.0');
  });
});
