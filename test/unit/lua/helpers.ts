// Shared helpers for the Lua core tests: a state with the base library and a small string
// metatable (the real string library is another module), running chunks as EVAL runs them.

import { LuaState } from '../../../src/scripting/lua/state.js';
import { openBase } from '../../../src/scripting/lua/lib/base.js';
import { checkInteger, checkString } from '../../../src/scripting/lua/lib/args.js';
import { type LuaValue, LuaError, LuaTable, NativeFunction } from '../../../src/scripting/lua/value.js';

export function newState(): LuaState {
  const S = new LuaState();
  openBase(S);
  // Enough of a string library for method-call and argument-error tests.
  const lib = new LuaTable();
  lib.set('len', new NativeFunction('len', (rt, args) => [checkString(rt, args, 0, 'len').length]));
  lib.set(
    'rep',
    new NativeFunction('rep', (rt, args) => {
      const s = checkString(rt, args, 0, 'rep');
      const n = checkInteger(rt, args, 1, 'rep');
      return [n > 0 ? s.repeat(n) : ''];
    }),
  );
  lib.set('upper', new NativeFunction('upper', (rt, args) => [checkString(rt, args, 0, 'upper').toUpperCase()]));
  S.globals.set('string', lib);
  const mt = new LuaTable();
  mt.set('__index', lib);
  S.setStringMetatable(mt);
  return S;
}

/** Runs `source` as "@user_script" to completion (resuming through suspensions). */
export function run(source: string, S: LuaState = newState(), args: LuaValue[] = []): LuaValue[] {
  const fn = S.load(source, '@user_script');
  const task = S.start(fn, args);
  for (;;) {
    const results = task.resume();
    if (results !== null) return results;
  }
}

/** The first result of `source`. */
export function run1(source: string, S?: LuaState): LuaValue {
  return run(source, S)[0];
}

/** The LuaError `source` raises (compiling or running). */
export function luaError(source: string, S: LuaState = newState()): LuaError {
  try {
    run(source, S);
  } catch (e) {
    if (e instanceof LuaError) return e;
    throw e;
  }
  throw new Error(`no error from: ${source}`);
}

/** The message of the error `source` raises. */
export function errorText(source: string, S?: LuaState): string {
  return luaError(source, S).message;
}
