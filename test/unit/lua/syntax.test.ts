// Lua 5.1's lexer and parser: syntax error texts (each pair below was checked against
// redis-server 7.0.15's EVAL, which prefixes them with 'ERR Error compiling script (new function): '),
// chunk names, and the token forms the scanner accepts.

import { describe, expect, it } from 'vitest';
import { LuaError } from '../../../src/scripting/lua/value.js';
import { chunkId } from '../../../src/scripting/lua/lexer.js';
import { errorText, newState, run, run1 } from './helpers.js';

const SYNTAX_ERRORS: [string, string][] = [
  [
    "x = ",
    "user_script:1: unexpected symbol near '<eof>'"
  ],
  [
    "local s = \"abc",
    "user_script:1: unfinished string near '<eof>'"
  ],
  [
    "local s = 'abc\nx'",
    "user_script:1: unfinished string near ''abc'"
  ],
  [
    "return 3x",
    "user_script:1: malformed number near '3x'"
  ],
  [
    "return 0x",
    "user_script:1: malformed number near '0x'"
  ],
  [
    "return 1e",
    "user_script:1: malformed number near '1e'"
  ],
  [
    "return 1..2",
    "user_script:1: malformed number near '1..2'"
  ],
  [
    "return [[a",
    "user_script:1: unfinished long string near '<eof>'"
  ],
  [
    "return [==[ ]=]",
    "user_script:1: unfinished long string near '<eof>'"
  ],
  [
    "--[[ unfinished",
    "user_script:1: unfinished long comment near '<eof>'"
  ],
  [
    "return \"\\300\"",
    "user_script:1: escape sequence too large near '\"'"
  ],
  [
    "x = }",
    "user_script:1: unexpected symbol near '}'"
  ],
  [
    "local function 1",
    "user_script:1: '<name>' expected near '1'"
  ],
  [
    "function f() return ... end",
    "user_script:1: cannot use '...' outside a vararg function near '...'"
  ],
  [
    "for i=1 do end",
    "user_script:1: ',' expected near 'do'"
  ],
  [
    "function f() ",
    "user_script:1: 'end' expected near '<eof>'"
  ],
  [
    "if x then",
    "user_script:1: 'end' expected near '<eof>'"
  ],
  [
    "if x then else",
    "user_script:1: 'end' expected near '<eof>'"
  ],
  [
    "while true do",
    "user_script:1: 'end' expected near '<eof>'"
  ],
  [
    "repeat x = 1",
    "user_script:1: 'until' expected near '<eof>'"
  ],
  [
    "do x = 1",
    "user_script:1: 'end' expected near '<eof>'"
  ],
  [
    "for i = 1, 2 do",
    "user_script:1: 'end' expected near '<eof>'"
  ],
  [
    "for k, v in pairs(t) do",
    "user_script:1: 'end' expected near '<eof>'"
  ],
  [
    "local t = {1, 2",
    "user_script:1: '}' expected near '<eof>'"
  ],
  [
    "f(1, 2",
    "user_script:1: ')' expected near '<eof>'"
  ],
  [
    "f\n(1)",
    "user_script:2: ambiguous syntax (function call x new statement) near '('"
  ],
  [
    "local x = (1",
    "user_script:1: ')' expected near '<eof>'"
  ],
  [
    "break",
    "user_script:1: no loop to break near '<eof>'"
  ],
  [
    "if true then break end",
    "user_script:1: no loop to break near 'end'"
  ],
  [
    "return return",
    "user_script:1: unexpected symbol near 'return'"
  ],
  [
    "return 1 x = 2",
    "user_script:1: '<eof>' expected near 'x'"
  ],
  [
    "local 1 = 2",
    "user_script:1: '<name>' expected near '1'"
  ],
  [
    "x.1 = 2",
    "user_script:1: '=' expected near '.1'"
  ],
  [
    "(x) = 1",
    "user_script:1: syntax error near '='"
  ],
  [
    "f() = 1",
    "user_script:1: unexpected symbol near '='"
  ],
  [
    "a, f() = 1, 2",
    "user_script:1: syntax error near '='"
  ],
  [
    "x = 1 + ",
    "user_script:1: unexpected symbol near '<eof>'"
  ],
  [
    "local x = function",
    "user_script:1: '(' expected near '<eof>'"
  ],
  [
    "local x = function(a, 1) end",
    "user_script:1: <name> or '...' expected near '1'"
  ],
  [
    "local x = function(a, ...,b) end",
    "user_script:1: ')' expected near ','"
  ],
  [
    "for a.b = 1, 2 do end",
    "user_script:1: '=' or 'in' expected near '.'"
  ],
  [
    "for a b",
    "user_script:1: '=' or 'in' expected near 'b'"
  ],
  [
    "return a:b",
    "user_script:1: function arguments expected near '<eof>'"
  ],
  [
    "return a:b.c()",
    "user_script:1: function arguments expected near '.'"
  ],
  [
    "return {[1] 2}",
    "user_script:1: '=' expected near '2'"
  ],
  [
    "return {a = }",
    "user_script:1: unexpected symbol near '}'"
  ],
  [
    "goto x",
    "user_script:1: '=' expected near 'x'"
  ],
  [
    "x = [=[",
    "user_script:1: unfinished long string near '<eof>'"
  ],
  [
    "x = '\\",
    "user_script:1: unfinished string near '<eof>'"
  ],
  [
    "return @",
    "user_script:1: unexpected symbol near '@'"
  ],
  [
    "return $",
    "user_script:1: unexpected symbol near '$'"
  ],
  [
    "return 1 ~ 2",
    "user_script:1: '<eof>' expected near '~'"
  ],
  [
    "return !x",
    "user_script:1: unexpected symbol near '!'"
  ],
  [
    "x = 5 y = 6 z",
    "user_script:1: '=' expected near '<eof>'"
  ],
  [
    "local a <const> = 1",
    "user_script:1: unexpected symbol near '<'"
  ],
  [
    "return 1 // 2",
    "user_script:1: unexpected symbol near '/'"
  ],
  [
    "return 1.2.3",
    "user_script:1: malformed number near '1.2.3'"
  ],
  [
    "return .",
    "user_script:1: unexpected symbol near '.'"
  ],
  [
    "return a.",
    "user_script:1: '<name>' expected near '<eof>'"
  ],
  [
    "x = {} x[] = 1",
    "user_script:1: unexpected symbol near ']'"
  ],
  [
    "return not",
    "user_script:1: unexpected symbol near '<eof>'"
  ],
  [
    "return -",
    "user_script:1: unexpected symbol near '<eof>'"
  ],
  [
    "a.b:c = 1",
    "user_script:1: function arguments expected near '='"
  ],
  [
    "function a.b:c.d() end",
    "user_script:1: '(' expected near '.'"
  ],
  [
    "function a:b:c() end",
    "user_script:1: '(' expected near ':'"
  ],
  [
    "local function a.b() end",
    "user_script:1: '(' expected near '.'"
  ],
  [
    "local a, b, = 1",
    "user_script:1: '<name>' expected near '='"
  ],
  [
    "x =\n\n\n",
    "user_script:4: unexpected symbol near '<eof>'"
  ],
  [
    "local t = { f = function() end, g = 1,, }",
    "user_script:1: unexpected symbol near ','"
  ],
  [
    "return 1 == == 2",
    "user_script:1: unexpected symbol near '=='"
  ]
];

function compileError(source: string, chunkName = '@user_script'): string {
  try {
    newState().load(source, chunkName);
  } catch (e) {
    if (e instanceof LuaError) return e.message;
    throw e;
  }
  throw new Error('compiled: ' + source);
}

describe('syntax errors', () => {
  it.each(SYNTAX_ERRORS)('%j', (source, expected) => {
    expect(compileError(source)).toBe(expected);
  });

  it('reports limits as 5.1 does', () => {
    const locals = Array.from({ length: 201 }, (_, i) => `local v${i} = ${i}`).join('\n');
    expect(compileError(locals)).toBe('user_script:201: main function has more than 200 local variables');
    const inner = Array.from({ length: 61 }, (_, i) => `local u${i} = ${i}`);
    const upvalues = `${inner.slice(0, 30).join(' ')} do ${inner.slice(30).join(' ')} return function() return ${inner.map((_, i) => `u${i}`).join(' + ')} end end`;
    expect(compileError(upvalues)).toMatch(/^user_script:1: function at line 1 has more than 60 upvalues$/);
    expect(compileError(`return ${'('.repeat(250)}1${')'.repeat(250)}`)).toBe('user_script:1: chunk has too many syntax levels');
  });

  it('refuses a nested [[ in a level-0 long string (LUA_COMPAT_LSTR 1)', () => {
    expect(compileError('return [[ [[ ]]')).toBe("user_script:1: nesting of [[...]] is deprecated near '['");
    expect(run1('return [=[ [[ ]] ]=]')).toBe(' [[ ]] ');
  });

  it('names chunks as luaO_chunkid', () => {
    expect(compileError('x=', 'x=')).toBe('[string "x="]:1: unexpected symbol near \'<eof>\'');
    expect(compileError('x=', '=foo')).toBe("foo:1: unexpected symbol near '<eof>'");
    expect(compileError('local a = 1\nx=', 'local a = 1\nx=')).toBe('[string "local a = 1..."]:2: unexpected symbol near \'<eof>\'');
    const long = `local ${'a'.repeat(90)} = 1 x=`;
    expect(compileError(long, long)).toBe(`[string "local ${'a'.repeat(57)}..."]:1: unexpected symbol near '<eof>'`);
    expect(chunkId(long, 60)).toBe(`[string "local ${'a'.repeat(37)}..."]`);
    expect(chunkId(`@${'d/'.repeat(40)}f.lua`, 60)).toBe(`...${`${'d/'.repeat(40)}f.lua`.slice(-52)}`);
  });

  it('parses a binary chunk as text, as Redis does (no bytecode loading)', () => {
    const binary = '\x1bLuaQ\x00\x01\x04\x08';
    expect(compileError(binary, binary)).toBe('[string "\x1bLuaQ"]:1: unexpected symbol near \'char(27)\'');
    expect(run1(`local f, e = loadstring("\\27LuaQ\\0") return e`)).toBe('[string "\x1bLuaQ"]:1: unexpected symbol near \'char(27)\'');
  });

  it('reports the line of the error', () => {
    expect(compileError('local a = 1\n\nlocal b = = 2')).toBe("user_script:3: unexpected symbol near '='");
    expect(compileError('function f()\n  return 1\n')).toBe("user_script:3: 'end' expected (to close 'function' at line 1) near '<eof>'");
    expect(errorText('local x = 1\nlocal y = nil\nreturn y.z')).toBe("user_script:3: attempt to index local 'y' (a nil value)");
  });
});

describe('tokens', () => {
  it('reads numbers as luaO_str2d', () => {
    expect(run('return 0x10, 0XfF, 1e2, .5, 3., 1E-2, 0x1p4 == nil')).toEqual([16, 255, 100, 0.5, 3, 0.01, false]);
  });

  it('decodes string escapes', () => {
    expect(run1("return '\\65\\066\\0677'")).toBe('ABC7');
    expect(run1('return "a\\tb\\nc\\\\d\\"e\\\'f"')).toBe('a\tb\nc\\d"e\'f');
    expect(run1('return "\\a\\b\\f\\v\\r"')).toBe('\x07\x08\x0c\x0b\r');
    expect(run1("return 'x\\qy'")).toBe('xqy');
    expect(run1("return 'line\\\nnext'")).toBe('line\nnext');
    expect(run1("return '\\0\\255'")).toBe('\x00\xff');
  });

  it('reads long strings and comments of every level', () => {
    expect(run1('return [[\nfirst newline skipped]]')).toBe('first newline skipped');
    expect(run1('return [==[a]]b]=]c]==]')).toBe('a]]b]=]c');
    expect(run1('return [[a\r\nb]]')).toBe('a\nb');
    expect(run1('--[[ long\ncomment ]] return "after"')).toBe('after');
    expect(run1('--[==[ ]] ]==] return "level"')).toBe('level');
    expect(run1('return 1 -- comment')).toBe(1);
    expect(run1('local a = 3 return a--[[inline]]+1')).toBe(4);
    expect(run1('--[ not long\nreturn 2')).toBe(2);
  });

  it('keeps line numbers across multi-line tokens', () => {
    expect(errorText('local s = [[\n\n]] local t = nil\nreturn t.x')).toBe("user_script:4: attempt to index local 't' (a nil value)");
    expect(errorText('--[[\n\n]] error("here")')).toBe('user_script:3: here');
  });
});

describe('long expressions', () => {
  it('compiles left-associative chains of any length, as 5.1 does', () => {
    expect(run1(`return ${Array(30000).fill('1').join(' + ')}`)).toBe(30000);
    expect(run1(`local a = nil return ${Array(3000).fill('a').join(' or ')} or 'end'`)).toBe('end');
    expect(run1(`local n = 1 return ${Array(100).fill('n').join(' - ')}`)).toBe(-98);
  });

  it('keeps evaluation order and error names in a flattened chain', () => {
    const chain = Array.from({ length: 40 }, (_, i) => `v${i}`);
    const decl = `local ${chain.join(', ')} = ${chain.map((_, i) => (i === 20 ? '{}' : String(i))).join(', ')}`;
    expect(errorText(`${decl}\nreturn ${chain.join(' + ')}`)).toBe("user_script:2: attempt to perform arithmetic on local 'v20' (a table value)");
    expect(run1(`local log = '' local function f(x) log = log .. x return x end local s = ${Array.from({ length: 40 }, (_, i) => `f(${i % 10})`).join(' + ')} return log`)).toBe(
      '0123456789'.repeat(4),
    );
  });

  it('refuses pathological nesting instead of failing the process', () => {
    expect(compileError(`local t = {} return t${'.x'.repeat(20000)}`)).toBe('user_script:1: chunk has too many syntax levels');
  });
});
