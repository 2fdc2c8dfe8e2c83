// Busy-script machinery: the hook fires every hookIntervalTicks ticks, may suspend the running
// chunk (resume() returns null) and the next resume() continues exactly there, through nested
// Lua calls, pcall and coroutines; suspension is deferred while a native's synchronous callback
// runs; whatever else the hook throws (the host's kill signal) ends the task uncaught by pcall.

import { describe, expect, it } from 'vitest';
import { type LuaValue, LuaError, NativeFunction } from '../../../src/scripting/lua/value.js';
import type { LuaState } from '../../../src/scripting/lua/state.js';
import { newState } from './helpers.js';

class Killed extends Error {}

function suspendingState(interval: number): { S: LuaState; hooks: () => number } {
  const S = newState();
  let count = 0;
  S.hookIntervalTicks = interval;
  S.hook = () => {
    count++;
    return 'suspend';
  };
  // A native that calls back into Lua synchronously, as table.sort's comparator does.
  S.globals.set(
    'callback',
    new NativeFunction('callback', (rt, args) => rt.call(args[0], args.slice(1))),
  );
  return { S, hooks: () => count };
}

function runCounting(S: LuaState, source: string, args: LuaValue[] = []): { results: LuaValue[]; suspensions: number } {
  const task = S.start(S.load(source, '@user_script'), args);
  let suspensions = 0;
  for (;;) {
    const results = task.resume();
    if (results !== null) return { results, suspensions };
    suspensions++;
    if (suspensions > 1e6) throw new Error('never finished');
  }
}

describe('suspension and resumption', () => {
  it('suspends in the middle of a loop and resumes where it stopped', () => {
    const { S } = suspendingState(1000);
    const { results, suspensions } = runCounting(S, 'local s = 0 for i = 1, 100000 do s = s + i end return s');
    expect(results).toEqual([5000050000]);
    expect(suspensions).toBeGreaterThanOrEqual(99);
  });

  it('keeps locals, upvalues and nested frames across suspensions', () => {
    const { S } = suspendingState(50);
    const src = `
      local log = {}
      local function inner(n)
        local acc = 0
        for i = 1, n do acc = acc + i end
        return acc
      end
      local function outer(k)
        local total = 0
        for j = 1, k do
          local captured = j
          log[#log + 1] = function() return captured end
          total = total + inner(j)
        end
        return total
      end
      local t = outer(200)
      return t, #log, log[7](), log[200]()`;
    const { results, suspensions } = runCounting(S, src);
    expect(results).toEqual([1353400, 200, 7, 200]);
    expect(suspensions).toBeGreaterThan(10);
  });

  it('passes through pcall, which still catches errors after resuming', () => {
    const { S } = suspendingState(100);
    const src = `
      local ok, e = pcall(function()
        local s = 0
        for i = 1, 5000 do s = s + i end
        error('after ' .. s)
      end)
      local ok2, v = pcall(function() local n = 0 while n < 3000 do n = n + 1 end return n end)
      return ok, e, ok2, v`;
    const { results, suspensions } = runCounting(S, src);
    expect(results).toEqual([false, 'user_script:5: after 12502500', true, 3000]);
    expect(suspensions).toBeGreaterThan(50);
  });

  it('passes through a running coroutine up to the task, and keeps its yields working', () => {
    const { S } = suspendingState(100);
    const src = `
      local co = coroutine.create(function(n)
        local s = 0
        for i = 1, n do
          s = s + i
          if i % 1000 == 0 then coroutine.yield(s) end
        end
        return 'done', s
      end)
      local seen = {}
      local ok, v = coroutine.resume(co, 5000)
      while coroutine.status(co) ~= 'dead' do
        seen[#seen + 1] = v
        ok, v = coroutine.resume(co)
      end
      return #seen, seen[1], seen[5], v, coroutine.status(co)`;
    const { results, suspensions } = runCounting(S, src);
    expect(results).toEqual([5, 500500, 12502500, 'done', 'dead']);
    expect(suspensions).toBeGreaterThan(20);
  });

  it('defers suspension while a native callback runs, then suspends after it', () => {
    const { S, hooks } = suspendingState(100);
    const src = `
      local r = callback(function()
        local s = 0
        for i = 1, 10000 do s = s + i end
        return s
      end)
      local t = 0
      for i = 1, 10 do t = t + 1 end
      return r, t`;
    const { results, suspensions } = runCounting(S, src);
    expect(results).toEqual([50005000, 10]);
    expect(hooks()).toBeGreaterThan(50);
    // The callback could not suspend; the first tick point after it did, once.
    expect(suspensions).toBe(1);
  });

  it('runs a synchronous call to completion with the hook firing', () => {
    const { S, hooks } = suspendingState(100);
    const fn = S.load('local s = 0 for i = 1, 10000 do s = s + i end return s', '@user_script');
    expect(S.call(fn, [])).toEqual([50005000]);
    expect(hooks()).toBeGreaterThan(50);
  });

  it('honours the configured interval', () => {
    const S = newState();
    let count = 0;
    S.hookIntervalTicks = 10;
    S.hook = () => {
      count++;
      return 'continue';
    };
    const task = S.start(S.load('for i = 1, 1000 do end', '@user_script'), []);
    expect(task.resume()).toEqual([]);
    expect(count).toBeGreaterThanOrEqual(99);
    expect(task.done).toBe(true);
  });

  it('suspends inside infinite loops of every kind', () => {
    for (const loop of ['while true do end', 'repeat until false', 'for i = 1, math_huge do end', 'local function f() return f() end f()', 'for k in function() return 1 end do end']) {
      const S = newState();
      S.globals.set('math_huge', Infinity);
      let count = 0;
      S.hookIntervalTicks = 100;
      S.hook = () => (++count >= 5 ? 'suspend' : 'continue');
      const task = S.start(S.load(loop, '@user_script'), []);
      expect(task.resume()).toBe(null);
      expect(task.done).toBe(false);
    }
  });
});

describe('killing a running script', () => {
  it('propagates what the hook throws, past pcall', () => {
    const S = newState();
    S.hookIntervalTicks = 100;
    let fired = 0;
    S.hook = () => {
      if (++fired === 3) throw new Killed('killed');
      return 'continue';
    };
    const task = S.start(S.load('local ok = pcall(function() while true do end end) return "caught"', '@user_script'), []);
    expect(() => task.resume()).toThrow(Killed);
    expect(task.done).toBe(true);
  });

  it('propagates from a suspended script resumed later, and from coroutines and callbacks', () => {
    for (const src of [
      'while true do end',
      'local co = coroutine.wrap(function() while true do end end) pcall(co)',
      'pcall(callback, function() while true do end end)',
      'local t = setmetatable({}, {__index = function() while true do end end}) return t.x',
    ]) {
      const { S } = suspendingState(100);
      let calls = 0;
      // Suspends while it can; the host kills the script at its 20th look.
      S.hook = () => {
        if (++calls >= 20) throw new Killed('killed');
        return 'suspend';
      };
      const task = S.start(S.load(src, '@user_script'), []);
      expect(() => {
        while (task.resume() === null);
      }).toThrow(Killed);
      expect(task.done).toBe(true);
    }
  });

  it('leaves the state usable for the next script', () => {
    const S = newState();
    S.hookIntervalTicks = 10;
    S.hook = () => {
      throw new Killed('killed');
    };
    expect(() => S.start(S.load('while true do end', '@user_script'), []).resume()).toThrow(Killed);
    S.hook = null;
    const task = S.start(S.load('return 1 + 1', '@user_script'), []);
    expect(task.resume()).toEqual([2]);
  });
});

describe('tasks', () => {
  it('passes arguments and returns every result', () => {
    const S = newState();
    const task = S.start(S.load('local a, b = ... return b, a, select("#", ...)', '@user_script'), ['x', 2]);
    expect(task.resume()).toEqual([2, 'x', 2]);
  });

  it('throws an uncaught Lua error out of resume with its position', () => {
    const S = newState();
    const task = S.start(S.load('local x = 1\nreturn x.y', '@user_script'), []);
    let caught: unknown;
    try {
      task.resume();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LuaError);
    expect((caught as LuaError).message).toBe("user_script:2: attempt to index local 'x' (a number value)");
    expect((caught as LuaError).luaLine).toBe(2);
    expect(task.done).toBe(true);
  });

  it('positions errors that natives raise without the runtime', () => {
    const S = newState();
    S.globals.set(
      'raw',
      new NativeFunction('raw', () => {
        throw new LuaError('raw failure');
      }),
    );
    const task = S.start(S.load('local a = 1\n\nraw()', '@user_script'), []);
    let caught: unknown;
    try {
      task.resume();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LuaError);
    expect((caught as LuaError).luaSource).toBe('@user_script');
    expect((caught as LuaError).luaLine).toBe(3);
    expect(() => S.call(S.load('\nraw()', '@user_script'), [])).toThrow('raw failure');
  });

  it('starts natives and callable tables too', () => {
    const S = newState();
    expect(S.start(S.globals.get('select'), ['#', 1, 2]).resume()).toEqual([2]);
    expect(() => S.start(undefined, []).resume()).toThrow('attempt to call a nil value');
  });
});
