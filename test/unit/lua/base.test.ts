// The base and coroutine libraries as Lua 5.1 has them in Redis (expected values from Lua 5.1
// and redis-server 7.0.15's EVAL).

import { describe, expect, it } from 'vitest';
import { LuaTable, LuaUserdata } from '../../../src/scripting/lua/value.js';
import { LuaCoroutine } from '../../../src/scripting/lua/state.js';
import { errorText, newState, run, run1 } from './helpers.js';

describe('base library', () => {
  it('has 5.1 and Redis globals only', () => {
    const S = newState();
    for (const name of ['assert', 'collectgarbage', 'error', 'gcinfo', 'getfenv', 'getmetatable', 'ipairs', 'load', 'loadstring', 'next', 'pairs', 'pcall', 'rawequal', 'rawget', 'rawset', 'select', 'setfenv', 'setmetatable', 'tonumber', 'tostring', 'type', 'unpack', 'xpcall', 'newproxy', 'coroutine', '_G']) {
      expect(S.globals.get(name), name).not.toBe(undefined);
    }
    for (const name of ['print', 'dofile', 'loadfile', 'os', 'io', 'package', 'require', 'debug']) {
      expect(S.globals.get(name), name).toBe(undefined);
    }
    expect(run1('return _VERSION', S)).toBe('Lua 5.1');
  });

  it('assert', () => {
    expect(run('return assert(1, 2, 3)')).toEqual([1, 2, 3]);
    expect(errorText('assert(false)')).toBe('user_script:1: assertion failed!');
    expect(errorText("assert(nil, 'custom')")).toBe('user_script:1: custom');
    expect(errorText('assert(false, 42)')).toBe('user_script:1: 42');
    expect(errorText('assert()')).toBe("user_script:1: bad argument #1 to 'assert' (value expected)");
  });

  it('collectgarbage and gcinfo', () => {
    expect(run("return type(collectgarbage('count')), collectgarbage('count') > 0, collectgarbage(), collectgarbage('collect'), collectgarbage('step')")).toEqual([
      'number', true, 0, 0, true,
    ]);
    expect(run("return collectgarbage('setpause', 100), collectgarbage('setpause', 200)")).toEqual([200, 100]);
    expect(run1('return math_type(gcinfo())', (() => {
      const S = newState();
      S.globals.set('math_type', S.globals.get('type'));
      return S;
    })())).toBe('number');
    expect(errorText("collectgarbage('nope')")).toBe("user_script:1: bad argument #1 to 'collectgarbage' (invalid option 'nope')");
  });

  it('tostring and type', () => {
    expect(run("return tostring(nil), tostring(true), tostring(12), tostring(1e100), tostring(0.1), tostring('s')")).toEqual([
      'nil', 'true', '12', '1e+100', '0.1', 's',
    ]);
    const S = newState();
    const [t1, t2, f] = run('local t = {} return tostring(t), tostring(t), tostring(print or tostring)', S) as string[];
    expect(t1).toMatch(/^table: 0x[0-9a-f]+$/);
    expect(t1).toBe(t2);
    expect(f).toMatch(/^function: 0x[0-9a-f]+$/);
    expect(run1('return tostring({}) ~= tostring({})', S)).toBe(true);
    expect(run1('return tostring(coroutine.create(function() end))', S)).toMatch(/^thread: 0x/);
    expect(run1('return tostring(newproxy())', S)).toMatch(/^userdata: 0x/);
    expect(run("return type(nil), type(1), type(''), type({}), type(type), type(coroutine.create(function() end)), type(newproxy())")).toEqual([
      'nil', 'number', 'string', 'table', 'function', 'thread', 'userdata',
    ]);
    expect(errorText('return type()')).toBe("user_script:1: bad argument #1 to 'type' (value expected)");
    expect(errorText('return tostring()')).toBe("user_script:1: bad argument #1 to 'tostring' (value expected)");
  });

  it('tonumber with and without base', () => {
    expect(run("return tonumber('0x1F'), tonumber('  12  '), tonumber('12a'), tonumber(''), tonumber('1e1'), tonumber(5), tonumber({})")).toEqual([
      31, 12, undefined, undefined, 10, 5, undefined,
    ]);
    expect(run("return tonumber('ff', 16), tonumber('777', 8), tonumber('zz', 36), tonumber('8', 8), tonumber(' 0x10 ', 16), tonumber('-1', 16)")).toEqual([
      255, 511, 1295, undefined, 16, 18446744073709551615,
    ]);
    expect(run("return tonumber('1.5e2'), tonumber('.5'), tonumber('5.'), tonumber('inf'), tonumber('1e500')")).toEqual([150, 0.5, 5, Infinity, Infinity]);
    expect(errorText("return tonumber('10', 99)")).toBe("user_script:1: bad argument #2 to 'tonumber' (base out of range)");
    expect(errorText('return tonumber()')).toBe("user_script:1: bad argument #1 to 'tonumber' (value expected)");
  });

  it('select and unpack', () => {
    expect(run("return select('#', 1, nil, nil)")).toEqual([3]);
    expect(run("return select(2.7, 'a', 'b', 'c')")).toEqual(['b', 'c']);
    expect(run("return select(5, 'a')")).toEqual([]);
    expect(errorText("return select(-5, 'a', 'b')")).toBe("user_script:1: bad argument #1 to 'select' (index out of range)");
    expect(errorText("return select('x', 'a')")).toBe("user_script:1: bad argument #1 to 'select' (number expected, got string)");
    expect(run('return unpack({1, 2, 3}, 2)')).toEqual([2, 3]);
    expect(run('return unpack({1, 2, 3}, 2, 5)')).toEqual([2, 3, undefined, undefined]);
    expect(run('return unpack({1, 2, 3}, 3, 1)')).toEqual([]);
    expect(run1("return select('#', unpack({}, 1, 7997))")).toBe(7997);
    expect(errorText("return select('#', unpack({}, 1, 7998))")).toBe('user_script:1: too many results to unpack');
    expect(errorText('return unpack({}, 1, 1e8)')).toBe('user_script:1: too many results to unpack');
    // luaL_checkint converts as C does: 2^31 wraps to -2^31, so this is one value.
    expect(run('return unpack({}, -2^31, 2^31)')).toEqual([undefined]);
    expect(errorText('return unpack({}, -2^31, 2^31 - 1)')).toBe('user_script:1: too many results to unpack');
    expect(run("return select(2^32 + 2, 'a', 'b')")).toEqual(['b']);
  });

  it('rawequal, rawget, rawset, next', () => {
    expect(run("local t = setmetatable({}, {__index = function() return 'meta' end}) return rawget(t, 'x'), t.x, rawequal(t, t), rawequal('a', 'a'), rawequal({}, {})")).toEqual([
      undefined, 'meta', true, true, false,
    ]);
    expect(run1("local t = setmetatable({}, {__newindex = function() error('no') end}) rawset(t, 'k', 'v') return t.k")).toBe('v');
    expect(errorText('return rawset({}, nil, 1)')).toBe('table index is nil');
    expect(errorText("return next({}, 'nope')")).toBe("invalid key to 'next'");
    expect(run('return next({})')).toEqual([undefined]);
    expect(run("local t = {10, x = 'y'} local k1, v1 = next(t) local k2, v2 = next(t, k1) return k1, v1, k2, v2, next(t, k2)")).toEqual([
      1, 10, 'x', 'y', undefined,
    ]);
  });

  it('pairs and ipairs return their iterator triples', () => {
    expect(run1('local f, t, k = pairs({}) return type(f) .. type(t) .. tostring(k)')).toBe('functiontablenil');
    expect(run1('local f, t, k = ipairs({}) return type(f) .. type(t) .. tostring(k)')).toBe('functiontable0');
    expect(run('local f, t = ipairs({7, 8}) return f(t, 0)')).toEqual([1, 7]);
    expect(run('local f, t = ipairs({7, 8}) return f(t, 2)')).toEqual([]);
    expect(errorText('pairs(nil)')).toBe("user_script:1: bad argument #1 to 'pairs' (table expected, got nil)");
  });

  it('getmetatable and setmetatable', () => {
    expect(run('local mt = {} local t = setmetatable({}, mt) return getmetatable(t) == mt, setmetatable(t, nil) == t, getmetatable(t)')).toEqual([
      true, true, undefined,
    ]);
    expect(errorText('setmetatable(1, {})')).toBe("user_script:1: bad argument #1 to 'setmetatable' (table expected, got number)");
    expect(errorText('setmetatable({}, 1)')).toBe("user_script:1: bad argument #2 to 'setmetatable' (nil or table expected)");
    expect(run1('return getmetatable(1)')).toBe(undefined);
  });

  it('pcall and xpcall', () => {
    expect(run('return pcall(function(a, b) return a + b, "x" end, 1, 2)')).toEqual([true, 3, 'x']);
    expect(run("return pcall(error, 'x')")).toEqual([false, 'x']);
    expect(run('return pcall(nil)')).toEqual([false, 'attempt to call a nil value']);
    expect(run("local ok, e = pcall(function() local t = nil; return t.x end) return e")).toEqual(["user_script:1: attempt to index local 't' (a nil value)"]);
    expect(run("return xpcall(function() error('boom') end, function(m) return 'handled: ' .. m end)")).toEqual([false, 'handled: user_script:1: boom']);
    expect(run("return xpcall(function() error('boom') end, nil)")).toEqual([false, 'error in error handling']);
    expect(run("return xpcall(function() error('boom') end, function(m) error('again') end)")).toEqual([false, 'error in error handling']);
    expect(run("return xpcall(function() return 'fine', 2 end, tostring)")).toEqual([true, 'fine', 2]);
    expect(errorText('xpcall(tostring)')).toBe("user_script:1: bad argument #2 to 'xpcall' (value expected)");
    const t = run1("local ok, e = pcall(error, {code = 1}) return e") as LuaTable;
    expect(t.get('code')).toBe(1);
  });

  it('loadstring and load', () => {
    expect(run('return loadstring("return ...")(7, 8)')).toEqual([7, 8]);
    expect(run1('local f = loadstring("local a = ... return a * 2") return f(21)')).toBe(42);
    expect(run("local f, e = loadstring('return 1 + ') return f, e")).toEqual([undefined, `[string "return 1 + "]:1: unexpected symbol near '<eof>'`]);
    expect(run1("local f, e = loadstring('return 1 +', '=mychunk') return e")).toBe("mychunk:1: unexpected symbol near '<eof>'");
    expect(run1("local f = loadstring('error(\"in chunk\")') local ok, m = pcall(f) return m")).toBe('[string "error("in chunk")"]:1: in chunk');
    expect(run1("local parts = {'return ', '5', ' + 1'} local i = 0 local f = load(function() i = i + 1 return parts[i] end) return f()")).toBe(6);
    expect(run1("local f, e = load(function() return {} end) return e")).toBe('user_script:1: reader function must return a string');
    expect(run1("local f, e = load(function() return nil end) return type(f)")).toBe('function');
    expect(run1("local i = 0 local f, e = load(function() i = i + 1 if i == 1 then return 'return (' end end) return e")).toBe("(load):1: unexpected symbol near '<eof>'");
    expect(run1("x_global = 5 return loadstring('return x_global')()")).toBe(5);
  });

  it('getfenv and setfenv errors', () => {
    expect(run1('local ok, e = pcall(getfenv, 50) return e')).toBe("bad argument #1 to '?' (invalid level)");
    expect(errorText('getfenv(-1)')).toBe("user_script:1: bad argument #1 to 'getfenv' (level must be non-negative)");
    expect(errorText('setfenv(1, 2)')).toBe("user_script:1: bad argument #2 to 'setfenv' (table expected, got number)");
  });

  it('newproxy', () => {
    const S = newState();
    const [plain, withMeta, shared] = run('local p = newproxy(true) return newproxy(), p, newproxy(p)', S);
    expect(plain).toBeInstanceOf(LuaUserdata);
    expect((plain as LuaUserdata).metatable).toBe(null);
    expect((withMeta as LuaUserdata).metatable).toBeInstanceOf(LuaTable);
    expect((shared as LuaUserdata).metatable).toBe((withMeta as LuaUserdata).metatable);
    expect(errorText('newproxy({})', S)).toBe("user_script:1: bad argument #1 to 'newproxy' (boolean or proxy expected)");
  });
});

describe('coroutine library', () => {
  it('resumes and yields values both ways', () => {
    expect(run('local co = coroutine.create(function(a, b) local c = coroutine.yield(a + b) return c * 2 end) local ok1, v1 = coroutine.resume(co, 1, 2) local ok2, v2 = coroutine.resume(co, 10) return v1, v2, coroutine.status(co)')).toEqual([
      3, 20, 'dead',
    ]);
    expect(run1('local f = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) return b * 10 end) return f(1) .. " " .. f(5)')).toBe('2 50');
    expect(run1('local gen = function(n) return coroutine.wrap(function() for i = 1, n do coroutine.yield(i) end end) end local s = 0 for v in gen(5) do s = s + v end return s')).toBe(15);
    expect(run('local co = coroutine.create(function(...) return select("#", ...), ... end) return coroutine.resume(co, nil, 2)')).toEqual([true, 2, undefined, 2]);
  });

  it('reports statuses', () => {
    expect(run1('local co = coroutine.create(function() end) local s = coroutine.status(co) coroutine.resume(co) return s .. coroutine.status(co)')).toBe('suspendeddead');
    expect(run1('local co co = coroutine.create(function() return coroutine.status(co) end) local ok, s = coroutine.resume(co) return s')).toBe('running');
    expect(run1('local outer outer = coroutine.create(function() local inner = coroutine.create(function() return coroutine.status(outer) end) return select(2, coroutine.resume(inner)) end) return select(2, coroutine.resume(outer))')).toBe('normal');
    expect(run1('return coroutine.running()')).toBe(undefined);
    const co = run1('local co co = coroutine.create(function() return coroutine.running() end) local ok, r = coroutine.resume(co) return r == co and co');
    expect(co).toBeInstanceOf(LuaCoroutine);
  });

  it('returns errors from resume and raises them from wrap', () => {
    expect(run("local co = coroutine.create(function() error('in co') end) return coroutine.resume(co)")).toEqual([false, 'user_script:1: in co']);
    expect(run1("local co = coroutine.create(function() error({}) end) local ok, e = coroutine.resume(co) return type(e)")).toBe('table');
    expect(run('local co = coroutine.create(function() end) coroutine.resume(co) return coroutine.resume(co)')).toEqual([false, 'cannot resume dead coroutine']);
    expect(run1('local co co = coroutine.create(function() return coroutine.resume(co) end) local ok, ok2, e = coroutine.resume(co) return e')).toBe('cannot resume running coroutine');
    expect(errorText("local f = coroutine.wrap(function() error('werr') end) f()")).toBe('user_script:1: user_script:1: werr');
    expect(errorText("local f = coroutine.wrap(function() error('werr', 0) end) f()")).toBe('user_script:1: werr');
    expect(errorText('local f = coroutine.wrap(function() end) f() f()')).toBe('user_script:1: cannot resume dead coroutine');
  });

  it('refuses yields across pcall, callbacks and outside coroutines', () => {
    expect(run('local co = coroutine.create(function() return pcall(coroutine.yield, 1) end) return coroutine.resume(co)')).toEqual([
      true, false, 'attempt to yield across metamethod/C-call boundary',
    ]);
    expect(errorText('coroutine.yield(1)')).toBe('attempt to yield across metamethod/C-call boundary');
    expect(run("local co = coroutine.create(function() local t = setmetatable({}, {__index = function() coroutine.yield() end}) return t.x end) return coroutine.resume(co)")).toEqual([
      false, 'attempt to yield across metamethod/C-call boundary',
    ]);
  });

  it('checks its arguments', () => {
    expect(errorText('coroutine.create()')).toBe("user_script:1: bad argument #1 to 'create' (Lua function expected)");
    expect(errorText('coroutine.create(tostring)')).toBe("user_script:1: bad argument #1 to 'create' (Lua function expected)");
    expect(errorText('coroutine.status(1)')).toBe("user_script:1: bad argument #1 to 'status' (coroutine expected)");
    expect(errorText('coroutine.resume(1)')).toBe("user_script:1: bad argument #1 to 'resume' (coroutine expected)");
  });

  it('keeps each coroutine its own error levels and positions', () => {
    expect(run("local co = coroutine.create(function() error('lvl2', 2) end) return coroutine.resume(co)")).toEqual([false, 'lvl2']);
    expect(run("local co = coroutine.create(function()\n local x = nil\n return x.y end) return coroutine.resume(co)")).toEqual([
      false, "user_script:3: attempt to index local 'x' (a nil value)",
    ]);
  });
});

describe('next traversal', () => {
  it('walks a large hash part step by step, clearing entries as it goes', () => {
    const src = `
      local t = {}
      for i = 1, 20000 do t['k' .. i] = i end
      local n, sum = 0, 0
      local k, v = next(t)
      while k do
        n = n + 1
        sum = sum + v
        t[k] = nil
        k, v = next(t, k)
      end
      return n, sum, next(t)`;
    expect(run(src)).toEqual([20000, 200010000, undefined]);
  });
});
