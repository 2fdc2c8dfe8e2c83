// Lua 5.1's `<` and `<=` (luaV_lessthan, lessequal): numbers numerically, strings in byte order
// (strcoll in the "C" locale, zero bytes included), anything else through a metamethod both
// operands share (__lt; for `<=` __le, else `not (b < a)` by __lt).

import { type LuaRuntime, type LuaValue, truthy, typeName } from '../value.js';

/**
 * luaG_ordererror's text. It compares the third letters of the type names, so a string and a
 * thread ("st-r-ing", "th-r-ead") are reported as "two string values", as in 5.1.
 */
export function orderErrorMessage(a: LuaValue, b: LuaValue): string {
  const left = typeName(a);
  const right = typeName(b);
  return left.charCodeAt(2) === right.charCodeAt(2) ? `attempt to compare two ${left} values` : `attempt to compare ${left} with ${right}`;
}

/**
 * a < b. `errorLevel` goes to rt.error for the "attempt to compare" errors: 0 when a native
 * compares (luaG_runerror adds no position inside a C function, so table.sort's error has none).
 */
export function lessThan(rt: LuaRuntime, a: LuaValue, b: LuaValue, errorLevel = 0): boolean {
  const type = typeof a;
  if (type !== typeof b) return rt.error(orderErrorMessage(a, b), errorLevel);
  if (type === 'number') return (a as number) < (b as number);
  if (type === 'string') return (a as string) < (b as string);
  if (typeName(a) !== typeName(b)) return rt.error(orderErrorMessage(a, b), errorLevel);
  const result = callOrderMetamethod(rt, a, b, '__lt');
  if (result !== undefined) return result;
  return rt.error(orderErrorMessage(a, b), errorLevel);
}

/** a <= b, with errorLevel as for lessThan. */
export function lessEqual(rt: LuaRuntime, a: LuaValue, b: LuaValue, errorLevel = 0): boolean {
  const type = typeof a;
  if (type !== typeof b) return rt.error(orderErrorMessage(a, b), errorLevel);
  if (type === 'number') return (a as number) <= (b as number);
  if (type === 'string') return (a as string) <= (b as string);
  if (typeName(a) !== typeName(b)) return rt.error(orderErrorMessage(a, b), errorLevel);
  const result = callOrderMetamethod(rt, a, b, '__le');
  if (result !== undefined) return result;
  const reversed = callOrderMetamethod(rt, b, a, '__lt');
  if (reversed !== undefined) return !reversed;
  return rt.error(orderErrorMessage(a, b), errorLevel);
}

/** call_orderTM: the event's metamethod when both operands have the very same one (raw lookups). */
function callOrderMetamethod(rt: LuaRuntime, a: LuaValue, b: LuaValue, event: string): boolean | undefined {
  const leftMeta = rt.getMetatable(a);
  const handler = leftMeta === null ? undefined : leftMeta.get(event);
  if (handler === undefined) return undefined;
  const rightMeta = rt.getMetatable(b);
  const other = rightMeta === null ? undefined : rightMeta.get(event);
  if (handler !== other) return undefined;
  return truthy(rt.call(handler, [a, b])[0]);
}
