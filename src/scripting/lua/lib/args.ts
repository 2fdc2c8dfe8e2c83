// Argument checks for native functions, with Lua 5.1's lauxlib texts:
// "bad argument #2 to 'rep' (number expected, got nil)", "got no value" for a missing argument.

import {
  type LuaRuntime,
  type LuaValue,
  LuaTable,
  LuaFunction,
  numberToString,
  stringToNumber,
  typeName,
} from '../value.js';

/** luaL_typename: the type, or "no value" past the last argument. */
function argTypeName(args: LuaValue[], index: number): string {
  return index >= args.length ? 'no value' : typeName(args[index]);
}

/**
 * luaL_argerror for the argument at 0-based `index` of native `fname`. As 5.1, the name is the
 * one the call site used when the runtime knows it ('?' when there is none), and a method call
 * does not count `self` ("calling 'rep' on bad self" when self itself is wrong).
 */
export function argError(rt: LuaRuntime, index: number, fname: string, extra: string): never {
  let narg = index + 1;
  let name = fname;
  const call = rt.callSite?.();
  if (call !== undefined) {
    name = call.name ?? '?';
    if (call.method) {
      narg--;
      if (narg === 0) return rt.error(`calling '${name}' on bad self (${extra})`);
    }
  }
  return rt.error(`bad argument #${narg} to '${name}' (${extra})`);
}

/** luaL_typerror. */
export function typeError(rt: LuaRuntime, args: LuaValue[], index: number, fname: string, expected: string): never {
  return argError(rt, index, fname, `${expected} expected, got ${argTypeName(args, index)}`);
}

export function checkAny(rt: LuaRuntime, args: LuaValue[], index: number, fname: string): LuaValue {
  if (index >= args.length) argError(rt, index, fname, 'value expected');
  return args[index];
}

/** luaL_checklstring: a string, or a number converted with "%.14g". */
export function checkString(rt: LuaRuntime, args: LuaValue[], index: number, fname: string): string {
  const value = args[index];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return numberToString(value);
  return typeError(rt, args, index, fname, 'string');
}

export function optString(rt: LuaRuntime, args: LuaValue[], index: number, fname: string, fallback: string): string {
  return args[index] === undefined ? fallback : checkString(rt, args, index, fname);
}

/** luaL_checknumber: a number, or a string that converts. */
export function checkNumber(rt: LuaRuntime, args: LuaValue[], index: number, fname: string): number {
  const value = args[index];
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const converted = stringToNumber(value);
    if (converted !== undefined) return converted;
  }
  return typeError(rt, args, index, fname, 'number');
}

export function optNumber(rt: LuaRuntime, args: LuaValue[], index: number, fname: string, fallback: number): number {
  return args[index] === undefined ? fallback : checkNumber(rt, args, index, fname);
}

/**
 * C's (long) cast of a double on x86-64 (cvttsd2si): truncation toward zero; NaN and anything
 * outside [-2^63, 2^63) give LONG_MIN. So string.sub(s, 1, math.huge) is "" in Redis.
 */
export function toCLong(value: number): number {
  return value >= -9223372036854775808 && value < 9223372036854775808 ? Math.trunc(value) : -9223372036854775808;
}

/** luaL_checkint's (int)(long) cast: the long truncated to its low 32 bits, signed. */
export function toCInt(value: number): number {
  return value >= -9223372036854775808 && value < 9223372036854775808 ? Math.trunc(value) | 0 : 0;
}

/** luaL_checkinteger: the number as a C long (see toCLong). */
export function checkInteger(rt: LuaRuntime, args: LuaValue[], index: number, fname: string): number {
  return toCLong(checkNumber(rt, args, index, fname));
}

export function optInteger(rt: LuaRuntime, args: LuaValue[], index: number, fname: string, fallback: number): number {
  return args[index] === undefined ? fallback : checkInteger(rt, args, index, fname);
}

/** luaL_checkint: the number as a C int (see toCInt): string.rep("x", 2^32 + 2) is "xx". */
export function checkInt(rt: LuaRuntime, args: LuaValue[], index: number, fname: string): number {
  return toCInt(checkNumber(rt, args, index, fname));
}

export function optInt(rt: LuaRuntime, args: LuaValue[], index: number, fname: string, fallback: number): number {
  return args[index] === undefined ? fallback : checkInt(rt, args, index, fname);
}

export function checkTable(rt: LuaRuntime, args: LuaValue[], index: number, fname: string): LuaTable {
  const value = args[index];
  if (value instanceof LuaTable) return value;
  return typeError(rt, args, index, fname, 'table');
}

export function checkFunction(rt: LuaRuntime, args: LuaValue[], index: number, fname: string): LuaFunction {
  const value = args[index];
  if (value instanceof LuaFunction) return value;
  return typeError(rt, args, index, fname, 'function');
}
