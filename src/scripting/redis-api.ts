// The `redis` table scripts see (Redis's luaRegisterRedisAPI): call, pcall, log, setresp,
// sha1hex, error_reply, status_reply, set_repl and its REPL_* constants, replicate_commands,
// breakpoint, debug, acl_check_cmd, REDIS_VERSION(_NUM) and the LOG_* levels.

import { LuaTable, NativeFunction, EMPTY, type LuaRuntime, type LuaValue, numberToString, toNumber } from './lua/value.js';
import { errorTable, errorTableFromReply } from './reply-to-lua.js';
import { REPL_AOF, REPL_ALL, REPL_REPLICA } from './script-run.js';
import { sha1Hex } from './script-flags.js';
import { formatDouble17g } from '../util/numbers.js';
import { REDIS_VERSION } from '../util/version.js';
import type { DebugSession } from './debugger/session.js';

/** Redis's log levels (LL_DEBUG .. LL_WARNING). */
export const LOG_LEVELS = { LOG_DEBUG: 0, LOG_VERBOSE: 1, LOG_NOTICE: 2, LOG_WARNING: 3 } as const;

/** What the redis table needs from the scripting engine (the running script's context). */
export interface RedisApiHost {
  /** Runs a command for the running script; its reply as a Lua value (errors as {err=...}). */
  callCommand(argv: string[]): LuaValue;
  /** Whether the reply of the last callCommand was an error. */
  readonly lastCallFailed: boolean;
  /** Whether a script is running (redis.* that act on the run refuse otherwise). */
  running(): boolean;
  setResp(resp: 2 | 3): void;
  setRepl(flags: number): void;
  log(level: number, message: string): void;
  /** Whether the caller's user may run this command (redis.acl_check_cmd); null: no such command. */
  aclCheck(argv: string[]): boolean | null;
  /** The running script's debugging session (SCRIPT DEBUG), if any. */
  debugSession(): DebugSession | null;
}


/**
 * Redis's luaArgsToRedisArgv: strings as they are, numbers as "%.17g" (Lua's own "%.14g" loses
 * precision); any other type ends the conversion with an error.
 */
function commandArgv(args: LuaValue[], host: RedisApiHost): string[] | LuaTable {
  if (args.length === 0) return argvError(host, 'Please specify at least one argument for this redis lib call');
  const argv = new Array<string>(args.length);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg === 'string') argv[i] = arg;
    else if (typeof arg === 'number') argv[i] = formatDouble17g(arg);
    else return argvError(host, 'Lua redis lib command arguments must be strings or integers');
  }
  return argv;
}

/** The error table of a bad redis.call argument list (logged by a stepping debugger, as Redis's luaPushError). */
function argvError(host: RedisApiHost, message: string): LuaTable {
  const session = host.debugSession();
  if (session !== null && session.logsCalls) session.logError(message);
  return errorTable(`ERR ${message}`);
}

/** Raises {err="ERR <message>"} (Redis's luaPushError + luaError). */
function raise(rt: LuaRuntime, message: string): never {
  return rt.raise(errorTable(`ERR ${message}`));
}

export function createRedisTable(host: RedisApiHost): LuaTable {
  const redis = new LuaTable();
  const set = (name: string, value: LuaValue): void => redis.set(name, value);
  const fn = (name: string, impl: (rt: LuaRuntime, args: LuaValue[]) => LuaValue[]): void =>
    set(name, new NativeFunction(name, impl));

  const generic = (raiseErrors: boolean) => (rt: LuaRuntime, args: LuaValue[]): LuaValue[] => {
    if (!host.running()) raise(rt, 'redis.call/pcall can only be called inside a script invocation');
    const argv = commandArgv(args, host);
    if (argv instanceof LuaTable) {
      if (raiseErrors) rt.raise(argv);
      return [argv];
    }
    const value = host.callCommand(argv);
    if (raiseErrors && host.lastCallFailed) rt.raise(value);
    return [value];
  };
  fn('call', generic(true));
  fn('pcall', generic(false));

  fn('log', (rt, args) => {
    if (args.length < 2) raise(rt, 'redis.log() requires two arguments or more.');
    const level = toNumber(args[0]);
    if (level === undefined) raise(rt, 'First argument must be a number (log level).');
    const whole = Math.trunc(level);
    if (whole < LOG_LEVELS.LOG_DEBUG || whole > LOG_LEVELS.LOG_WARNING) raise(rt, 'Invalid debug level.');
    const parts: string[] = [];
    for (let i = 1; i < args.length; i++) {
      const arg = args[i];
      if (typeof arg === 'string') parts.push(arg);
      else if (typeof arg === 'number') parts.push(numberToString(arg));
    }
    host.log(whole, parts.join(' '));
    return EMPTY;
  });
  for (const [name, level] of Object.entries(LOG_LEVELS)) set(name, level);

  set('REDIS_VERSION_NUM', versionNumber(REDIS_VERSION));
  set('REDIS_VERSION', REDIS_VERSION);

  fn('setresp', (rt, args) => {
    if (!host.running()) raise(rt, 'redis.setresp can only be called inside a script invocation');
    if (args.length !== 1) raise(rt, 'redis.setresp() requires one argument.');
    const resp = Math.trunc(toNumber(args[0]) ?? 0);
    if (resp !== 2 && resp !== 3) raise(rt, 'RESP version must be 2 or 3.');
    host.setResp(resp);
    return EMPTY;
  });

  fn('sha1hex', (rt, args) => {
    if (args.length !== 1) raise(rt, 'wrong number of arguments');
    const arg = args[0];
    const text = typeof arg === 'string' ? arg : typeof arg === 'number' ? numberToString(arg) : '';
    return [sha1Hex(text)];
  });

  fn('error_reply', (rt, args) => {
    const arg = args[0];
    if (args.length !== 1 || typeof arg !== 'string') return [errorTable('ERR wrong number or type of arguments')];
    return [errorTableFromReply(arg.charCodeAt(0) === 45 ? arg : '-' + arg)];
  });
  fn('status_reply', (rt, args) => {
    const arg = args[0];
    if (args.length !== 1 || typeof arg !== 'string') return [errorTable('ERR wrong number or type of arguments')];
    const table = new LuaTable();
    table.set('ok', arg);
    return [table];
  });

  fn('set_repl', (rt, args) => {
    if (!host.running()) raise(rt, 'redis.set_repl can only be called inside a script invocation');
    if (args.length !== 1) raise(rt, 'redis.set_repl() requires two arguments.');
    const flags = Math.trunc(toNumber(args[0]) ?? 0);
    if ((flags & ~REPL_ALL) !== 0) raise(rt, 'Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.');
    host.setRepl(flags);
    return EMPTY;
  });
  set('REPL_NONE', 0);
  set('REPL_AOF', REPL_AOF);
  set('REPL_SLAVE', REPL_REPLICA);
  set('REPL_REPLICA', REPL_REPLICA);
  set('REPL_ALL', REPL_ALL);
  // Effects replication is the only mode since Redis 7.0: the call is kept for old scripts.
  fn('replicate_commands', () => [true]);

  // Both act only in a debugging session (SCRIPT DEBUG): a stop at the next line, a log line.
  fn('breakpoint', () => {
    const session = host.debugSession();
    session?.breakpoint();
    return [session !== null];
  });
  fn('debug', (rt, args) => {
    host.debugSession()?.debugLog(args);
    return EMPTY;
  });

  fn('acl_check_cmd', (rt, args) => {
    if (!host.running()) raise(rt, 'redis.acl_check_cmd can only be called inside a script invocation');
    const argv = commandArgv(args, host);
    if (argv instanceof LuaTable) return rt.raise(argv);
    const allowed = host.aclCheck(argv);
    if (allowed === null) raise(rt, 'Invalid command passed to redis.acl_check_cmd()');
    return [allowed];
  });

  return redis;
}

/** "7.0.15" as Redis's REDIS_VERSION_NUM: 0x00MMmmpp. */
function versionNumber(version: string): number {
  const [major, minor, patch] = version.split('.').map(Number);
  return (major << 16) | (minor << 8) | patch;
}
