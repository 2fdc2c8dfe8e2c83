// The base library as Lua 5.1 has it inside Redis (lbaselib.c): no print, dofile or loadfile.
// pcall and xpcall are generator natives so a busy script inside them can still be suspended.

import {
  type LuaValue,
  EMPTY,
  LuaError,
  LuaFunction,
  LuaTable,
  LuaUserdata,
  NativeFunction,
  TableKeyError,
  toNumber,
  typeName,
  truthy,
} from '../value.js';
import { GenNativeFunction, LuaClosure, NATIVE_FRAME } from '../runtime.js';
import { type LuaState, MAX_C_CALLS } from '../state.js';
import {
  argError,
  checkAny,
  checkInt,
  checkInteger,
  checkString,
  checkTable,
  optInteger,
  typeError,
} from './args.js';
import { openCoroutine } from './coroutine.js';

/** LUAI_MAXCSTACK: the most values a native may return (unpack's limit). */
const MAX_C_STACK = 8000;
const ULONG_RANGE = 18446744073709551616;

function nextImpl(rt: LuaState, args: LuaValue[]): LuaValue[] {
  const t = checkTable(rt, args, 0, 'next');
  let entry;
  try {
    entry = t.next(args[1]);
  } catch (e) {
    if (e instanceof TableKeyError) throw rt.newError(e.message);
    throw e;
  }
  return entry === undefined ? [undefined] : entry;
}

/** strtoul in `base` of the whole string (surrounding spaces allowed), as tonumber(s, base). */
function parseUnsigned(text: string, base: number): number | undefined {
  let i = 0;
  const isSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  let negative = false;
  if (text[i] === '+' || text[i] === '-') {
    negative = text[i] === '-';
    i++;
  }
  if (base === 16 && text[i] === '0' && (text[i + 1] === 'x' || text[i + 1] === 'X')) {
    const digit = parseInt(text[i + 2] ?? '', 16);
    if (!Number.isNaN(digit)) i += 2;
  }
  const start = i;
  let value = 0n;
  const bigBase = BigInt(base);
  let overflow = false;
  for (; i < text.length; i++) {
    const c = text[i].toLowerCase();
    const digit = c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c >= 'a' && c <= 'z' ? c.charCodeAt(0) - 87 : 99;
    if (digit >= base) break;
    value = value * bigBase + BigInt(digit);
    if (value >= 18446744073709551616n) overflow = true;
  }
  if (i === start) return undefined;
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  if (i !== text.length) return undefined;
  if (overflow) return ULONG_RANGE - 1;
  const n = Number(value);
  return negative && value !== 0n ? ULONG_RANGE - n : n;
}

function getFunction(rt: LuaState, args: LuaValue[], fname: string, optional: boolean): LuaValue | 'globals' {
  const first = args[0];
  if (first instanceof LuaFunction) return first;
  const level = optional ? optInteger(rt, args, 0, fname, 1) : checkInteger(rt, args, 0, fname);
  if (level < 0) argError(rt, 0, fname, 'level must be non-negative');
  if (level === 0) return 'globals';
  const frame = rt.frameAt(level);
  if (frame === undefined) argError(rt, 0, fname, 'invalid level');
  if (frame === 'tail') return rt.error(`no function environment for tail call at level ${level}`);
  return frame === NATIVE_FRAME ? 'globals' : frame;
}

function* pcallImpl(rt: LuaState, args: LuaValue[]): Generator<unknown, LuaValue[], unknown> {
  checkAny(rt, args, 0, 'pcall');
  const T = rt.cur;
  const depth = T.depth;
  const cCalls = rt.cCalls;
  if (cCalls + 1 >= MAX_C_CALLS) return [false, 'C stack overflow'];
  rt.cCalls++;
  T.nny++;
  try {
    const results = yield* rt.callG(args[0], args.slice(1));
    return [true, ...results];
  } catch (e) {
    const error = rt.toLuaError(e);
    if (error === null) throw e;
    T.depth = depth;
    return [false, error.value];
  } finally {
    rt.cCalls = cCalls;
    T.nny--;
  }
}

function* xpcallImpl(rt: LuaState, args: LuaValue[]): Generator<unknown, LuaValue[], unknown> {
  checkAny(rt, args, 1, 'xpcall');
  const handler = args[1];
  const T = rt.cur;
  const depth = T.depth;
  const cCalls = rt.cCalls;
  if (cCalls + 1 >= MAX_C_CALLS) return [false, 'C stack overflow'];
  rt.cCalls++;
  T.nny++;
  try {
    const results = yield* rt.callG(args[0], []);
    return [true, ...results];
  } catch (e) {
    const error = rt.toLuaError(e);
    if (error === null) throw e;
    T.depth = depth;
    if (!(handler instanceof LuaFunction)) return [false, 'error in error handling'];
    try {
      return [false, rt.call(handler, [error.value])[0]];
    } catch (inner) {
      if (rt.toLuaError(inner) === null) throw inner;
      T.depth = depth;
      return [false, 'error in error handling'];
    }
  } finally {
    rt.cCalls = cCalls;
    T.nny--;
  }
}

/** Opens the base library (and the coroutine library) into `rt.globals`. */
export function openBase(rt: LuaState): void {
  const G = rt.globals;
  const register = (name: string, impl: (rt: LuaState, args: LuaValue[]) => LuaValue[]): NativeFunction => {
    const fn = new NativeFunction(name, impl as NativeFunction['impl']);
    G.set(name, fn);
    return fn;
  };

  G.set('_G', G);
  G.set('_VERSION', 'Lua 5.1');

  register('assert', (rt, args) => {
    checkAny(rt, args, 0, 'assert');
    if (!truthy(args[0])) {
      const message = args[1] === undefined ? 'assertion failed!' : checkString(rt, args, 1, 'assert');
      rt.error(message);
    }
    return args;
  });

  const gcOptions = ['stop', 'restart', 'collect', 'count', 'step', 'setpause', 'setstepmul'];
  let gcPause = 200;
  let gcStepMul = 200;
  const heapKilobytes = (): number => process.memoryUsage().heapUsed / 1024;
  register('collectgarbage', (rt, args) => {
    const option = args[0] === undefined ? 'collect' : checkString(rt, args, 0, 'collectgarbage');
    if (!gcOptions.includes(option)) argError(rt, 0, 'collectgarbage', `invalid option '${option}'`);
    const extra = optInteger(rt, args, 1, 'collectgarbage', 0);
    switch (option) {
      case 'count':
        return [heapKilobytes()];
      case 'step':
        // V8 collects on its own schedule; a step always "finishes a cycle" as far as a script can tell.
        return [true];
      case 'setpause': {
        const previous = gcPause;
        gcPause = extra;
        return [previous];
      }
      case 'setstepmul': {
        const previous = gcStepMul;
        gcStepMul = extra;
        return [previous];
      }
      default:
        return [0];
    }
  });

  register('error', (rt, args) => {
    const level = optInteger(rt, args, 1, 'error', 1);
    const value = args[0];
    if ((typeof value === 'string' || typeof value === 'number') && level > 0) {
      const text = typeof value === 'string' ? value : rt.rawToString(value);
      throw rt.newError(rt.where(level) + text);
    }
    throw rt.newError(value);
  });

  register('gcinfo', () => [Math.floor(heapKilobytes())]);

  register('getfenv', (rt, args) => {
    const target = getFunction(rt, args, 'getfenv', true);
    if (target === 'globals' || !(target instanceof LuaClosure)) return [rt.threadGlobals];
    return [target.env];
  });

  register('getmetatable', (rt, args) => {
    checkAny(rt, args, 0, 'getmetatable');
    const mt = rt.getMetatable(args[0]);
    if (mt === null) return [undefined];
    const protectedValue = mt.getString('__metatable');
    return [protectedValue !== undefined ? protectedValue : mt];
  });

  register('ipairs', (rt, args) => {
    const t = checkTable(rt, args, 0, 'ipairs');
    return [ipairsIterator, t, 0];
  });

  const ipairsIterator = new NativeFunction('ipairs_aux', ((rt: LuaState, args: LuaValue[]) => {
    const i = checkInteger(rt, args, 1, 'ipairs') + 1;
    const t = checkTable(rt, args, 0, 'ipairs');
    const v = t.get(i);
    return v === undefined ? EMPTY : [i, v];
  }) as NativeFunction['impl']);

  register('load', (rt, args) => {
    const chunkName = args[1] === undefined ? '=(load)' : checkString(rt, args, 1, 'load');
    const reader = args[0];
    if (!(reader instanceof LuaFunction)) typeError(rt, args, 0, 'load', 'function');
    const pieces: string[] = [];
    try {
      for (;;) {
        const piece = rt.call(reader, [])[0];
        if (piece === undefined || piece === '') break;
        if (typeof piece === 'number') pieces.push(rt.rawToString(piece));
        else if (typeof piece === 'string') pieces.push(piece);
        else rt.error('reader function must return a string');
      }
      return [rt.compile(pieces.join(''), chunkName, rt.threadGlobals, rt.cCalls)];
    } catch (e) {
      if (e instanceof LuaError) return [undefined, e.value];
      throw e;
    }
  });

  register('loadstring', (rt, args) => {
    const source = checkString(rt, args, 0, 'loadstring');
    const chunkName = args[1] === undefined ? source : checkString(rt, args, 1, 'loadstring');
    try {
      return [rt.compile(source, chunkName, rt.threadGlobals, rt.cCalls)];
    } catch (e) {
      if (e instanceof LuaError) return [undefined, e.value];
      throw e;
    }
  });

  const next = register('next', nextImpl);
  const pairsNext = new NativeFunction('next', nextImpl as NativeFunction['impl']);
  register('pairs', (rt, args) => {
    const t = checkTable(rt, args, 0, 'pairs');
    return [pairsNext, t, undefined];
  });

  G.set('pcall', new GenNativeFunction('pcall', pcallImpl));

  register('rawequal', (rt, args) => {
    checkAny(rt, args, 0, 'rawequal');
    checkAny(rt, args, 1, 'rawequal');
    return [args[0] === args[1]];
  });

  register('rawget', (rt, args) => {
    const t = checkTable(rt, args, 0, 'rawget');
    checkAny(rt, args, 1, 'rawget');
    return [t.get(args[1])];
  });

  register('rawset', (rt, args) => {
    const t = checkTable(rt, args, 0, 'rawset');
    checkAny(rt, args, 1, 'rawset');
    checkAny(rt, args, 2, 'rawset');
    // lua_rawset raises from a native frame: no position.
    if (t.readonly) throw rt.newError('Attempt to modify a readonly table');
    const key = args[1];
    if (key === undefined) throw rt.newError('table index is nil');
    if (key !== key) throw rt.newError('table index is NaN');
    t.set(key, args[2]);
    return [t];
  });

  register('select', (rt, args) => {
    const n = args.length;
    const selector = args[0];
    if (typeof selector === 'string' && selector.startsWith('#')) return [n - 1];
    let i = checkInt(rt, args, 0, 'select');
    if (i < 0) i = n + i;
    else if (i > n) i = n;
    if (i < 1) argError(rt, 0, 'select', 'index out of range');
    return args.slice(i);
  });

  register('setfenv', (rt, args) => {
    const env = checkTable(rt, args, 1, 'setfenv');
    const target = getFunction(rt, args, 'setfenv', false);
    if (typeof args[0] === 'number' && args[0] === 0) {
      rt.threadGlobals = env;
      return EMPTY;
    }
    if (!(target instanceof LuaClosure)) return rt.error("'setfenv' cannot change environment of given object");
    target.env = env;
    return [target];
  });

  register('setmetatable', (rt, args) => {
    const t = checkTable(rt, args, 0, 'setmetatable');
    const mt = args[1];
    if (mt !== undefined && !(mt instanceof LuaTable)) argError(rt, 1, 'setmetatable', 'nil or table expected');
    if (t.metatable !== null && t.metatable.getString('__metatable') !== undefined) {
      rt.error('cannot change a protected metatable');
    }
    if (t.readonly) throw rt.newError('Attempt to modify a readonly table');
    t.metatable = mt === undefined ? null : mt;
    return [t];
  });

  register('tonumber', (rt, args) => {
    const base = optInteger(rt, args, 1, 'tonumber', 10);
    if (base === 10) {
      checkAny(rt, args, 0, 'tonumber');
      return [toNumber(args[0])];
    }
    const text = checkString(rt, args, 0, 'tonumber');
    if (base < 2 || base > 36) argError(rt, 1, 'tonumber', 'base out of range');
    return [parseUnsigned(text, base)];
  });

  register('tostring', (rt, args) => {
    checkAny(rt, args, 0, 'tostring');
    const value = args[0];
    const mt = rt.getMetatable(value);
    if (mt !== null) {
      const tm = mt.getString('__tostring');
      if (tm !== undefined) return [rt.call(tm, [value])[0]];
    }
    return [rt.rawToString(value)];
  });

  register('type', (rt, args) => {
    checkAny(rt, args, 0, 'type');
    return [typeName(args[0])];
  });

  register('unpack', (rt, args) => {
    const t = checkTable(rt, args, 0, 'unpack');
    const i = args[1] === undefined ? 1 : checkInt(rt, args, 1, 'unpack');
    const e = args[2] === undefined ? t.length() : checkInt(rt, args, 2, 'unpack');
    if (i > e) return EMPTY;
    // int arithmetic as in C: a wrapped count is "too many" too.
    const n = (e - i + 1) | 0;
    if (n <= 0 || n + args.length > MAX_C_STACK) rt.error('too many results to unpack');
    const results = new Array<LuaValue>(n);
    const arr = t.arr;
    for (let k = 0; k < n; k++) {
      const key = i + k;
      results[k] = key >= 1 && key <= arr.length ? arr[key - 1] : t.get(key);
    }
    return results;
  });

  G.set('xpcall', new GenNativeFunction('xpcall', xpcallImpl));

  const validProxyMetatables = new WeakSet<LuaTable>();
  register('newproxy', (rt, args) => {
    const proxy = new LuaUserdata('');
    const arg = args[0];
    if (arg === undefined || arg === false) return [proxy];
    if (arg === true) {
      const mt = new LuaTable();
      validProxyMetatables.add(mt);
      proxy.metatable = mt;
      return [proxy];
    }
    const mt = arg instanceof LuaUserdata ? arg.metatable : null;
    if (mt === null || !validProxyMetatables.has(mt)) argError(rt, 0, 'newproxy', 'boolean or proxy expected');
    proxy.metatable = mt;
    return [proxy];
  });

  rt.nextFunction = next;
  rt.pairsNext = pairsNext;
  rt.ipairsIterator = ipairsIterator;

  G.set('coroutine', openCoroutine());
}
