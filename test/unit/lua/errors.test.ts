// Runtime error texts as 5.1's ldebug.c builds them (variable kinds and names), positions, error
// levels, argument errors named by the call site, and the position fields Redis's replies need.
// Expected texts were checked against redis-server 7.0.15's EVAL.

import { describe, expect, it } from 'vitest';
import { LuaError, LuaTable } from '../../../src/scripting/lua/value.js';
import { errorText, luaError, newState, run, run1 } from './helpers.js';

describe('type errors name the variable', () => {
  it.each([
    ['foo()', "user_script:1: attempt to call global 'foo' (a nil value)"],
    ['local t = {} t.x.y = 1', "user_script:1: attempt to index field 'x' (a nil value)"],
    ['local t = {} return t.x.y', "user_script:1: attempt to index field 'x' (a nil value)"],
    ['local t = {} return t[1].y', "user_script:1: attempt to index field '?' (a nil value)"],
    ["local t = {} local k = 'a' return t[k].y", "user_script:1: attempt to index field '?' (a nil value)"],
    ['local u; local function f() return u.x end return f()', "user_script:1: attempt to index upvalue 'u' (a nil value)"],
    ['local u = {}; local function f() return u.x.y end return f()', "user_script:1: attempt to index field 'x' (a nil value)"],
    ["local s = 'x' return s:nope()", "user_script:1: attempt to call method 'nope' (a nil value)"],
    ['local t = {} return t:m()', "user_script:1: attempt to call method 'm' (a nil value)"],
    ['local t = {} t.a.b.c = 1', "user_script:1: attempt to index field 'a' (a nil value)"],
    ['local x = nil; x.y = 1', "user_script:1: attempt to index local 'x' (a nil value)"],
    ['return x.y', "user_script:1: attempt to index global 'x' (a nil value)"],
    ['local a = {} return a + 1', "user_script:1: attempt to perform arithmetic on local 'a' (a table value)"],
    ['local a = {} return 1 + a', "user_script:1: attempt to perform arithmetic on local 'a' (a table value)"],
    ["return 'a' + 1", 'user_script:1: attempt to perform arithmetic on a string value'],
    ['return 1 + nil', 'user_script:1: attempt to perform arithmetic on a nil value'],
    ['return x + 1', "user_script:1: attempt to perform arithmetic on global 'x' (a nil value)"],
    ['local t = {} return t.n * 2', "user_script:1: attempt to perform arithmetic on field 'n' (a nil value)"],
    ['local z = {} local function f() return z - 1 end return f()', "user_script:1: attempt to perform arithmetic on upvalue 'z' (a table value)"],
    ['local a return -a', "user_script:1: attempt to perform arithmetic on local 'a' (a nil value)"],
    ["local a = 'x' return a .. {}", 'user_script:1: attempt to concatenate a table value'],
    ["local a return 'x' .. a", "user_script:1: attempt to concatenate local 'a' (a nil value)"],
    ['return 1 .. {}', 'user_script:1: attempt to concatenate a table value'],
    ["return 'a' .. nil", 'user_script:1: attempt to concatenate a nil value'],
    ['local t = {} return #t.x', "user_script:1: attempt to get length of field 'x' (a nil value)"],
    ['return #nil', 'user_script:1: attempt to get length of a nil value'],
    ['local a, b = 1, {} return a < b', 'user_script:1: attempt to compare number with table'],
    ['local a, b = {}, 1 return a <= b', 'user_script:1: attempt to compare table with number'],
    ['return 1 > nil', 'user_script:1: attempt to compare nil with number'],
    ["return 1 < '2'", 'user_script:1: attempt to compare number with string'],
    ['return {} < {}', 'user_script:1: attempt to compare two table values'],
    ['return true < false', 'user_script:1: attempt to compare two boolean values'],
    ['local f = 5 f()', "user_script:1: attempt to call local 'f' (a number value)"],
    ['local t = {} t.x()', "user_script:1: attempt to call field 'x' (a nil value)"],
    ['local function f() end f()()', 'user_script:1: attempt to call a nil value'],
    ['(nil)()', 'user_script:1: attempt to call a nil value'],
    ['local g; local function f() g() end f()', "user_script:1: attempt to call upvalue 'g' (a nil value)"],
    ['local t = setmetatable({}, {__index = 5}) return t.x', 'user_script:1: attempt to index a number value'],
    ['local t = {} t.x.y.z = 1', "user_script:1: attempt to index field 'x' (a nil value)"],
  ])('%s', (source, expected) => {
    expect(errorText(source)).toBe(expected);
  });

  it('positions the error on the failing line', () => {
    expect(errorText('local a = 1\nlocal b = {}\nlocal c = a +\n  b')).toBe("user_script:4: attempt to perform arithmetic on local 'b' (a table value)");
    expect(errorText('local t = {}\n\nt.x.y = 1')).toBe("user_script:3: attempt to index field 'x' (a nil value)");
    expect(errorText('local function f()\n  return nil + 1\nend\nf()')).toBe('user_script:2: attempt to perform arithmetic on a nil value');
  });
});

describe('error()', () => {
  it('adds the position of the level', () => {
    expect(errorText("error('plain')")).toBe('user_script:1: plain');
    expect(errorText("error('lvl0', 0)")).toBe('lvl0');
    expect(errorText('error(42)')).toBe('user_script:1: 42');
    expect(errorText("local function f()\n error('up', 2)\nend\nf()")).toBe('user_script:4: up');
    expect(run1("local function f() error('x', 2) end local ok, e = pcall(function() f() end) return e")).toBe('user_script:1: x');
    expect(run1("local ok, e = pcall(function() error('x', 2) end) return e")).toBe('x');
    expect(run1("local ok, e = pcall(error, 'x', 1) return e")).toBe('x');
  });

  it('counts levels lost to tail calls as 5.1 does (no position there)', () => {
    expect(errorText('local function g() error("in g", 2) end\nlocal function f() return g() end\nf()')).toBe('in g');
    expect(errorText('local function g() error("in g", 2) end\nlocal function f() local r = g() return r end\nf()')).toBe('user_script:2: in g');
    expect(errorText('local function g() error("in g", 3) end\nlocal function f() return g() end\nlocal function h() f() end\nh()')).toBe('user_script:3: in g');
    expect(errorText('local function g() return getfenv(2) end local function f() return g() end return f()')).toBe(
      'user_script:1: no function environment for tail call at level 2',
    );
  });

  it('raises any value, without position when not a string', () => {
    const e = luaError('error({code = 7})');
    expect(e.value).toBeInstanceOf(LuaTable);
    expect((e.value as LuaTable).get('code')).toBe(7);
    expect(run1('local ok, e = pcall(error) return e')).toBe(undefined);
    expect(run1('local ok, e = pcall(error, nil) return e')).toBe(undefined);
    expect(run1('local ok, e = pcall(error, true) return e')).toBe(true);
  });

  it('records the innermost Lua line for Redis', () => {
    const e = luaError('local x = 1\nlocal function f()\n  error("deep")\nend\nf()');
    expect(e.message).toBe('user_script:3: deep');
    expect(e.luaSource).toBe('@user_script');
    expect(e.luaLine).toBe(3);
    const level0 = luaError('local x = 1\n\nerror("no position", 0)');
    expect(level0.message).toBe('no position');
    expect(level0.luaLine).toBe(3);
    const runtime = luaError('\n\nlocal t = nil return t.x');
    expect(runtime.luaLine).toBe(3);
    expect(luaError('\nerror({})').luaLine).toBe(2);
  });
});

describe('argument errors', () => {
  it('use the name of the call site and skip self for methods', () => {
    expect(errorText('return type()')).toBe("user_script:1: bad argument #1 to 'type' (value expected)");
    expect(errorText("return rawget('x', 1)")).toBe("user_script:1: bad argument #1 to 'rawget' (table expected, got string)");
    expect(errorText("return unpack({1, 2}, 'a')")).toBe("user_script:1: bad argument #2 to 'unpack' (number expected, got string)");
    expect(errorText("return ('x'):rep('a')")).toBe("user_script:1: bad argument #1 to 'rep' (number expected, got string)");
    expect(errorText("return ('x').rep('a')")).toBe("user_script:1: bad argument #2 to 'rep' (number expected, got no value)");
    expect(errorText('local rep = string.rep return rep()')).toBe("user_script:1: bad argument #1 to 'rep' (string expected, got no value)");
    expect(errorText('local t = {} t.f = string.rep return t.f()')).toBe("user_script:1: bad argument #1 to 'f' (string expected, got no value)");
    expect(errorText('return (string.rep)()')).toBe("user_script:1: bad argument #1 to 'rep' (string expected, got no value)");
    expect(errorText('local t = {len = string.len} return t:len()')).toBe("user_script:1: calling 'len' on bad self (string expected, got table)");
    expect(errorText('for k in next, 5 do end')).toBe("user_script:1: bad argument #1 to '(for generator)' (table expected, got number)");
    expect(errorText('local t = setmetatable({}, {__index = string.rep}) return t.x')).toBe("user_script:1: bad argument #1 to '?' (string expected, got table)");
    expect(run1('local ok, e = pcall(string.rep) return e')).toBe("bad argument #1 to '?' (string expected, got no value)");
    expect(run1('local ok, e = pcall(setmetatable, 1) return e')).toBe("bad argument #1 to '?' (table expected, got number)");
  });
});

describe('stack overflow', () => {
  it('turns runaway recursion into a catchable Lua error', () => {
    expect(errorText('local function f() return f() + 1 end return f()')).toMatch(/^user_script:1: stack overflow$/);
    expect(errorText('local function f() f() end f()')).toMatch(/^user_script:1: stack overflow$/);
    expect(run('local function f() return f() + 1 end local ok, e = pcall(f) return ok, e')).toEqual([false, 'user_script:1: stack overflow']);
    // The state is usable afterwards.
    const S = newState();
    expect(() => run('local function f() f() end f()', S)).toThrow(LuaError);
    expect(run1('local function d(n) if n == 0 then return 0 end return 1 + d(n - 1) end return d(150)', S)).toBe(150);
  });

  it('overflows through metamethods and pcall nesting', () => {
    expect(errorText('local t = setmetatable({}, {}) getmetatable(t).__index = function(t, k) return t[k] end return t.x')).toBe(
      'user_script:1: C stack overflow',
    );
    const nested = "local function f(n) if n == 0 then return 'bottom' end local ok, e = pcall(f, n - 1) if not ok then error(e, 0) end return e end return f(300)";
    expect(errorText(nested)).toBe('C stack overflow');
    // As in Redis: the script itself is one C level, 198 nested pcalls fit, the 199th does not.
    const nestedPcalls = (n: number): string =>
      `local function f(n) if n == 0 then return 'bottom' end local ok, e = pcall(f, n - 1) if not ok then error(e, 0) end return e end return f(${n})`;
    expect(run1(nestedPcalls(198))).toBe('bottom');
    expect(errorText(nestedPcalls(199))).toBe('C stack overflow');
  });

  it('keeps recursion of a few hundred levels working', () => {
    expect(run1('local function d(n) if n == 0 then return 0 end return 1 + d(n - 1) end return d(1000)')).toBe(1000);
  });
});

describe('allocation failures', () => {
  it('turn a string past JavaScript\'s length limit into "not enough memory"', () => {
    expect(errorText("local s = 'x' for i = 1, 40 do s = s .. s end return #s")).toBe('not enough memory');
    expect(run("local ok, e = pcall(function() local s = 'x' for i = 1, 40 do s = s .. s end end) return ok, e")).toEqual([false, 'not enough memory']);
  });
});
