// Lua 5.1's `<` (luaV_lessthan): numbers numerically, strings in byte order (strcoll in the "C"
// locale, zero bytes included), anything else through an __lt metamethod both operands share.

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
  // call_orderTM: both operands must have the very same __lt (raw lookups, rawequal).
  const leftMeta = rt.getMetatable(a);
  const handler = leftMeta === null ? undefined : leftMeta.get('__lt');
  if (handler !== undefined) {
    const rightMeta = rt.getMetatable(b);
    const other = rightMeta === null ? undefined : rightMeta.get('__lt');
    if (handler === other) return truthy(rt.call(handler, [a, b])[0]);
  }
  return rt.error(orderErrorMessage(a, b), errorLevel);
}
