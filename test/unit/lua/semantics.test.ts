// Lua 5.1 language semantics as the compiler implements them (expected values from Lua 5.1 and
// redis-server 7.0.15's EVAL).

import { describe, expect, it } from 'vitest';
import { LuaTable } from '../../../src/scripting/lua/value.js';
import { newState, run, run1 } from './helpers.js';

describe('values and arithmetic', () => {
  it('computes with doubles as 5.1', () => {
    expect(run('return 7 % 3, -7 % 3, 7 % -3, 5.5 % 2, 2^10, 2^0.5, 10 - 2 - 3, 2 * 3 % 4')).toEqual([
      1, 2, -2, 1.5, 1024, Math.SQRT2, 5, 2,
    ]);
    expect(run('return 1/0, -1/0, 0/0 ~= 0/0, 5 % 0 ~= 5 % 0')).toEqual([Infinity, -Infinity, true, true]);
    expect(run('return 2 ^ 3 ^ 2, -2 ^ 2, -(2) ^ 2')).toEqual([512, -4, -4]);
  });

  it('shares one constant between 0 and -0 in a function, as 5.1 does', () => {
    expect(run('local z = -0 return 1/0, -1/0')).toEqual([-Infinity, Infinity]);
    expect(run('local z = 0 return 1/-0')).toEqual([Infinity]);
    expect(run1('local z = -0 local function f() return 1/0 end return f()')).toBe(Infinity);
  });

  it('converts numeric strings in arithmetic', () => {
    expect(run("return '10' + 1, '0x10' * 1, ' 2 ' ^ '3', -'2', '1e1' / 2")).toEqual([11, 16, 8, -2, 5]);
  });

  it('concatenates numbers with %.14g', () => {
    expect(run1("return 1 .. '' .. 1.5 .. ' ' .. 0.1 + 0.2 .. ' ' .. 1/3 .. ' ' .. 1e15 .. ' ' .. 2^53")).toBe(
      '11.5 0.3 0.33333333333333 1e+15 9.007199254741e+15',
    );
    expect(run1('return 1 .. 2')).toBe('12');
    expect(run1("return tostring(-0) .. ' ' .. tostring(1e300 * 1e10) .. ' ' .. 123456789012345")).toBe('-0 inf 1.2345678901234e+14');
  });

  it('applies operator precedence and associativity', () => {
    expect(run('return 1 + 2 * 3, (1 + 2) * 3, 2 * 3 ^ 2, not nil == true, 1 .. 2 == "12", "a" .. "b" .. "c"')).toEqual([
      7, 9, 18, true, true, 'abc',
    ]);
    expect(run('return 1 < 2 == true, not 1 == 2, #"abc" + 1, -3 ^ 2')).toEqual([true, false, 4, -9]);
  });

  it('short-circuits and/or returning operands', () => {
    expect(run("return nil and 1, false or 'y', 1 and 2, nil or false, 0 or 1, '' and 'x'")).toEqual([
      undefined, 'y', 2, false, 0, 'x',
    ]);
    expect(run1("local n = 0 local function f() n = n + 1 return true end local _ = false and f() local _ = true or f() return n")).toBe(0);
  });

  it('compares numbers, strings byte-wise and by identity', () => {
    expect(run("return 1 < 2, 'a' < 'b', 'Z' < 'a', 'a\\0b' > 'a', '10' < '9', 2 <= 2, 'b' >= 'a'")).toEqual([
      true, true, true, true, true, true, true,
    ]);
    expect(run("return {} == {}, 1 == '1', nil == false, 0 == -0, 'a' ~= 'a'")).toEqual([false, false, false, true, false]);
  });

  it('gives # of strings and tables', () => {
    expect(run("return #'', #'\\0\\0', #{}, #{1, 2, 3}, #{1, 2, nil, 4}, #{nil, nil, 3}, #{n = 3}")).toEqual([
      0, 2, 0, 3, 4, 3, 0,
    ]);
  });
});

describe('tables', () => {
  it('builds constructors with positional, named and computed fields', () => {
    expect(run("local t = {n = 1, [2] = 'two', 'one', [1] = 'ONE'} return t[1], t[2], t.n")).toEqual(['one', 'two', 1]);
    expect(run1("local t = {[1] = 'A', 'B'} return t[1]")).toBe('B');
    expect(run1("local t = {'B', [1] = 'A'} return t[1]")).toBe('B');
    expect(run1('local t = {1, 2, 3,} return #t')).toBe(3);
    expect(run1('local t = {1; 2; x = 1} return #t')).toBe(2);
  });

  it('expands the last call or ... in a constructor only', () => {
    expect(run('local function f() return 1, 2, 3 end return #{f(), f()}, #{f(), (f())}, #{f(), nil}')).toEqual([4, 2, 1]);
    expect(run1('local function f(...) return #{...} end return f(1, 2, 3)')).toBe(3);
  });

  it('uses float and big keys', () => {
    expect(run1("local t = {} t[1.5] = 'f' t[2^53] = 'big' t[-1] = 'n' return t[1.5] .. t[2^53] .. t[-1]")).toBe('fbign');
    expect(run1('local t = {} t[1] = 1 t[1.0] = 2 return t[1]')).toBe(2);
  });

  it('raises on nil and NaN keys', () => {
    const S = newState();
    expect(() => run('local t = {} t[nil] = 1', S)).toThrow('user_script:1: table index is nil');
    expect(() => run('local t = {} t[0/0] = 1', S)).toThrow('user_script:1: table index is NaN');
    expect(() => run('local t = {[nil] = 1}', S)).toThrow('user_script:1: table index is nil');
    expect(run1('local t = {} return t[nil]', S)).toBe(undefined);
  });
});

describe('assignment', () => {
  it('evaluates all expressions before assigning, and assigns right to left', () => {
    expect(run1('local t = {} t[1], t[1] = 1, 2 return t[1]')).toBe(1);
    expect(run('local a, b = 1, 2 a, b = b, a return a, b')).toEqual([2, 1]);
    expect(run("local i = 1 local t = {} i, t[i] = i + 1, 20 return t[1], t[2]")).toEqual([20, undefined]);
    expect(run1('local a = {} local b = a a, a.x = 5, 6 return b.x')).toBe(6);
  });

  it('adjusts value lists to the variables', () => {
    expect(run('local a, b, c = 1, 2 return a, b, c')).toEqual([1, 2, undefined]);
    expect(run('local function f() return 1, 2, 3 end local a, b, c, d = 0, f() return a, b, c, d')).toEqual([0, 1, 2, 3]);
    expect(run('local function f() return 1, 2, 3 end local a, b, c = f(), 10 return a, b, c')).toEqual([1, 10, undefined]);
    expect(run('local t = {} t.x, t.y = 1 return t.x, t.y')).toEqual([1, undefined]);
    expect(run1('local n = 0 local function f() n = n + 1 end local a = 1, f(), f() return n')).toBe(2);
    expect(run1('local a, b = 1 return b')).toBe(undefined);
  });

  it('scopes locals lexically with shadowing', () => {
    expect(run1('local x = 1 do local x = x + 1 end return x')).toBe(1);
    expect(run1('local x = 1 local x = x + 1 return x')).toBe(2);
    expect(run1('local x = 10 local function f() return x end local x = 20 return f()')).toBe(10);
  });

  it('assigns globals in the function environment', () => {
    const S = newState();
    run('g = 5', S);
    expect(S.globals.get('g')).toBe(5);
    expect(run1('return g', S)).toBe(5);
  });
});

describe('control flow', () => {
  it('runs numeric for loops with 5.1 semantics', () => {
    expect(run1('local s = 0 for i = 10, 1, -3 do s = s + i end return s')).toBe(22);
    expect(run1('local s = 0 for i = 1, 0 do s = s + 1 end return s')).toBe(0);
    expect(run1("local s = '' for i = 0.1, 0.5, 0.1 do s = s .. i .. ',' end return s")).toBe('0.1,0.2,0.3,0.4,0.5,');
    expect(run1("local s = '' for i = '1', '3' do s = s .. i end return s")).toBe('123');
    expect(run1('local n = 0 for i = 1, 3 do i = i * 10 n = n + i end return n')).toBe(60);
    expect(run1('local last for i = 1, 3 do last = i end return last')).toBe(3);
  });

  it('checks for-loop values', () => {
    const S = newState();
    expect(() => run("for i = 1,\n  'x' do end", S)).toThrow("user_script:2: 'for' limit must be a number");
    expect(() => run("for i = 'a', 2 do end", S)).toThrow("user_script:1: 'for' initial value must be a number");
    expect(() => run("for i = 1, 'x' do end", S)).toThrow("user_script:1: 'for' limit must be a number");
    expect(() => run('for i = 1, 2, {} do end', S)).toThrow("user_script:1: 'for' step must be a number");
  });

  it('runs generic for with pairs, ipairs, next and custom iterators', () => {
    expect(run1('local s = 0 for k, v in pairs({1, 2, 3, x = 4}) do s = s + v end return s')).toBe(10);
    expect(run1('local s = 0 for i, v in ipairs({5, 6, nil, 7}) do s = s + i * v end return s')).toBe(17);
    expect(run1('local s = 0 for k, v in next, {1, 2} do s = s + v end return s')).toBe(3);
    expect(run1("local keys = '' for k in pairs({a = 1, b = 2, c = 3}) do keys = keys .. k end return keys")).toBe('acb') // Redis's Lua: the order of ltable.c's nodes;
    expect(
      run1('local function range(n) return function(_, i) if i < n then return i + 1 end end, nil, 0 end local s = 0 for i in range(4) do s = s + i end return s'),
    ).toBe(10);
    expect(run1('local t = {} for k, v in pairs({a = 1, b = 2}) do t[#t + 1] = k .. v end return #t')).toBe(2);
  });

  it('allows clearing fields during a pairs traversal', () => {
    expect(run1('local t = {1, 2, 3, a = 1, b = 2} local n = 0 for k in pairs(t) do t[k] = nil n = n + 1 end return n + (next(t) == nil and 100 or 0)')).toBe(105);
  });

  it('reports a call error for a bad generic-for generator', () => {
    expect(() => run('for k, v in 1 do end')).toThrow('user_script:1: attempt to call a number value');
    expect(() => run('for k in nil do end')).toThrow('user_script:1: attempt to call a nil value');
  });

  it('scopes repeat-until conditions inside the body', () => {
    expect(run1('local x = 0 repeat local y = x x = x + 1 until y >= 3 return x')).toBe(4);
  });

  it('breaks out of the innermost loop only', () => {
    expect(run1('local n = 0 for i = 1, 3 do while true do n = n + 1 break end if i == 2 then break end end return n')).toBe(2);
    expect(run1('local n = 0 repeat n = n + 1 if n == 5 then break end until false return n')).toBe(5);
  });

  it('chains if/elseif/else', () => {
    const src = "local function f(x) if x == 1 then return 'one' elseif x == 2 then return 'two' else return 'many' end end return f(1) .. f(2) .. f(3)";
    expect(run1(src)).toBe('onetwomany');
  });
});

describe('functions', () => {
  it('passes and returns multiple values', () => {
    expect(run('local function f() return 1, 2, 3 end return f()')).toEqual([1, 2, 3]);
    expect(run('local function f() return 1, 2, 3 end return (f())')).toEqual([1]);
    expect(run('local function f() return 1, 2, 3 end return f(), 10')).toEqual([1, 10]);
    expect(run('local function f() end return f()')).toEqual([]);
    expect(run('local function f(a, b) return b, a end return f(1)')).toEqual([undefined, 1]);
  });

  it('handles varargs and select', () => {
    expect(run1("local function f(...) return select('#', ...) end return f(nil, nil)")).toBe(2);
    expect(run1('local function f(...) local a, b = ... return tostring(a) .. tostring(b) end return f(1)')).toBe('1nil');
    expect(run('local function f(a, ...) return ... end return f(1, 2, 3)')).toEqual([2, 3]);
    expect(run("return select(2, 'a', 'b', 'c')")).toEqual(['b', 'c']);
    expect(run("return select(-1, 'a', 'b')")).toEqual(['b']);
    expect(run('return ...', newState(), [1, 'x'])).toEqual([1, 'x']);
    expect(run1('local function f(...) local t = {...} return #t end return f(1, 2, 3, 4)')).toBe(4);
  });

  it('gives old-style vararg functions an arg table (LUA_COMPAT_VARARG)', () => {
    expect(run("local function f(a, ...) return arg.n .. arg[1] .. arg[2] end return f(1, 2, 3)")).toEqual(['223']);
    expect(run1('local function f(...) local x = ... return arg end return f(1, 2)')).toBe(undefined);
    expect(run1('local function f() return arg end arg = 5 return f()')).toBe(5);
  });

  it('creates fresh locals per loop iteration for closures', () => {
    expect(run1('local t = {} for i = 1, 3 do t[i] = function() return i end end return t[1]() + t[2]() * 10 + t[3]() * 100')).toBe(321);
    expect(run1('local t = {} local i = 1 while i <= 3 do local j = i t[i] = function() return j end i = i + 1 end return t[1]() + t[3]()')).toBe(4);
    expect(run1('local t = {} for k, v in pairs({10, 20}) do t[k] = function() return v end end return t[1]() + t[2]()')).toBe(30);
  });

  it('shares upvalues between closures', () => {
    const src = 'local function counter() local n = 0 return function() n = n + 1 return n end, function() return n end end local inc, get = counter() inc() inc() return get()';
    expect(run1(src)).toBe(2);
  });

  it('supports recursion, local function and methods', () => {
    expect(run1('local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end return fib(20)')).toBe(6765);
    expect(run1("local obj = {v = 5} function obj:get(x) return self.v + x end function obj.static(x) return x end return obj:get(1) + obj.static(2)")).toBe(8);
    expect(run1('local a = {b = {}} function a.b.c() return 7 end return a.b.c()')).toBe(7);
  });

  it('makes proper tail calls (constant stack)', () => {
    expect(run1('local function loop(i, acc) if i == 0 then return acc end return loop(i - 1, acc + i) end return loop(1000000, 0)')).toBe(500000500000);
    expect(run1('local obj = {} function obj:count(n) if n == 0 then return "done" end return self:count(n - 1) end return obj:count(100000)')).toBe('done');
    expect(run1('local even, odd function even(n) if n == 0 then return true end return odd(n - 1) end function odd(n) if n == 0 then return false end return even(n - 1) end return even(100001)')).toBe(false);
    expect(run('local function f(...) return select("#", ...), ... end local function h() return f(1, nil, 3) end return h()')).toEqual([3, 1, undefined, 3]);
    expect(run1('local function f() return tostring(12) end return f()')).toBe('12');
    expect(run1('local co = coroutine.wrap(function() local function l(n) if n == 0 then return coroutine.yield("y") end return l(n - 1) end return l(50000) end) return co()')).toBe('y');
    expect(run1('local ok, v = pcall(function() local function l(n) if n == 0 then return "deep" end return l(n - 1) end return l(100000) end) return v')).toBe('deep');
  });

  it('calls with string and table arguments', () => {
    expect(run1("local function f(x) return type(x) end return f'str' .. f{1}")).toBe('stringtable');
    expect(run1("return ('x'):rep(3)")).toBe('xxx');
    expect(run1("local s = 'abc' return s:upper() .. #s")).toBe('ABC3');
  });
});

describe('metamethods', () => {
  it('dispatches arithmetic, concat, unary minus and call', () => {
    expect(run1('local t = setmetatable({}, {__add = function(a, b) return 42 end}) return t + 1')).toBe(42);
    expect(run1('local t = setmetatable({}, {__add = function(a, b) return type(a) .. type(b) end}) return 1 + t')).toBe('numbertable');
    expect(run1("local t = setmetatable({}, {__concat = function(a, b) return 'cc' end}) return t .. 'x' .. 'y'")).toBe('cc');
    expect(run1("local t = setmetatable({}, {__concat = function(a, b) return b end}) return 'x' .. 'y' .. t == t")).toBe(true);
    expect(run1("local t = setmetatable({}, {__concat = function(a, b) return type(a) .. type(b) end}) return t .. 'x' .. 'y'")).toBe('tablestring');
    expect(run1("local t = setmetatable({}, {__unm = function() return 'neg' end}) return -t")).toBe('neg');
    expect(run1('local t = setmetatable({}, {__call = function(self, a, b) return a + b end}) return t(1, 2)')).toBe(3);
    expect(run1("local t = setmetatable({}, {__mod = function() return 'm' end, __pow = function() return 'p' end, __div = function() return 'd' end, __mul = function() return 'x' end, __sub = function() return 's' end}) return (t % 1) .. (t ^ 1) .. (t / 1) .. (t * 1) .. (t - 1)")).toBe('mpdxs');
  });

  it('uses __len for userdata only', () => {
    expect(run1('local t = setmetatable({1}, {__len = function() return 5 end}) return #t')).toBe(1);
    expect(run1('local u = newproxy(true) getmetatable(u).__len = function() return 9 end return #u')).toBe(9);
  });

  it('compares with __eq, __lt and __le as 5.1', () => {
    expect(run("local mt = {__eq = function() return true end} local a = setmetatable({}, mt) local b = setmetatable({}, mt) return a == b, a ~= b")).toEqual([true, false]);
    expect(run1('local a = setmetatable({}, {__eq = function() return true end}) local b = setmetatable({}, {__eq = function() return true end}) return a == b')).toBe(false);
    expect(run1('local f = function() return true end local a = setmetatable({}, {__eq = f}) local b = setmetatable({}, {__eq = f}) return a == b')).toBe(true);
    expect(run1('local mt = {__eq = function() return true end} return setmetatable({}, mt) == 1')).toBe(false);
    expect(run('local mt = {__lt = function(a, b) return true end} local a = setmetatable({}, mt) local b = setmetatable({}, mt) return a < b, a <= b, a > b')).toEqual([true, false, true]);
    expect(run('local mt = {__le = function(a, b) return false end} local a = setmetatable({}, mt) return a <= a, a >= a')).toEqual([false, false]);
  });

  it('follows __index and __newindex chains of tables and functions', () => {
    expect(run1("local t = setmetatable({}, {__index = {a = 'A'}}) return t.a")).toBe('A');
    expect(run1("local t = setmetatable({}, {__index = setmetatable({}, {__index = function(t, k) return k .. '?' end})}) return t.zz")).toBe('zz?');
    expect(run1("local t = setmetatable({}, {__newindex = function(t, k, v) rawset(t, k, v .. '!') end}) t.x = 'a' return t.x")).toBe('a!');
    expect(run("local store = {} local t = setmetatable({}, {__newindex = store}) t.x = 1 return rawget(t, 'x'), store.x")).toEqual([undefined, 1]);
    expect(run1('local t = setmetatable({x = 1}, {__newindex = function() error("no") end}) t.x = 2 return t.x')).toBe(2);
  });

  it('detects __index loops', () => {
    expect(() => run('local t = {} setmetatable(t, {__index = t}) return t.x')).toThrow('user_script:1: loop in gettable');
    expect(() => run('local t = {} setmetatable(t, {__newindex = t}) t.x = 1')).toThrow('user_script:1: loop in settable');
  });

  it('calls __tostring and honours __metatable', () => {
    expect(run1("local t = setmetatable({}, {__tostring = function() return 'TT' end}) return tostring(t)")).toBe('TT');
    expect(run1("local t = setmetatable({}, {__metatable = 'locked'}) return getmetatable(t)")).toBe('locked');
    expect(() => run("local t = setmetatable({}, {__metatable = 'locked'}) setmetatable(t, {})")).toThrow('user_script:1: cannot change a protected metatable');
  });

  it('indexes strings through the string metatable', () => {
    const S = newState();
    expect(run1("return ('abc'):len()", S)).toBe(3);
    expect(run1("return getmetatable('').__index == string", S)).toBe(true);
    expect(run1("local s = 'x' return s.nope", S)).toBe(undefined);
  });
});

describe('environments', () => {
  it('gives every function its env (getfenv/setfenv), inherited by closures', () => {
    expect(run1("local function f() return x end setfenv(f, {x = 'fromenv'}) return f()")).toBe('fromenv');
    expect(run1("local function f() local g = function() return y end return g() end setfenv(f, {y = 'inherited'}) return f()")).toBe('inherited');
    expect(run('return getfenv(1) == _G, getfenv(0) == _G, getfenv() == _G')).toEqual([true, true, true]);
    expect(run1("setfenv(1, {r = 'changed'}) return r")).toBe('changed');
    expect(run1('local function f() return getfenv(2) end local e = {f = f} setfenv(1, e) return f() == e')).toBe(true);
  });

  it('loads chunks with a given environment', () => {
    const S = newState();
    const env = new LuaTable();
    env.set('v', 42);
    const fn = S.load('return v', '@other', env);
    expect(S.call(fn, [])).toEqual([42]);
  });

  it('refuses to set the environment of a native', () => {
    expect(() => run('setfenv(tostring, {})')).toThrow("user_script:1: 'setfenv' cannot change environment of given object");
  });
});

describe('readonly tables (Redis patch)', () => {
  it('refuses assignment, rawset and setmetatable', () => {
    const S = newState();
    const t = new LuaTable();
    t.set('a', 1);
    t.readonly = true;
    S.globals.set('ro', t);
    expect(() => run('ro.b = 1', S)).toThrow(/^user_script:1: Attempt to modify a readonly table$/);
    expect(() => run('ro.a = 2', S)).toThrow(/^user_script:1: Attempt to modify a readonly table$/);
    expect(() => run("rawset(ro, 'b', 1)", S)).toThrow(/^Attempt to modify a readonly table$/);
    expect(() => run('setmetatable(ro, {})', S)).toThrow(/^Attempt to modify a readonly table$/);
    expect(run1('return ro.a', S)).toBe(1);
  });
});
