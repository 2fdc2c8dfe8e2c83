// string library natives (lstrlib.c semantics). The case tables are also run through a real
// Lua 5.1 when one is installed, so every expectation below is what Lua 5.1 gives.
import { describe, expect, it } from 'vitest';
import { openString, stringMetatable } from '../../../src/scripting/lua/lib/string.js';
import { LuaTable, NativeFunction, type LuaValue } from '../../../src/scripting/lua/value.js';
import { type Case, checkCases, checkCasesWithLua51 } from './cases.js';
import { FakeRuntime, POSITION, errorOf, fn, hasLua51, invoke } from './fake-runtime.js';

const rt = new FakeRuntime();
const lib = openString(rt);
rt.stringMetatable = stringMetatable(lib);

const basics: Case[] = [
  { fn: 'len', args: ['abc'], out: [3] },
  { fn: 'len', args: ['a\0b'], out: [3] },
  { fn: 'len', args: [123.5], out: [5] },
  { fn: 'len', args: [], error: "bad argument #1 to 'len' (string expected, got no value)" },
  { fn: 'len', args: [true], error: "bad argument #1 to 'len' (string expected, got boolean)" },
  { fn: 'sub', args: ['hello', 2, 4], out: ['ell'] },
  { fn: 'sub', args: ['hello', -3], out: ['llo'] },
  { fn: 'sub', args: ['hello', -100, 2], out: ['he'] },
  { fn: 'sub', args: ['hello', 0], out: ['hello'] },
  { fn: 'sub', args: ['hello', 4, 2], out: [''] },
  { fn: 'sub', args: ['hello', 2, 100], out: ['ello'] },
  { fn: 'sub', args: ['hello', 2.9, 3.9], out: ['el'] },
  { fn: 'sub', args: ['hello', '2', '3'], out: ['el'] },
  { fn: 'sub', args: ['hello', 1, Infinity], out: [''] },
  { fn: 'sub', args: ['hello', 1, 1e300], out: [''] },
  { fn: 'sub', args: ['hello', NaN], out: ['hello'] },
  { fn: 'sub', args: ['hello', 2 ** 32 + 1], out: [''] },
  { fn: 'sub', args: [12345, 2, 3], out: ['23'] },
  { fn: 'sub', args: ['hello'], error: "bad argument #2 to 'sub' (number expected, got no value)" },
  { fn: 'sub', args: ['hello', 'x'], error: "bad argument #2 to 'sub' (number expected, got string)" },
  { fn: 'upper', args: ['abc\xe4\xff\xdfZ1'], out: ['ABC\xe4\xff\xdfZ1'] },
  { fn: 'lower', args: ['ABC\xc4\xdeaz'], out: ['abc\xc4\xdeaz'] },
  { fn: 'upper', args: [1e100], out: ['1E+100'] },
  { fn: 'reverse', args: ['abc\0d'], out: ['d\0cba'] },
  { fn: 'reverse', args: [''], out: [''] },
  { fn: 'reverse', args: ['x'.repeat(70) + 'yz'], out: ['zy' + 'x'.repeat(70)] },
  { fn: 'rep', args: ['ab', 3], out: ['ababab'] },
  { fn: 'rep', args: ['ab', 0], out: [''] },
  { fn: 'rep', args: ['ab', -5], out: [''] },
  { fn: 'rep', args: ['ab', 2.7], out: ['abab'] },
  { fn: 'rep', args: ['x', 2 ** 32 + 2], out: ['xx'] },
  { fn: 'rep', args: ['x', 1e300], out: [''] },
  { fn: 'rep', args: ['x'], error: "bad argument #2 to 'rep' (number expected, got no value)" },
  { fn: 'byte', args: ['ABC'], out: [65] },
  { fn: 'byte', args: ['ABC', 2], out: [66] },
  { fn: 'byte', args: ['ABC', 1, -1], out: [65, 66, 67] },
  { fn: 'byte', args: ['ABC', -1], out: [67] },
  { fn: 'byte', args: ['ABC', 10], out: [] },
  { fn: 'byte', args: ['ABC', 0], out: [] },
  { fn: 'byte', args: ['ABC', 0, 1], out: [65] },
  { fn: 'byte', args: ['\xff\0', 1, 2], out: [255, 0] },
  { fn: 'byte', args: [''], out: [] },
  { fn: 'char', args: [72, 105, 0, 255], out: ['Hi\0\xff'] },
  { fn: 'char', args: [], out: [''] },
  { fn: 'char', args: ['65', 66.9], out: ['AB'] },
  { fn: 'char', args: [256], error: "bad argument #1 to 'char' (invalid value)" },
  { fn: 'char', args: [65, -1], error: "bad argument #2 to 'char' (invalid value)" },
  { fn: 'char', args: [65, 'x'], error: "bad argument #2 to 'char' (number expected, got string)" },
  { fn: 'char', args: [2 ** 32 + 65], out: ['A'] },
  { fn: 'dump', args: [], error: "bad argument #1 to 'dump' (function expected, got no value)" },
  { fn: 'dump', args: ['x'], error: "bad argument #1 to 'dump' (function expected, got string)" },
];

const finds: Case[] = [
  { fn: 'find', args: ['hello world', 'o w'], out: [5, 7] },
  { fn: 'find', args: ['hello', 'l'], out: [3, 3] },
  { fn: 'find', args: ['hello', 'l', 4], out: [4, 4] },
  { fn: 'find', args: ['hello', 'l', -1], out: [undefined] },
  { fn: 'find', args: ['hello', 'l', -2], out: [4, 4] },
  { fn: 'find', args: ['hello', 'h', -100], out: [1, 1] },
  { fn: 'find', args: ['hello', '', 10], out: [6, 5] },
  { fn: 'find', args: ['hello', '', 3], out: [3, 2] },
  { fn: 'find', args: ['hello', 'xyz'], out: [undefined] },
  { fn: 'find', args: ['a.b', '.', 1, true], out: [2, 2] },
  { fn: 'find', args: ['a.b', '.'], out: [1, 1] },
  { fn: 'find', args: ['a]b', ']'], out: [2, 2] },
  { fn: 'find', args: ['a+b', '+', 1, 1], out: [2, 2] },
  { fn: 'find', args: ['a\0b', '\0'], out: [2, 2] },
  { fn: 'find', args: ['a\0b', 'a\0x'], out: [undefined] },
  { fn: 'find', args: ['ab.', 'b\0.'], out: [undefined] },
  { fn: 'find', args: ['xab', 'a\0*'], out: [undefined] },
  { fn: 'find', args: ['xa\0*', 'a\0*'], out: [2, 4] },
  { fn: 'find', args: ['key=value', '(%w+)=(%w+)'], out: [1, 9, 'key', 'value'] },
  { fn: 'find', args: ['  x', '()x()'], out: [3, 3, 3, 4] },
  { fn: 'find', args: ['hello', '^h'], out: [1, 1] },
  { fn: 'find', args: ['hello', '^e'], out: [undefined] },
  { fn: 'find', args: ['hello', '^e', 2], out: [2, 2] },
  { fn: 'find', args: ['hello', 'o$'], out: [5, 5] },
  { fn: 'find', args: ['hel$lo', 'l$l'], out: [3, 5] },
  { fn: 'find', args: [12345, 34], out: [3, 4] },
  { fn: 'find', args: ['abc', '(a'], error: 'unfinished capture' },
  { fn: 'find', args: ['abc', 'a)'], out: [undefined] },
  { fn: 'match', args: ['abc', 'a)'], error: 'invalid pattern capture' },
  { fn: 'find', args: ['abc', '%'], error: "malformed pattern (ends with '%')" },
  { fn: 'find', args: ['abc', '[a'], error: "malformed pattern (missing ']')" },
  { fn: 'find', args: ['abc', '[]'], error: "malformed pattern (missing ']')" },
  { fn: 'find', args: ['abc', '%f'], error: "missing '[' after '%f' in pattern" },
  { fn: 'find', args: ['abc', '%b'], error: 'unbalanced pattern' },
  { fn: 'find', args: ['abc', '%ba'], error: 'unbalanced pattern' },
  { fn: 'find', args: ['abc', '%1'], error: 'invalid capture index' },
  { fn: 'find', args: ['abc', '(a)%2'], error: 'invalid capture index' },
  { fn: 'find', args: ['abc', '(a%1)'], error: 'invalid capture index' },
  { fn: 'find', args: ['abc', 'x%1'], out: [undefined] },
  { fn: 'find', args: ['abc', '%0'], error: 'invalid capture index' },
  { fn: 'find', args: ['abc', '(' .repeat(33) + ')'.repeat(33)], error: 'too many captures' },
  { fn: 'find', args: ['a', '()'.repeat(32)], out: [1, 0, ...new Array<number>(32).fill(1)] },
  { fn: 'find', args: ['abc'], error: "bad argument #2 to 'find' (string expected, got no value)" },
  { fn: 'find', args: ['abc', 'b', 'x'], error: "bad argument #3 to 'find' (number expected, got string)" },
  { fn: 'match', args: ['hello world', '%w+'], out: ['hello'] },
  { fn: 'match', args: ['hello world', '(%w+) (%w+)'], out: ['hello', 'world'] },
  { fn: 'match', args: ['hello world', '%w+', 7], out: ['world'] },
  { fn: 'match', args: ['  trim me  ', '^%s*(.-)%s*$'], out: ['trim me'] },
  { fn: 'match', args: ['hello', '()ll()'], out: [3, 5] },
  { fn: 'match', args: ['hello', 'xyz'], out: [undefined] },
  { fn: 'match', args: ['THE (quick) fox', '%((%a+)%)'], out: ['quick'] },
  { fn: 'match', args: ['f(a(b)c)d', '%b()'], out: ['(a(b)c)'] },
  { fn: 'match', args: ['f(a(b)c', '%b()'], out: ['(b)'] },
  { fn: 'match', args: ['f(a(bc', '%b()'], out: [undefined] },
  { fn: 'match', args: ['xaax', '%bxx'], out: ['xaax'] },
  { fn: 'match', args: ['THE (quick) fox', '%f[%a]%a+', 5], out: ['quick'] },
  { fn: 'match', args: ['hello', '%f[%l]'], out: [''] },
  { fn: 'match', args: ['abc', '%f[%z]'], out: [''] },
  { fn: 'match', args: ['abcabc', '(abc)%1'], out: ['abc'] },
  { fn: 'match', args: ['abab', '()a%1'], out: [undefined] },
  { fn: 'match', args: ['a1b2', '[%d]'], out: ['1'] },
  { fn: 'match', args: ['a-z', '[a-]+'], out: ['a-'] },
  { fn: 'match', args: [']]x', '[]]+'], out: [']]'] },
  { fn: 'match', args: ['^^a', '[^^]'], out: ['a'] },
  { fn: 'match', args: ['abc123', '[%a-z]+'], out: ['abc'] },
  { fn: 'match', args: ['a-b', '[%a-]+'], out: ['a-b'] },
  { fn: 'match', args: ['aaa', 'a-'], out: [''] },
  { fn: 'match', args: ['aaab', 'a-b'], out: ['aaab'] },
  { fn: 'match', args: ['aaa', 'a*'], out: ['aaa'] },
  { fn: 'match', args: ['aaa', 'a+a'], out: ['aaa'] },
  { fn: 'match', args: ['ab', 'a?b?c?'], out: ['ab'] },
  { fn: 'match', args: ['\0\x01 \t\n\x7f\x80\xff', '%c+'], out: ['\0\x01'] },
  { fn: 'match', args: ['x\0y', '%z'], out: ['\0'] },
  { fn: 'match', args: ['x\0y', '%Z+'], out: ['x'] },
  { fn: 'match', args: ['\xe4\xe9abc', '%a+'], out: ['abc'] },
  { fn: 'match', args: ['\xe4\xe9abc', '%A+'], out: ['\xe4\xe9'] },
  { fn: 'match', args: ['!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~a', '%p+'], out: ['!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'] },
  { fn: 'match', args: [' \t\n\v\f\rx', '%s+'], out: [' \t\n\v\f\r'] },
  { fn: 'match', args: ['0fF9gG', '%x+'], out: ['0fF9'] },
  { fn: 'match', args: ['aB', '%u'], out: ['B'] },
  { fn: 'match', args: ['aB', '%L'], out: ['B'] },
  { fn: 'match', args: ['x.y', '%.'], out: ['.'] },
  { fn: 'match', args: ['a%b', '%%'], out: ['%'] },
  { fn: 'match', args: ['a^b', 'a^b'], out: ['a^b'] },
  { fn: 'match', args: ['ab$', 'b$$'], out: ['b$'] },
];

const gsubs: Case[] = [
  { fn: 'gsub', args: ['hello world', 'o', '0'], out: ['hell0 w0rld', 2] },
  { fn: 'gsub', args: ['hello world', 'o', '0', 1], out: ['hell0 world', 1] },
  { fn: 'gsub', args: ['hello world', 'o', '0', 0], out: ['hello world', 0] },
  { fn: 'gsub', args: ['hello world', 'o', '0', -1], out: ['hello world', 0] },
  { fn: 'gsub', args: ['hello', '', '-'], out: ['-h-e-l-l-o-', 6] },
  { fn: 'gsub', args: ['hello world', '(%w+)', '<%1>'], out: ['<hello> <world>', 2] },
  { fn: 'gsub', args: ['hello world', '%w+', '%0 %0'], out: ['hello hello world world', 2] },
  { fn: 'gsub', args: ['hello', 'l+', '%%'], out: ['he%o', 1] },
  { fn: 'gsub', args: ['hello', 'l+', '%x'], out: ['hexo', 1] },
  { fn: 'gsub', args: ['abc', 'b', '%'], out: ['a\0c', 1] },
  { fn: 'gsub', args: ['abc', 'b', '%1'], out: ['abc', 1] },
  { fn: 'gsub', args: ['abc', 'b', '%2'], error: 'invalid capture index' },
  { fn: 'gsub', args: ['abc', '(b)', '%2'], error: 'invalid capture index' },
  { fn: 'gsub', args: ['abc', '()b', '%1'], out: ['a2c', 1] },
  { fn: 'gsub', args: ['abc', '(b', 'x'], out: ['axc', 1] },
  { fn: 'gsub', args: ['abc', '(b', '%1'], error: 'unfinished capture' },
  { fn: 'gsub', args: ['hello world', '^h', 'H'], out: ['Hello world', 1] },
  { fn: 'gsub', args: ['hello', '^', '>'], out: ['>hello', 1] },
  { fn: 'gsub', args: ['hello', '$', '<'], out: ['hello<', 1] },
  { fn: 'gsub', args: ['hello', '^x', 'y'], out: ['hello', 0] },
  { fn: 'gsub', args: ['abc', '%w', 5], out: ['555', 3] },
  { fn: 'gsub', args: [1234, 2, 9.5], out: ['19.534', 1] },
  { fn: 'gsub', args: ['abc', 'b', true], error: "bad argument #3 to 'gsub' (string/function/table expected)" },
  { fn: 'gsub', args: ['abc', 'b'], error: "bad argument #3 to 'gsub' (string/function/table expected)" },
  { fn: 'gsub', args: ['abc', 'b', true, 'x'], error: "bad argument #4 to 'gsub' (number expected, got string)" },
  { fn: 'gsub', args: ['a,b,,c', '[^,]*', 'x'], out: ['xx,xx,x,xx', 7] },
  { fn: 'gsub', args: ['abc', '.-', '-'], out: ['-a-b-c-', 4] },
  { fn: 'gsub', args: ['a\0b\0', '%z', '0'], out: ['a0b0', 2] },
];

describe('string library', () => {
  it('len, sub, upper, lower, reverse, rep, byte, char, dump', () => checkCases(rt, lib, basics));
  it('find and match: plain search, patterns, captures, anchors and errors', () => checkCases(rt, lib, finds));
  it('gsub with string replacements', () => checkCases(rt, lib, gsubs));

  it.skipIf(!hasLua51)('agrees with Lua 5.1 on every case', () => {
    checkCasesWithLua51('string', [...basics, ...finds, ...gsubs]);
  });

  it('raises pattern and argument errors with the caller position', () => {
    expect(errorOf(() => invoke(rt, lib, 'find', 'x', '['))).toBe(`${POSITION}malformed pattern (missing ']')`);
    expect(errorOf(() => invoke(rt, lib, 'rep'))).toBe(`${POSITION}bad argument #1 to 'rep' (string expected, got no value)`);
  });

  it('dump refuses every function', () => {
    expect(errorOf(() => invoke(rt, lib, 'dump', lib.get('len')))).toBe(`${POSITION}unable to dump given function`);
  });

  it('byte refuses more results than a C function may push', () => {
    expect(invoke(rt, lib, 'byte', 'x'.repeat(7997), 1, -1)).toHaveLength(7997);
    expect(errorOf(() => invoke(rt, lib, 'byte', 'x'.repeat(7998), 1, -1))).toBe(`${POSITION}stack overflow (string slice too long)`);
  });

  it('rep beyond the largest string raises the memory error', () => {
    expect(errorOf(() => invoke(rt, lib, 'rep', 'abcd', 2 ** 30))).toBe('not enough memory');
  });

  it('gsub calls a function replacement with the captures and keeps the match on nil/false', () => {
    const seen: LuaValue[][] = [];
    const replace = fn((...args) => {
      seen.push(args);
      if (args[0] === 'b') return false;
      if (args[0] === 'c') return undefined;
      return typeof args[0] === 'string' ? args[0].toUpperCase() : 'n';
    });
    expect(invoke(rt, lib, 'gsub', 'abcd', '%w', replace)).toEqual(['AbcD', 4]);
    expect(seen).toEqual([['a'], ['b'], ['c'], ['d']]);
    seen.length = 0;
    expect(invoke(rt, lib, 'gsub', 'k=v, x=y', '(%w+)=(%w+)', replace)).toEqual(['K, X', 2]);
    expect(seen).toEqual([['k', 'v'], ['x', 'y']]);
    expect(invoke(rt, lib, 'gsub', 'abc', 'b', fn(() => 42))).toEqual(['a42c', 1]);
    expect(invoke(rt, lib, 'gsub', 'abc', '()b()', fn((a, b) => `${String(a)}-${String(b)}`))).toEqual(['a2-3c', 1]);
  });

  it('gsub looks a table replacement up by the first capture, through __index', () => {
    const table = new LuaTable();
    table.set('name', 'Redis');
    table.set('n', 7);
    expect(invoke(rt, lib, 'gsub', 'hi $name $n $other', '%$(%w+)', table)).toEqual(['hi Redis 7 $other', 3]);
    const proxy = new LuaTable();
    proxy.metatable = new LuaTable();
    proxy.metatable.set('__index', fn((_t, key) => `<${String(key)}>`));
    expect(invoke(rt, lib, 'gsub', 'a b', '%a', proxy)).toEqual(['<a> <b>', 2]);
    const bad = new LuaTable();
    bad.set('a', new LuaTable());
    expect(errorOf(() => invoke(rt, lib, 'gsub', 'a', 'a', bad))).toBe(`${POSITION}invalid replacement value (a table)`);
    expect(errorOf(() => invoke(rt, lib, 'gsub', 'a', 'a', fn(() => true)))).toBe(`${POSITION}invalid replacement value (a boolean)`);
  });

  it('gsub may be re-entered from a replacement function', () => {
    const inner = fn((word) => invoke(rt, lib, 'gsub', word, '.', '%0%0')[0]);
    expect(invoke(rt, lib, 'gsub', 'ab cd', '%a+', inner)).toEqual(['aabb ccdd', 2]);
  });

  it('gmatch iterates matches, with empty matches advancing, and does not anchor', () => {
    const collect = (s: string, p: string): LuaValue[][] => {
      const iterator = invoke(rt, lib, 'gmatch', s, p)[0] as NativeFunction;
      const out: LuaValue[][] = [];
      for (;;) {
        const r = iterator.impl(rt, []);
        if (r.length === 0) return out;
        out.push(r);
      }
    };
    expect(collect('one two  three', '%a+')).toEqual([['one'], ['two'], ['three']]);
    expect(collect('k1=v1, k2=v2', '(%w+)=(%w+)')).toEqual([['k1', 'v1'], ['k2', 'v2']]);
    expect(collect('abc', '')).toEqual([[''], [''], [''], ['']]);
    expect(collect('ab', '()')).toEqual([[1], [2], [3]]);
    expect(collect('^a^a', '^a')).toEqual([['^a'], ['^a']]);
    expect(collect('', 'x')).toEqual([]);
    expect(lib.get('gfind')).toBe(lib.get('gmatch'));
  });

  it('string values index the library through the shared metatable', () => {
    expect(rt.index('abc', 'upper')).toBe(lib.get('upper'));
    expect(rt.index('abc', 'nope')).toBeUndefined();
  });

  it('matches deep patterns without exhausting the JS stack', () => {
    const subject = 'a'.repeat(50_000);
    const pattern = 'a?'.repeat(50_000) + '$';
    expect(invoke(rt, lib, 'find', subject, pattern)).toEqual([1, 50_000]);
    expect(invoke(rt, lib, 'match', subject + 'b', '(' + 'a'.repeat(30) + ').-b$')).toEqual(['a'.repeat(30)]);
  });
});
