// The Lua world scripts run in, built as Redis's scriptingInit builds it: the libraries Redis
// loads (base, table, string, math, cjson, struct, cmsgpack, bit; no io, os, package, print,
// dofile, loadfile), the `redis` table, Redis's pcall (an error table comes back as its message),
// math.random over Redis's own generator, a globals table whose missing names raise
// "Script attempted to access nonexistent global variable", and every table reachable from the
// globals made read-only.

import { type DebugHook, GenNativeFunction } from './lua/runtime.js';
import { LuaState } from './lua/state.js';
import { openBase } from './lua/lib/base.js';
import { openBit } from './lua/lib/bit.js';
import { openCjson } from './lua/lib/cjson.js';
import { openCmsgpack } from './lua/lib/cmsgpack.js';
import { openMath } from './lua/lib/math.js';
import { openString } from './lua/lib/string.js';
import { openStruct } from './lua/lib/struct.js';
import { openTable } from './lua/lib/table.js';
import { EMPTY, LuaError, LuaFunction, LuaTable, NativeFunction, type LuaValue, toStringCoerced } from './lua/value.js';
import { INVALID_NAME_ERROR, isValidFunctionName, type RegisteredFunction } from './function-libraries.js';
import { errorTable } from './reply-to-lua.js';
import { SCRIPT_FLAG_NAMES } from './script-flags.js';
import { createRedisTable, type RedisApiHost } from './redis-api.js';

/**
 * How often the count hook runs, in interpreter ticks. Redis's hook runs every 100000 VM
 * instructions; a tick here is a loop iteration or a call, a much coarser unit (a loop around
 * redis.call does about 20 instructions per iteration), so the hook runs every 10000 ticks to
 * notice busy-reply-threshold as soon as Redis would.
 */
export const HOOK_INTERVAL_TICKS = 10_000;

/** A running function: resume() returns its results, or null when it yielded to the event loop. */
export interface LuaTask {
  resume(): LuaValue[] | null;
}

export interface ScriptState {
  readonly globals: LuaTable;
  /** Compiles a chunk (throws LuaError with Lua's syntax message). */
  load(source: string, chunkName: string): LuaFunction;
  start(fn: LuaValue, args: LuaValue[]): LuaTask;
  tostring(value: LuaValue): string;
  /** "@user_script:3" for the innermost running Lua function, or null. */
  currentPosition(): string | null;
  /** Counts work done outside the interpreter (a redis.call) toward the next hook. */
  chargeTicks(ticks: number): void;
}

/** What the script debugger needs of the interpreter EVAL scripts run in. */
export interface DebuggableState {
  /** Compiles a chunk with a line event before each statement (see lua/codegen.ts). */
  loadForDebugging(source: string, chunkName: string): LuaFunction;
  /** Where those line events go while a debugging session runs (null: nowhere). */
  setDebugHook(hook: DebugHook | null): void;
  /** The stable fake address tostring() shows for a table, function... */
  address(object: object): string;
}

/** Base-library functions script worlds do not get. */
const HARDENED_OUT = ['getfenv', 'setfenv', 'newproxy'];

/** The libraries and API every script world has (Redis's luaRegisterRedisAPI). */
function openRedisWorld(api: RedisApiHost, hook: () => 'continue' | 'suspend'): LuaState {
  const state = new LuaState();
  const globals = state.globals;
  openBase(state);
  // Redis 7.0 as distributions ship it today (with the 2025 Lua hardening) leaves these out:
  // they reach and replace function environments, around the protected globals.
  for (const name of HARDENED_OUT) globals.set(name, undefined);
  globals.set('table', openTable(state));
  const string = openString(state);
  globals.set('string', string);
  const stringMeta = new LuaTable();
  stringMeta.set('__index', string);
  state.setStringMetatable(stringMeta);
  globals.set('math', openMath(state, () => api.running()));
  globals.set('cjson', openCjson(state));
  globals.set('struct', openStruct(state));
  globals.set('cmsgpack', openCmsgpack(state));
  globals.set('bit', openBit(state));
  globals.set('redis', createRedisTable(api));
  replacePcall(globals);
  state.hook = hook;
  state.hookIntervalTicks = HOOK_INTERVAL_TICKS;
  return state;
}

function scriptState(state: LuaState): ScriptState {
  return {
    globals: state.globals,
    load: (source, chunkName) => state.load(source, chunkName),
    start: (fn, args) => state.start(fn, args),
    chargeTicks: (ticks) => {
      state.ticks -= ticks;
    },
    tostring: (value) => state.tostring(value),
    currentPosition: () => {
      // newError records the innermost running Lua function's source and line.
      const probe = state.newError(undefined);
      return probe.luaSource === undefined || probe.luaLine < 0 ? null : `${probe.luaSource}:${probe.luaLine}`;
    },
  };
}

export interface EvalState extends ScriptState, DebuggableState {
  /** Sets the KEYS and ARGV globals to argv[from, from + numKeys) and the rest of argv. */
  setKeysAndArgs(argv: readonly string[], from: number, numKeys: number): void;
}

/** The interpreter EVAL scripts share: KEYS and ARGV are globals there. */
export function createScriptState(api: RedisApiHost, hook: () => 'continue' | 'suspend'): EvalState {
  const state = openRedisWorld(api, hook);
  setMissingGlobalError(state.globals);
  protectRecursively(state.globals, new Set());
  // Set past the write protection and left writable, as Redis sets them for each call; the same
  // two tables are refilled each time (nothing a script does outlives it to see the difference).
  const keys = new LuaTable();
  const args = new LuaTable();
  state.globals.set('KEYS', keys);
  state.globals.set('ARGV', args);
  return {
    ...scriptState(state),
    loadForDebugging: (source, chunkName) => state.loadForDebugging(source, chunkName),
    setDebugHook: (hook) => {
      state.debugHook = hook;
    },
    address: (object) => state.address(object),
    setKeysAndArgs: (argv, from, numKeys) => {
      refill(keys, argv, from, from + numKeys);
      refill(args, argv, from + numKeys, argv.length);
    },
  };
}

function refill(table: LuaTable, argv: readonly string[], from: number, to: number): void {
  table.metatable = null;
  table.fillSequence(argv, from, to);
}

/** A function a library registered, with its callback. */
export interface LuaRegisteredFunction extends RegisteredFunction {
  callback: LuaFunction;
}

export interface FunctionState extends ScriptState {
  /**
   * Runs a library's code (the part after its shebang) where only redis.register_function,
   * redis.log and the version fields exist, and returns what it registered; or the error text
   * FUNCTION LOAD replies.
   */
  loadLibrary(body: string): Map<string, LuaRegisteredFunction> | { error: string };
}

/**
 * The interpreter functions share (Redis's function_lua.c engine): functions see the globals
 * through a read-only table of their own, which while a library loads shows only the load API.
 */
export function createFunctionState(api: RedisApiHost, hook: () => 'continue' | 'suspend'): FunctionState {
  const state = openRedisWorld(api, hook);
  const globals = state.globals;
  setMissingGlobalError(globals);
  protectRecursively(globals, new Set());
  let registering: Map<string, LuaRegisteredFunction> | null = null;
  const loadApi = createLoadApi(api, () => registering !== null, (fn) => {
    if (registering === null) return 'redis.register_function can only be called on FUNCTION LOAD command';
    if (!isValidFunctionName(fn.name)) return INVALID_NAME_ERROR;
    if (registering.has(fn.name)) return 'Function already exists in the library';
    registering.set(fn.name, fn);
    return null;
  });
  const functionGlobals = new LuaTable();
  const functionGlobalsMeta = new LuaTable();
  functionGlobalsMeta.set('__index', globals);
  functionGlobalsMeta.readonly = true;
  functionGlobals.metatable = functionGlobalsMeta;
  functionGlobals.readonly = true;
  return {
    ...scriptState(state),
    load: (source, chunkName) => state.load(source, chunkName, functionGlobals),
    loadLibrary: (body) => {
      let chunk: LuaFunction;
      try {
        chunk = state.load(body, '@user_function', functionGlobals);
      } catch (err) {
        if (!(err instanceof LuaError)) throw err;
        return { error: `Error compiling function: ${err.message}` };
      }
      registering = new Map();
      functionGlobalsMeta.set('__index', loadApi);
      try {
        const task = state.start(chunk, []);
        while (task.resume() === null) {
          // Loading never yields to the event loop: the hook only enforces the load timeout.
        }
        return registering;
      } catch (err) {
        if (!(err instanceof LuaError)) throw err;
        return { error: `Error registering functions: ${errorMessageOf(err.value, state)}` };
      } finally {
        registering = null;
        functionGlobalsMeta.set('__index', globals);
      }
    },
  };
}

/** Redis's luaExtractErrorInformation message: an error table's err, else "ERR " + the value. */
function errorMessageOf(value: LuaValue, state: LuaState): string {
  if (value instanceof LuaTable) {
    const err = toStringCoerced(value.get('err'));
    if (err !== undefined) return err;
  }
  const text = toStringCoerced(value);
  return text === undefined ? `ERR ${state.tostring(value)}` : `ERR ${text}`;
}

/**
 * What a library's code sees while it loads: a `redis` table with register_function, log and
 * the version fields, and nothing else (every other global name raises).
 */
function createLoadApi(api: RedisApiHost, loading: () => boolean, register: (fn: LuaRegisteredFunction) => string | null): LuaTable {
  const full = createRedisTable(api);
  const redis = new LuaTable();
  for (const name of ['log', 'LOG_DEBUG', 'LOG_VERBOSE', 'LOG_NOTICE', 'LOG_WARNING', 'REDIS_VERSION', 'REDIS_VERSION_NUM']) {
    redis.set(name, full.get(name));
  }
  redis.set('register_function', new NativeFunction('register_function', (rt, args) => {
    if (!loading()) rt.raise(errorTable('ERR redis.register_function can only be called on FUNCTION LOAD command'));
    const fn = readRegisterArguments(args);
    const error = typeof fn === 'string' ? fn : register(fn);
    if (error !== null) rt.raise(errorTable(`ERR ${error}`));
    return EMPTY;
  }));
  setMissingGlobalError(redis);
  const loadGlobals = new LuaTable();
  loadGlobals.set('redis', redis);
  setMissingGlobalError(loadGlobals);
  protectRecursively(loadGlobals, new Set());
  return loadGlobals;
}

/** redis.register_function(name, callback) or redis.register_function{...}: the function or the error. */
function readRegisterArguments(args: LuaValue[]): LuaRegisteredFunction | string {
  if (args.length < 1 || args.length > 2) return 'wrong number of arguments to redis.register_function';
  if (args.length === 2) {
    const name = toStringCoerced(args[0]);
    if (name === undefined) return 'first argument to redis.register_function must be a string';
    const callback = args[1];
    if (!(callback instanceof LuaFunction)) return 'second argument to redis.register_function must be a function';
    return { name, description: null, flags: [], callback };
  }
  const table = args[0];
  if (!(table instanceof LuaTable)) {
    return 'calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).';
  }
  let name: string | undefined;
  let description: string | null = null;
  let callback: LuaFunction | undefined;
  let flags: string[] = [];
  for (let entry = table.next(undefined); entry !== undefined; entry = table.next(entry[0])) {
    const [keyValue, value] = entry;
    const key = toStringCoerced(keyValue);
    if (key === undefined) return 'named argument key given to redis.register_function is not a string';
    switch (key.toLowerCase()) {
      case 'function_name':
        name = toStringCoerced(value);
        if (name === undefined) return 'function_name argument given to redis.register_function must be a string';
        break;
      case 'description': {
        const text = toStringCoerced(value);
        if (text === undefined) return 'description argument given to redis.register_function must be a string';
        description = text;
        break;
      }
      case 'callback':
        if (!(value instanceof LuaFunction)) return 'callback argument given to redis.register_function must be a function';
        callback = value;
        break;
      case 'flags': {
        if (!(value instanceof LuaTable)) return 'flags argument to redis.register_function must be a table representing function flags';
        const read = readFlags(value);
        if (read === null) return 'unknown flag given';
        flags = read;
        break;
      }
      default:
        return 'unknown argument given to redis.register_function';
    }
  }
  if (name === undefined) return 'redis.register_function must get a function name argument';
  if (callback === undefined) return 'redis.register_function must get a callback argument';
  return { name, description, flags, callback };
}

/** A flags table (1..n up to the first nil, names case-insensitive), in Redis's flag order. */
function readFlags(table: LuaTable): string[] | null {
  const given = new Set<string>();
  for (let i = 1; ; i++) {
    const value = table.get(i);
    if (value === undefined) break;
    const name = toStringCoerced(value);
    if (name === undefined) return null;
    const flag = SCRIPT_FLAG_NAMES.find((f) => f === name.toLowerCase());
    if (flag === undefined) return null;
    given.add(flag);
  }
  return SCRIPT_FLAG_NAMES.filter((f) => given.has(f));
}

/**
 * Redis's pcall: errors raised by redis.call are tables; pcall hands back their message, as
 * scripts written for Redis 6 expect.
 */
function replacePcall(globals: LuaTable): void {
  const original = globals.get('pcall');
  if (!(original instanceof GenNativeFunction)) throw new Error('the base library must provide pcall');
  globals.set('pcall', new GenNativeFunction('pcall', function* (rt, args) {
    const results = yield* original.impl(rt, args);
    const error = results[1];
    if (results[0] === false && error instanceof LuaTable) {
      const message = error.get('err');
      if (typeof message === 'string' || typeof message === 'number') results[1] = message;
    }
    return results;
  }));
}

function setMissingGlobalError(globals: LuaTable): void {
  const meta = new LuaTable();
  meta.set('__index', new NativeFunction('__index', (rt, args) => {
    const name = toStringCoerced(args[1]);
    if (name === undefined) rt.error('Second argument to luaProtectedTableError must be a string or number');
    return rt.error(`Script attempted to access nonexistent global variable '${name}'`);
  }));
  globals.metatable = meta;
}

/** Redis's luaSetTableProtectionRecursively: tables, their nested tables and metatables. */
function protectRecursively(table: LuaTable, seen: Set<LuaTable>): void {
  if (seen.has(table)) return;
  seen.add(table);
  table.readonly = true;
  table.forEach((_key, value) => {
    if (value instanceof LuaTable) protectRecursively(value, seen);
  });
  if (table.metatable !== null) protectRecursively(table.metatable, seen);
}
